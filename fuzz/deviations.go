package fuzz

import "github.com/conformhttp/conform/impl/parser"

// Deviations is a set of known ways in which the code under test (the
// parser, the server, the Agent) departs from what the checks of this
// package expect. A deviation found by fuzzing is reported to the code's
// owner; until it is resolved it is listed here, with an input that shows
// it, so that fuzzing can go on finding other faults, and
// TestDeviationsStillExist fails once it is gone, so that its entry is
// removed.
type Deviations uint32

const (
	// DeviationAgentFreshRetry (impl/client): when Do retries a request on
	// a fresh socket and has to wait for one, the socket released to it
	// is destroyed to make room, which can empty its key's pool and drop
	// it from the Agent; the socket then reserved for the retry goes into
	// the dropped pool. The Agent no longer sees it: a later request to
	// the key dials past MaxSockets, and Close hangs waiting for the
	// watcher of that socket once it is free. While it is known, the
	// agent target sends the requests the server hangs up on as POSTs,
	// which Do does not retry.
	DeviationAgentFreshRetry Deviations = 1 << iota
	// DeviationPauseInReset (impl/parser): a pause from inside OnReset
	// makes the parser fire OnReset again when Execute resumes, without
	// reading a byte, so a consumer that pauses there on every call
	// never gets past it (a livelock). While it is known, the split
	// target does not pause from OnReset.
	DeviationPauseInReset
)

// KnownDeviations are the deviations the code under test has today.
const KnownDeviations = DeviationAgentFreshRetry | DeviationPauseInReset

// Deviation is a known deviation: its bit, a name, and a check that fails
// on an input that shows the deviation unless the deviations it is given
// include the bit. A check with Bubble set runs in a testing/synctest
// bubble.
type Deviation struct {
	Bit    Deviations
	Name   string
	Bubble bool
	Check  func(allow Deviations) error
}

// DeviationList returns every known deviation with a check that shows it.
func DeviationList() []Deviation {
	return []Deviation{
		{DeviationPauseInReset, "pause in OnReset", false, func(allow Deviations) error {
			in := append(append(Options{Type: parser.Request}.Encode(), Plan{PauseEvery: 1}.Encode()...),
				"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"...)
			return checkSplit(in, allow)
		}},
		{DeviationAgentFreshRetry, "Agent retry into a dropped pool", true, func(allow Deviations) error {
			return checkAgent(freshRetryPlan().Encode(), allow)
		}},
	}
}

// freshRetryPlan shows DeviationAgentFreshRetry: one socket for key k0;
// op 1 reuses it and the server hangs up, so Do retries op 1 on a fresh
// socket, for which it waits while op 2 (queued meanwhile) uses the slot;
// op 3 comes after both.
func freshRetryPlan() *AgentPlan {
	return &AgentPlan{KeepAlive: 1, MaxSockets: 1, Ops: []AgentOp{
		{Answer: []byte("zero")},
		{Start: 10, Action: actHangup, Delay: 2},
		{Start: 15, Answer: []byte("two")},
		{Start: 100, Answer: []byte("three")},
	}}
}
