package fuzz

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAgentPlanEncode(t *testing.T) {
	ap := &AgentPlan{KeepAlive: 1, MaxSockets: 2, MaxTotalSockets: 3, MaxFreeSockets: 4, FIFO: 1, Timeout: 2, DialFails: 0b1010,
		Ops: []AgentOp{{Key: 2, Method: 3, Body: []byte("b"), Start: 7, Action: actGarbage, Delay: 9, Answer: []byte("a"), Chunked: 1, CloseNow: 1}, {}}}
	if diff := cmp.Diff(ap, DecodeAgentPlan(ap.Encode()), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("decode(encode(plan)) (-want +got):\n%s", diff)
	}
}

func TestAgentPlanCalm(t *testing.T) {
	tests := []struct {
		name, reason string
		ap           AgentPlan
		want         bool
	}{
		{"answers", "prompt and slow answers fail nothing", AgentPlan{Ops: []AgentOp{{Action: actAnswer}, {Action: actAnswerSlow}}}, true},
		{"dial-fail", "a failed dial fails a request", AgentPlan{DialFails: 1, Ops: []AgentOp{{}}}, false},
		{"timeout", "a timeout may fail a slow request", AgentPlan{Timeout: 1, Ops: []AgentOp{{}}}, false},
		{"hangup", "a hang-up may fail a request", AgentPlan{Ops: []AgentOp{{Action: actHangup}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ap.calm(); got != tt.want {
				t.Errorf("%s: calm() = %v; want %v", tt.reason, got, tt.want)
			}
		})
	}
}

// TestCheckAgentReportsHangs checks that a request that does not end in
// time is reported as a fault, not a deadlock: the server answers the
// plan's only op after 2.55 s on the bubble's clock, past a 100 ms limit.
func TestCheckAgentReportsHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ap := &AgentPlan{MaxSockets: 1, Ops: []AgentOp{{Action: actAnswerSlow, Delay: 255}}}
		err := checkAgent(ap.Encode(), 100*time.Millisecond)
		if err == nil || !strings.Contains(err.Error(), "requests still running") {
			t.Errorf("a request slower than the limit: got %v; want a report of requests still running", err)
		}
	})
}

// TestAgentFreshRetry replays the schedule that showed a retry's fresh
// socket going into a dropped pool (fixed in impl/client 2f31de8): one
// socket for k0; op 1 reuses it and the server hangs up, so Do retries op
// 1 on a fresh socket, for which it waits while op 2 (queued meanwhile)
// uses the slot; op 3 comes after both. The Agent dialed past MaxSockets
// and Close hung.
func TestAgentFreshRetry(t *testing.T) {
	ap := &AgentPlan{KeepAlive: 1, MaxSockets: 1, Ops: []AgentOp{
		{Answer: []byte("zero")},
		{Start: 10, Action: actHangup, Delay: 2},
		{Start: 15, Answer: []byte("two")},
		{Start: 100, Answer: []byte("three")},
	}}
	synctest.Test(t, func(t *testing.T) {
		if err := CheckAgent(ap.Encode()); err != nil {
			t.Error(err)
		}
	})
}
