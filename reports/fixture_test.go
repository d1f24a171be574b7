package reports

import (
	"time"
)

// sampleResults is a two-target run with every verdict, several families
// and levels, and hostile bytes in titles, reasons and wire logs.
func sampleResults() *Results {
	started := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	get := []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	hostile := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 37\r\n\r\n<script>alert(\"x\")</script>\x00\x1b[31m\xff\xfe")
	r := &Results{
		Schema: Schema,
		Runs: []Run{{
			Tool:     "conform",
			Version:  "conform (devel) go1.26.0 linux/amd64",
			Started:  started,
			Duration: Millis(1830 * time.Millisecond),
			Targets:  []string{"reference", "127.0.0.1:8080"},
			Flags:    map[string]string{"timeouts": "fast", "split": "false", "parallel": "8"},
		}},
		Targets: []Target{
			{Name: "reference", Address: "127.0.0.1:40001", Description: "conform reference server, in-process"},
			{Name: "127.0.0.1:8080", Address: "127.0.0.1:8080"},
		},
	}
	type spec struct {
		id, family, title string
		level             Level
		ref               Ref
		expected          string
	}
	specs := []spec{
		{"rl-simple-get", "request-line", "a plain GET", Must, NewRef(9112, "3"), "accept"},
		{"te-cl-both", "framing", "Transfer-Encoding and Content-Length together", Must, NewRef(9112, "6.3"), "reject | accept then close"},
		{"host-missing", "host", "HTTP/1.1 request without Host <b>", Must, NewRef(9112, "3.2"), "status 400"},
		{"ws-before-colon", "fields", "whitespace before the colon", Must, NewRef(9112, "5.1"), "status 400"},
		{"date-header", "fields", "origin server sends Date", Should, NewRef(9110, "6.6.1"), ""},
		{"reason-phrase", "request-line", "reason phrase text", May, NewRef(9112, "4"), ""},
		{"slow-drip", "timeouts", "target drips its response", NoLevel, Ref{}, ""},
	}
	verdicts := map[string][2]Verdict{
		"rl-simple-get":   {Pass, Pass},
		"te-cl-both":      {Pass, Fail},
		"host-missing":    {Pass, Skip},
		"ws-before-colon": {Pass, Error},
		"date-header":     {Pass, Warn},
		"reason-phrase":   {Info, Info},
		"slow-drip":       {Pass, Error},
	}
	for ti, t := range r.Targets {
		for si, s := range specs {
			v := verdicts[s.id][ti]
			c := Check{
				ID: s.id, Suite: "corpus", Family: s.family, Title: s.title, Target: t.Name,
				Level: s.level, Verdict: v, Expected: s.expected,
				Reason:   reasonFor(v),
				Duration: Millis(time.Duration(si+1)*1500*time.Microsecond + time.Duration(ti)*time.Millisecond),
			}
			if s.ref.RFC != 0 {
				c.RFC = []Ref{s.ref}
			}
			if s.family == "timeouts" {
				c.Suite = "timeouts"
			}
			switch {
			case v == Skip:
				c.Wire = nil
			case s.id == "te-cl-both" && v == Fail:
				c.Wire = &Wire{ClosedBy: ClosedByProbe, Sent: 60, Received: int64(len(hostile)), Events: []WireEvent{
					{At: Millis(20 * time.Microsecond), Kind: Send, Data: []byte("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")},
					{At: Millis(900 * time.Microsecond), Kind: Recv, Data: hostile},
					{At: Millis(101 * time.Millisecond), Kind: Close, Text: "no more bytes for 100ms; the connection is still open"},
				}}
			case v == Error && s.id == "ws-before-colon":
				c.Wire = &Wire{ClosedBy: NotConnected, Events: []WireEvent{
					{At: Millis(300 * time.Microsecond), Kind: Fault, Text: "dial tcp 127.0.0.1:8080: connect: connection refused"},
				}}
			case v == Error:
				c.Wire = &Wire{ClosedBy: ClosedByProbe, Sent: int64(len(get)), Received: 70000, Events: []WireEvent{
					{At: Millis(15 * time.Microsecond), Kind: Send, Data: get},
					{At: Millis(2 * time.Millisecond), Kind: Recv, Data: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), Omitted: 69953},
					{At: Millis(250 * time.Millisecond), Kind: Close, Text: "deadline of 250ms passed while the target was still sending"},
				}}
			default:
				c.Wire = &Wire{ClosedBy: ClosedByTarget, Sent: int64(len(get)), Received: 38, Events: []WireEvent{
					{At: Millis(12 * time.Microsecond), Kind: Send, Data: get},
					{At: Millis(640 * time.Microsecond), Kind: Recv, Data: []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
					{At: Millis(700 * time.Microsecond), Kind: EOF},
				}}
			}
			r.Checks = append(r.Checks, c)
		}
	}
	return r
}

func reasonFor(v Verdict) string {
	switch v {
	case Pass:
		return "200, closed matches \"accept\""
	case Fail:
		return "200, still open matches none of \"reject | accept then close\": the body <script> was read as a second request"
	case Warn:
		return "no Date field in a 200 response"
	case Info:
		return "the reason phrase was \"OK\""
	case Skip:
		return "not run: --only excluded it"
	case Error:
		return "the harness could not decide"
	}
	return ""
}

// singleTarget is sampleResults cut down to its first target.
func singleTarget() *Results {
	r := sampleResults()
	name := r.Targets[0].Name
	r.Targets = r.Targets[:1]
	r.Runs[0].Targets = []string{name}
	var checks []Check
	for _, c := range r.Checks {
		if c.Target == name {
			checks = append(checks, c)
		}
	}
	r.Checks = checks
	return r
}
