// Conform is an HTTP/1.1 conformance and fuzz-testing suite. It sends
// hundreds of graded checks to HTTP servers — the embedded reference
// server by default — and writes HTML, JSON and JUnit reports; it shows
// what its llhttp-grade parser makes of a message, and where other
// implementations read the same bytes differently.
//
// Usage:
//
//	conform <command> [arguments]
//
// The commands are:
//
//	run       run the conformance checks against servers and write a report
//	list      list the checks conform run would run
//	report    re-render saved results, several files as one matrix
//	serve     run the reference server with the routes conformance tools need
//	parse     print the parser's event trace for raw HTTP/1.x bytes
//	diff      compare how conform's parser and other implementations read the same bytes
//	help      print this overview, or a command's documentation
//	version   print conform's version and how it was built
//
// Run "conform help <command>" or "conform <command> -h" for a command's
// documentation. Flags go after the command name; they may be written with
// one dash or two, as "--flag value" or "--flag=value", before or after the
// other arguments. An argument "--" ends the flags.
//
// # Exit status
//
//	0  success: every input was read and found conformant
//	1  harness error: conform could not do its job (an unreadable file,
//	   a failed write)
//	2  usage: the command line was wrong; the message says how to fix it
//	3  non-conformance found: the parser reported an error, or parsing the
//	   same input in pieces gave a different result
//
// # conform run
//
// Usage:
//
//	conform run [--target [NAME=]HOST:PORT]... [--suite corpus,...]
//	            [--only ID-or-glob] [--level must,should,may,none]
//	            [--timeouts fast|real] [--headers-timeout D]
//	            [--request-timeout D] [--keep-alive-timeout D] [--split]
//	            [--parallel N] [--report DIR] [--json FILE] [--junit FILE]
//
// Run sends conform's checks to HTTP/1.1 servers over TCP, grades what
// each server does, and writes a report. With no --target it starts the
// reference server (impl/server) in process and checks it. Several
// --target flags check several servers in one run, and the report shows
// them side by side; "--target reference" adds the embedded server to
// live ones.
//
// The checks: every request case of the corpus, judged by its rule of
// the answers the RFC allows (for a malformed request: a 4xx, or a close
// without a 2xx, never one guessed status); pipelining (responses come
// complete and in order); CONNECT; timeouts (an unfinished head, a
// dripped head, a short body, an idle connection); and the @live
// scenarios of features/. Each check gets a verdict:
//
//	pass   the server did what the RFC requires or allows
//	warn   a SHOULD was not met
//	fail   a MUST was broken
//	info   an observation the RFC leaves open
//	skip   the check did not run (see its reason)
//	error  conform could not decide: no connection, or the server was
//	       still sending when a limit was reached (a slow drip, an
//	       endless body)
//
// Every probe is bounded: a deadline, a cap on the bytes read, a cap on
// the bytes the wire log keeps. A check that would fail only because
// conform stopped waiting (for an answer, for a close) is tried once more
// with longer waits, so that a slow server is not failed for being slow. Run prints a line per target with its
// counts, one line per check that failed, warned or ended in error, and
// where the report is. Progress goes to standard error: one line kept up
// to date on a terminal, a line at every tenth of the run otherwise.
//
// Flags:
//
//	--target [NAME=]HOST:PORT
//	    A server to check; repeat for several. NAME labels it in the
//	    report (--target nginx=127.0.0.1:8080); without one the address
//	    is the label. "reference" is the embedded reference server, the
//	    default.
//	--suite NAME,...
//	    Run only these suites: corpus, pipelining, connect, timeouts,
//	    features.
//	--only ID-or-glob,...
//	    Run only the checks whose id matches (shell-style: "te-*").
//	    "conform list" shows the ids.
//	--level must,should,may,none
//	    Run only checks at these requirement levels (MUST NOT counts as
//	    must; none: checks without a level).
//	--timeouts fast|real
//	    fast, the default: the embedded server runs with timeouts under
//	    a second and the timeout checks wait for those; they skip live
//	    targets, and the @slow scenarios skip. real: the embedded server
//	    keeps Node's defaults and every target is waited for as its
//	    timeouts require, which takes minutes.
//	--headers-timeout D, --request-timeout D, --keep-alive-timeout D
//	    A live target's timeouts, for --timeouts real (servers' defaults
//	    differ). The defaults are Node's: 60s, 5m0s and 5s.
//	--split
//	    Also send every corpus request in pieces, one byte at a time (a
//	    few bytes for long ones) with a short pause between them, to find
//	    servers that mishandle fragmented input. The split checks have ids
//	    ending in "@split".
//	--parallel N
//	    Run N checks at once, each on its own connection (default: four
//	    per CPU, at least 8).
//	--report DIR
//	    Write report.html and results.json into DIR (default
//	    reports/out).
//	--json FILE
//	    Also write the results JSON to FILE.
//	--junit FILE
//	    Also write JUnit XML to FILE, for CI systems.
//
// The report is one HTML file that needs no network: a summary by family
// and requirement level, a matrix of checks by server when several ran,
// and for every check its verdict, reason, RFC section and the bytes sent
// and received. reports/README.md documents the results JSON.
//
// Run exits with 0 when no check failed, 3 when at least one failed (a
// MUST broken), 1 when none failed but a check ended in error or a file
// could not be written, and 2 for a bad call.
//
// # conform list
//
// Usage:
//
//	conform list [--suite NAME,...] [--only ID-or-glob] [--level LEVEL,...]
//	             [--split]
//
// List prints every check conform run would run with the same flags, one
// per line: its id, suite and family, requirement level, RFC sections and
// title. It sends nothing. The number of checks goes to standard error.
//
// # conform report
//
// Usage:
//
//	conform report RESULTS.json... [-o DIR] [--junit FILE]
//
// Report reads results files written by conform run (its --json FILE, or
// results.json in its report directory) and writes report.html and
// results.json into DIR (default reports/out). Several files become one
// report, their servers side by side in the matrix; a server that appears
// in two files with the same checks gets a column for each, named
// "NAME (2)". With --junit it also writes JUnit XML. Report exits with 0
// when it wrote the report, whatever the verdicts; 1 when a file could not
// be read or written; 2 for a bad call.
//
// # conform serve
//
// Usage:
//
//	conform serve [--addr 127.0.0.1:8080] [--headers-timeout D]
//	              [--request-timeout D] [--keep-alive-timeout D]
//	              [--idle-timeout D] [--max-header-size N] [--max-headers N]
//	              [--max-requests-per-socket N] [--handler-handoff D]
//
// Serve runs conform's reference server (impl/server), the target conform
// run tests when it is given none, so that other tools and people can
// test against it too. It prints the address it listens on and serves
// until interrupted (SIGINT or SIGTERM), then shuts down gracefully,
// letting requests in flight finish for up to 5 s.
//
// Its routes:
//
//	/                 200 "ok"
//	/echo             how the request was parsed, as JSON: method, target,
//	                  version, header fields in order and original case,
//	                  body, framing (content-length, chunked or none),
//	                  trailers
//	/delay?ms=N       answers after N milliseconds (for pipelining order)
//	/status/N         answers with status N
//	/stream?chunks=N  a chunked body of N chunks
//	/big?bytes=N      a body of N bytes
//	/close            answers with Connection: close
//
// and CONNECT to loopback addresses only, relayed both ways (any other
// CONNECT target is refused with 403).
//
// Flags (durations as 60s or 500ms; 0 disables a timeout):
//
//	--addr HOST:PORT              where to listen (port 0 picks a free one)
//	--headers-timeout D           first byte of a request to the end of its
//	                              head (default 60s); 408 and close
//	--request-timeout D           first byte to the end of the body
//	                              (default 300s); 408 and close
//	--keep-alive-timeout D        idle time between requests (default 5s);
//	                              closes silently
//	--idle-timeout D              close a connection without traffic for D
//	--max-header-size N           largest request head (default 16384);
//	                              431 beyond
//	--max-headers N               most header fields (default 100); 431
//	--max-requests-per-socket N   requests per connection; the last answer
//	                              carries Connection: close (0: no limit)
//	--handler-handoff D           how long a handler runs on the goroutine
//	                              reading its connection before reading
//	                              moves on (default 100µs); 0 starts every
//	                              handler in a goroutine of its own
//
// Exit status: 0 after a clean shutdown, 1 if it cannot listen, 2 for a
// bad call.
//
// # conform parse
//
// Usage:
//
//	conform parse [--type request|response|both] [--lenient FLAG,...|all]
//	              [--max-header-size N] [--finish] [--head] [--split N|all]
//	              [--escapes] [FILE...]
//
// Parse reads raw HTTP/1.x bytes from each FILE, or from standard input when
// no FILE is given or a FILE is "-", and prints the parser's events on
// standard output in llhttp's test-log format, one line per event. For
// "GET /hello HTTP/1.1", "Host: example.com" and an empty line, each ended
// by CRLF:
//
//	off=0 message begin
//	off=0 len=3 span[method]="GET"
//	off=3 method complete
//	off=4 len=6 span[url]="/hello"
//	...
//	off=27 len=11 span[header_value]="example.com"
//	off=40 header_value complete
//	off=42 headers complete method=1 v=1/1 flags=0 content_length=0
//	off=42 message complete
//
// A span that reaches the parser in several pieces is printed whole. With
// several FILEs each trace is preceded by a line "== FILE".
//
// When the parser reports an error the trace ends with its "error" line,
// and a line on standard error names it with its place in the input; here,
// a space before the colon in "Host : a" on line 2 of req.http:
//
//	req.http:2:5: HPE_INVALID_HEADER_TOKEN at offset 20: Whitespace between header field name and colon
//
// LINE:COLUMN count lines and bytes from 1; with --escapes they point into
// the text as written. A message that switches protocols (CONNECT, an
// Upgrade request, a 101 response) stops the parser with
// HPE_PAUSED_UPGRADE, and the HTTP/2 connection preface ("PRI *
// HTTP/2.0") with HPE_PAUSED_H2_UPGRADE; neither is an error, and a line on
// standard error says how many bytes follow that were not parsed.
//
// Flags:
//
//	--type request|response|both
//	    What the input holds. The default, both, reads a message that
//	    starts with "HTTP/" as a response and anything else as a request.
//	--lenient FLAG,...|all
//	    Accept, in the named ways, input that RFC 9112 forbids. The parser
//	    is strict by default, and each lenient mode opens a way for two
//	    implementations to disagree on where a message ends (request
//	    smuggling). Separate names with commas or repeat the flag. The
//	    modes: headers, chunked-length, keep-alive, transfer-encoding,
//	    version, data-after-close, optional-lf-after-cr,
//	    optional-crlf-after-chunk, optional-cr-before-lf,
//	    spaces-after-chunk-size, spaces, target.
//	--max-header-size N
//	    Allow at most N bytes for the head of each message (start line and
//	    header fields) and for each trailer section; more is
//	    HPE_HEADER_OVERFLOW. 0 means the default, 16384 bytes as in Node; a
//	    negative N means no limit.
//	--finish
//	    Tell the parser that the input ends there, as at the end of a
//	    connection: a response body that lasts until the connection closes
//	    completes, and a message cut off midway is HPE_INVALID_EOF_STATE.
//	--head
//	    Read every response as the answer to a HEAD request: it has no
//	    body whatever its header fields say (RFC 9112 section 6.3).
//	--split N|all
//	    Give the parser N bytes at a time instead of the whole input at
//	    once; the trace must not change. With "all", parse at every split
//	    size from 1 to the input's length, print the trace of the
//	    whole-input parse, and report on standard error any split size
//	    whose trace differs from it, with the first line that differs.
//	    The work grows with the square of the input's length: a few
//	    kilobytes take well under a second, a megabyte hours.
//	--escapes
//	    The input is text in the corpus's visible-escape form, not raw
//	    bytes: \r, \n, \t, \xNN (two hex digits), \\ and \" stand for the
//	    bytes they name, and a line break in the text stands for CRLF.
//	    Every line break counts, the last one too. For typing messages by
//	    hand:
//
//	        conform parse --escapes <<'EOF'
//	        GET /hello HTTP/1.1
//	        Host: example.com
//
//	        EOF
//
// Parse exits with 0 when every input parsed without error (a protocol
// switch included), 3 when the parser reported an error or a split parse
// diverged, 2 for a bad call (including malformed --escapes text), and 1
// when an input could not be read.
//
// # conform diff
//
// Usage:
//
//	conform diff [--oracle nethttp,node,servers] [--type request|response]
//	             [--json] [--finish] [--head] [--escapes]
//	             [--corpus | FILE... | -]
//
// Diff reads the same bytes with conform's parser and with other HTTP/1.x
// implementations (the oracles) and compares what each made of them: the
// messages (method, target, authority, version, status, header and trailer
// fields, framing, body, keep-alive, protocol switch) and where reading
// stopped. Two implementations that read the same bytes differently are
// how request smuggling happens. The oracles are Go's net/http
// (http.ReadRequest or http.ReadResponse, called until the stream ends)
// and, when node is installed, llhttp as Node.js runs it, driven by one
// node process. The inputs are each FILE, standard input ("-", or no FILE),
// or with --corpus every corpus case.
//
// For each input and oracle diff prints one line with the class of the
// comparison:
//
//	agree                both read the same messages
//	both-reject          both refuse the input (or it ends inside a message)
//	only-ours-rejects    conform's parser refuses what the oracle reads
//	only-theirs-rejects  the oracle refuses what conform's parser reads
//	differ               both read it, differently
//
// and, for the last, the danger of the worst difference: severe (the
// number of messages, a body boundary, the framing or a protocol switch
// differs: smuggling), high (method, target, authority, status, version or
// keep-alive), low (a header or trailer field, a reason phrase). Under a
// disagreement come each side's reading and the differences, one a line,
// as a path and both values:
//
//	smuggle-cl-te  nethttp  only-ours-rejects  known: nethttp-cl-and-te
//	    ours:    no message, rejected HPE_INVALID_CONTENT_LENGTH: ...
//	    nethttp: 1 message (POST / +5B body), then an unfinished message ...
//
// Some disagreements are intended: differential/known.txt lists each with
// the RFC section that decides it and which side is right, and diff names
// the entry that covers a disagreement. Last come counts per oracle.
//
// Flags:
//
//	--oracle nethttp,node,servers
//	    Compare with these oracles (default: nethttp,node; node is
//	    skipped, with a note, when it is not installed, unless named
//	    here). servers also sends every request input, as a stream that
//	    ends after its bytes, to conform's server and to a net/http
//	    server, both in-process on loopback and answering each request
//	    with an echo of how they read it; it reports each server against
//	    its own parser (ours-server, nethttp-server: did the server do
//	    what its parser read?) and the two servers against each other
//	    (servers), where a disagreement the parsers explain is marked
//	    "(parser level)".
//	--type request|response
//	    What the inputs hold. Without it an input that starts with "HTTP/"
//	    holds responses and any other requests. With --corpus, only the
//	    cases of this type.
//	--json
//	    Print the results as JSON in conform's results format (see
//	    reports/README.md; "conform report" renders it), one check per
//	    input and oracle: pass for agreement, info for a known
//	    disagreement, fail for one not on the list.
//	--finish
//	    The stream ends after the input's bytes, as when the peer closes
//	    the connection: a body read until the close completes, and a
//	    message cut off is truncated. Without it the stream stays open and
//	    an unfinished message waits for more bytes.
//	--head
//	    Read the first response as the answer to a HEAD request: it has no
//	    body whatever its fields say.
//	--escapes
//	    The input is text in the corpus's visible-escape form, as for
//	    conform parse.
//	--corpus
//	    Compare every corpus case (each says itself whether its stream
//	    ends and which requests responses answer).
//
// Diff exits with 0 when every disagreement found is on the known list, 3
// when one is not, 2 for a bad call, and 1 when an input could not be read
// or an oracle failed.
//
// # conform help
//
// Usage:
//
//	conform help [command]
//
// Help prints the overview of conform and its commands, or, given a command
// name, that command's documentation.
//
// # conform version
//
// Usage:
//
//	conform version
//
// Version prints conform's module version, the revision of the source it
// was built from when the build recorded one, and the Go version and
// platform it was built with.
package main
