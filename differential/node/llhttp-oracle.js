'use strict';
// conform's Node.js oracle: reads HTTP/1.x streams with the llhttp parser
// compiled into Node, through the same binding (HTTPParser from
// _http_common) that Node's http.Server and http.ClientRequest drive, so
// the answers are llhttp's as Node configures it: strict unless lenient
// flags are given, Node's head size limit, field values trimmed of
// trailing whitespace by Node's C++ layer.
//
// Protocol: one JSON object per line on standard input, one answer per
// line on standard output, in order.
//
//   in:  {"id":1, "type":"request"|"response", "data":"<base64>",
//         "eof":true, "methods":["HEAD"], "maxHeaderSize":0, "lenient":0}
//   out: {"id":1, "messages":[...], "end":{"kind":..., "code":..., "reason":...},
//         "consumed":N}
//
// Strings in answers carry one byte per character (Latin-1), as Node hands
// header bytes to JavaScript, so the Go side recovers the exact bytes.

const { HTTPParser } = require('_http_common');
const readline = require('readline');

const kOnMessageBegin = HTTPParser.kOnMessageBegin;
const kOnHeaders = HTTPParser.kOnHeaders;
const kOnHeadersComplete = HTTPParser.kOnHeadersComplete;
const kOnBody = HTTPParser.kOnBody;
const kOnMessageComplete = HTTPParser.kOnMessageComplete;

function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    out.push({ name: flat[i], value: flat[i + 1] });
  }
  return out;
}

function parse(req) {
  const data = Buffer.from(req.data, 'base64');
  const isRequest = req.type === 'request';
  const parser = new HTTPParser();
  const done = [];
  let cur = null;
  let open = false;
  let start = 0;
  let heads = 0;
  let headersSeen = false;

  parser[kOnMessageBegin] = () => {
    cur = { headers: [], trailers: [], url: '', body: [] };
    open = true;
    headersSeen = false;
  };
  // Node hands over fields in batches: before headers complete when it
  // has flushed before, and the trailer section before message complete.
  parser[kOnHeaders] = (headers, url) => {
    if (headersSeen) {
      cur.trailers.push(...pairs(headers));
    } else {
      cur.headers.push(...pairs(headers));
      cur.url += url || '';
    }
  };
  parser[kOnHeadersComplete] = (major, minor, headers, method, url,
    statusCode, statusMessage, upgrade, shouldKeepAlive) => {
    headersSeen = true;
    if (headers) cur.headers.push(...pairs(headers));
    if (url) cur.url += url;
    cur.version = major + '.' + minor;
    cur.upgrade = !!upgrade;
    cur.keepAlive = !!shouldKeepAlive;
    if (isRequest) {
      // llhttp's method number; the Go side names it (Node's own
      // table of all methods is internal).
      cur.method = method;
      return 0;
    }
    cur.status = statusCode;
    cur.reason = statusMessage || '';
    const m = (req.methods && req.methods[heads]) || 'GET';
    heads++;
    if (m === 'HEAD') return 1;
    if (m === 'CONNECT' && statusCode >= 200 && statusCode < 300) {
      cur.upgrade = true;
      return 2;
    }
    return 0;
  };
  parser[kOnBody] = (b) => {
    cur.body.push(Buffer.from(b));
  };
  parser[kOnMessageComplete] = () => {
    cur.body = Buffer.concat(cur.body).toString('latin1');
    done.push(cur);
    open = false;
    cur = null;
  };

  parser.initialize(isRequest ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
    {}, req.maxHeaderSize || 0, req.lenient || 0);

  let end;
  let consumed = data.length;
  const r = parser.execute(data);
  if (r instanceof Error) {
    end = errorEnd(r);
    consumed = r.bytesParsed;
    if (r.code === 'HPE_CLOSED_CONNECTION') {
      // llhttp skips past the first byte after the closing message before
      // it reports the error.
      consumed--;
    }
  } else if (r < data.length) {
    end = { kind: 'upgrade' };
    consumed = r;
  } else if (req.eof) {
    const f = parser.finish();
    if (f instanceof Error) {
      end = errorEnd(f);
      consumed = f.bytesParsed;
    }
  }
  if (!end && done.length > 0 && done[done.length - 1].upgrade) {
    // The protocol switched with no tunnel bytes yet.
    end = { kind: 'upgrade' };
  }
  if (!end) {
    end = { kind: open ? 'incomplete' : 'clean' };
  }
  // Node's callbacks above never see a half-read message's start offset;
  // an unfinished message is reported by the Go side from the messages
  // completed, so send whether one was open.
  parser.close();
  return { messages: done, end, consumed, open };
}

function errorEnd(e) {
  switch (e.code) {
    case 'HPE_CLOSED_CONNECTION':
      return { kind: 'closed', code: e.code, reason: e.reason };
    case 'HPE_INVALID_EOF_STATE':
      return { kind: 'truncated', code: e.code, reason: e.reason };
    case 'HPE_PAUSED_H2_UPGRADE':
      return { kind: 'upgrade', code: e.code, reason: e.reason };
  }
  return { kind: 'rejected', code: e.code || 'HPE_UNKNOWN', reason: e.reason || String(e.message) };
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: null, fatal: 'bad request line: ' + e.message }) + '\n');
    return;
  }
  let answer;
  try {
    answer = parse(req);
  } catch (e) {
    answer = { fatal: String(e && e.stack || e) };
  }
  answer.id = req.id;
  process.stdout.write(JSON.stringify(answer) + '\n');
});
