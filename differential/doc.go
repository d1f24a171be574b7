// Package differential reads the same bytes with conform's parser and
// with other HTTP/1.x implementations, and classifies every disagreement.
// Two implementations that disagree on the same bytes are how request
// smuggling happens: a proxy forwards what it read as one request, and
// the server behind it reads two.
//
// An Oracle turns an Input (a stream of requests or of responses) into an
// Outcome: the messages it read, each in a normalised Message model, and
// how reading ended. Three oracles exist: Ours (impl/parser), NetHTTP
// (http.ReadRequest and http.ReadResponse called repeatedly on one
// bufio.Reader), and Node (llhttp as compiled into Node.js, driven through
// node/llhttp-oracle.js in one node process per run; skipped, with
// ErrNoNode, when node is not installed).
//
// Compare classifies a pair of outcomes (agree, both reject, only ours
// rejects, only theirs rejects, or both accept but differ) and lists the
// differences, collected with a cmp.Reporter as structured values (a path
// and both sides), each ranked by danger: a different number of messages
// or body boundary is severe, a different method or target high, a header
// detail low.
//
// known.txt lists the differences that are understood and intended, each
// with the RFC section that decides it and which side is right; a
// KnownList matches them against results. A disagreement that is not on
// the list is a finding: the tests fail on one, and "conform diff" exits
// with status 3.
//
// The server level (Servers) sends one raw request stream, pipelined
// requests included, to conform's server (impl/server) and to a net/http
// server, both in-process on loopback, each answering every request with
// an echo of how it read it. Each server is compared with its own parser
// (did the server do what its parser read?) and the servers with each
// other; a server-level disagreement that the parsers explain is marked
// ExplainedByParsers.
package differential
