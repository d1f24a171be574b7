// Package engine runs conform's live checks against HTTP/1.1 targets and
// grades them, for "conform run" and "conform list".
//
// A Check sends bytes to a target through internal/probe and turns what
// came back into a verdict with a reason (an Outcome). The checks are:
//
//   - corpus: every request case of corpus/ that has a server rule, judged
//     by that rule (Rule.Judge) — a rule lists every behaviour the RFC
//     allows, so a verdict never fails an allowed answer; with split, each
//     case again sent in pieces with pauses between them;
//   - pipelining: responses to pipelined requests come complete and in
//     order (RFC 9112 §9.3.2);
//   - connect: CONNECT answers and pipelining before a tunnel (RFC 9110
//     §9.3.6);
//   - timeouts: incomplete and idle connections are ended as the target's
//     configured timeouts say (Node's headersTimeout, requestTimeout,
//     keepAliveTimeout);
//   - features: the @live scenarios of features/, run per feature file
//     and target through the features package.
//
// A failed MUST is fail, a failed SHOULD warn, anything weaker info; a
// target that cannot be reached, or is still sending when a limit is
// reached (a slow drip, an endless body), gives error. A bad result that
// came about because the probe stopped waiting (for a response, for a
// close) is tried again with eight times the waits before it is graded,
// so that a slow target on a busy machine is not failed for it. Run runs checks
// against targets in parallel, each check on its own connection, and
// returns reports.Check records. StartReference starts the embedded
// reference server (impl/server) as a target.
package engine
