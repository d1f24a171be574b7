// Package corpus is conform's catalogue of HTTP/1.x message cases: raw
// bytes, what an RFC 9112 parser must make of them, and what a conforming
// live server may answer to them.
//
// The cases live in text files under cases/, one file per topic, embedded
// in the package; Load parses them into Case values. README.md in this
// directory describes the format in full; in brief, a case is a run of
// "key: value" lines that starts with its id:
//
//	id: te-chunked-not-last
//	title: Transfer-Encoding: chunked, gzip in a request
//	reason: RFC 9112 §6.3 rule 4: when chunked is not the final coding of a request, its length cannot be known; the server MUST answer 400 and close
//	rfc: RFC 9112 §6.3
//	level: MUST
//	type: request
//	raw:
//	| POST / HTTP/1.1
//	| Host: example.com
//	| Transfer-Encoding: chunked, gzip
//	|
//	| 0
//	|
//	expect: error HPE_INVALID_TRANSFER_ENCODING at 72 messages=0
//	lenient transfer-encoding: ok messages=0 flags=200
//	server: status 400,501 then close | close
//	trace:
//	  off=0 message begin
//	  ...
//
// Raw lines start with "|"; a line break stands for CRLF (or what the
// case's newline key says), \r \n \t \\ \" and \xNN are escapes (those
// of parser.Unescape), and a backslash at the end of a line suppresses its
// line break. The expect line is written by hand (see Expect); the trace
// blocks are golden output that "go test ./corpus -update" rewrites from
// the parser, leaving every other line of the file as it is. The server
// line is a Rule whose Judge method grades what a live server did (an
// Observation).
//
// Load errors are *SyntaxError values that name the file and line.
package corpus
