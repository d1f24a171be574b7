// A Node.js http.createServer hello server for scripts/live-ci.sh.
//
//   node scripts/hello-server.js PORT
//
// Listens on 127.0.0.1:PORT only, answers every request with 200 after
// reading the request body to its end, with a text body that names the
// request ("hello from node: GET /path"), so that responses to different
// requests differ and conform's pipelining-order check can tell them apart.
// It prints "listening 127.0.0.1:PORT" once it accepts connections. Node's
// defaults are kept (headersTimeout, requestTimeout, keepAliveTimeout, strict
// llhttp): the point is to check the server Node ships, not a tuned one.
// SIGTERM and SIGINT close it.
'use strict';

const http = require('node:http');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`hello-server: want a port number 1-65535 as the only argument, got ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`hello from node: ${req.method} ${req.url}\n`);
  });
});

server.on('error', (err) => {
  console.error(`hello-server: ${err.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening 127.0.0.1:${port}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
