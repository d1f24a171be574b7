package corpus

import (
	"strings"
	"testing"
)

func TestRuleJudge(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		rule   string
		obs    Observation
		want   bool
	}{
		{"accept 200", "a 2xx answers a valid request", "accept",
			Observation{Statuses: []int{200}}, true},
		{"accept 404", "the application may not have the resource", "accept",
			Observation{Statuses: []int{404}, Closed: true}, true},
		{"accept 501", "the server may not implement the method", "accept",
			Observation{Statuses: []int{501}}, true},
		{"accept refuses 400", "400 says the message was malformed", "accept",
			Observation{Statuses: []int{400}}, false},
		{"accept refuses 431", "431 refuses the head", "accept",
			Observation{Statuses: []int{431}}, false},
		{"accept refuses 101", "a protocol switch must be allowed by name", "accept",
			Observation{Statuses: []int{101}}, false},
		{"accept refuses silence", "a valid request needs an answer", "accept",
			Observation{Closed: true}, false},
		{"accept refuses two answers", "one request, one response", "accept",
			Observation{Statuses: []int{200, 200}}, false},
		{"interim responses skipped", "100 Continue may precede any final response", "accept",
			Observation{Statuses: []int{100, 103, 200}}, true},
		{"reject 400", "the usual refusal", "reject",
			Observation{Statuses: []int{400}, Closed: true}, true},
		{"reject 403", "any 4xx refuses", "reject",
			Observation{Statuses: []int{403}}, true},
		{"reject 501", "501 refuses an unknown coding or method", "reject",
			Observation{Statuses: []int{501}}, true},
		{"reject close", "closing without an answer refuses", "reject",
			Observation{Closed: true}, true},
		{"reject refuses 200", "processing a bad request is the failure", "reject",
			Observation{Statuses: []int{200}}, false},
		{"reject refuses 500", "a crash is not a refusal", "reject",
			Observation{Statuses: []int{500}}, false},
		{"reject refuses waiting", "an open silent connection is not a refusal", "reject",
			Observation{}, false},
		{"status list", "codes in the list match", "status 400,431 | close",
			Observation{Statuses: []int{431}}, true},
		{"status list miss", "codes outside the list do not", "status 400,431 | close",
			Observation{Statuses: []int{413}}, false},
		{"status class", "a class matches its codes", "status 2xx",
			Observation{Statuses: []int{204}}, true},
		{"second alternative", "any alternative may match", "status 400 | close",
			Observation{Closed: true}, true},
		{"sequence", "pipelined answers in order", "accept then accept",
			Observation{Statuses: []int{200, 404}}, true},
		{"sequence too short", "a missing answer fails", "accept then accept",
			Observation{Statuses: []int{200}, Closed: true}, false},
		{"accept then close", "close after the answer", "accept then close",
			Observation{Statuses: []int{200}, Closed: true}, true},
		{"accept then close refuses open", "the connection must close", "accept then close",
			Observation{Statuses: []int{200}}, false},
		{"accept then close refuses a second answer", "nothing after close", "accept then close",
			Observation{Statuses: []int{200, 200}, Closed: true}, false},
		{"wait", "a server may wait for the rest of a message", "wait | reject",
			Observation{}, true},
		{"wait refuses close", "wait means still open", "wait",
			Observation{Closed: true}, false},
		{"reject then close by close", "a close with no answer is both", "reject then close",
			Observation{Closed: true}, true},
		{"any", "any one response", "any",
			Observation{Statuses: []int{599}}, true},
		{"unframed", "an HTTP/0.9 reply", "reject | unframed",
			Observation{Statuses: []int{0}, Closed: true}, true},
		{"unframed not accept", "garbage is no answer", "accept",
			Observation{Statuses: []int{0}}, false},
		{"status 101", "a protocol switch", "status 101 | accept",
			Observation{Statuses: []int{101}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRule(tt.rule)
			if err != nil {
				t.Fatalf("parseRule(%q): %v", tt.rule, err)
			}
			got, why := r.Judge(tt.obs)
			if got != tt.want {
				t.Errorf("Judge(%v) under %q = %v (%s), want %v: %s", tt.obs, tt.rule, got, why, tt.want, tt.reason)
			}
			if why == "" || !strings.Contains(why, tt.obs.String()) {
				t.Errorf("why %q does not describe the observation %q", why, tt.obs)
			}
		})
	}
}
