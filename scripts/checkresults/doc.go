// Command checkresults checks a conform results file (reports/README.md,
// schema 1) from scripts/live-ci.sh against facts known about the servers
// it ran against: nginx 1.22 as Debian 12 ships it, Node.js 20's http
// server, and conform's own embedded reference server. It can also check the
// DOM of the HTML report as headless Chromium rendered it.
//
// Usage:
//
//	checkresults -results FILE -target reference=NAME -target nginx=NAME
//	             -target node=NAME [-recheck FILE] [-dom FILE]
//	checkresults -results FILE -target ... -undecided
//
// Each -target maps a role the facts speak of to the name the target has in
// the results file (for a live server, the HOST:PORT given to conform run).
// All three roles are required: a fact about a server that was not run would
// otherwise pass without checking anything.
//
// A check a fact rests on (a fact's own check, or any check of the reference
// server) may end in error: conform could not decide it (on a loaded
// machine a target can stay silent longer than a probe's idle wait, or a
// dial can time out). -undecided prints the ids of such checks,
// comma-separated for conform run --only; -recheck names the results of
// that second run, whose verdicts then decide them. A check that failed is
// never run again.
//
// It prints a summary per target (counts by verdict), then one line per fact
// with "ok" or "FAIL" and why the fact is expected to hold, then the DOM
// checks when -dom is given. The facts are chosen to be decided by what a
// server does with a request head, so they do not depend on how the tiny
// handlers that live-ci.sh starts treat a request body.
//
// Exit status: 0 when every fact and DOM check holds, 1 when one does not,
// 2 for a bad call or a file that cannot be read as schema-1 results.
package main
