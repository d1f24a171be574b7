package engine

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/conformhttp/conform/corpus"
	"github.com/conformhttp/conform/internal/probe"
	"github.com/conformhttp/conform/internal/testnet"
	"github.com/conformhttp/conform/reports"
	"github.com/google/go-cmp/cmp"
)

// serve starts a loopback target that runs handle for every connection
// (see testnet.Serve) and returns it as a Target.
func serve(t *testing.T, handle func(c net.Conn)) Target {
	t.Helper()
	return Target{Name: "test", Addr: testnet.Serve(t, handle)}
}

// readHead reads one request head, up to its empty line, and returns its
// first line.
func readHead(br *bufio.Reader) (string, error) {
	first := ""
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return first, err
		}
		if first == "" {
			first = strings.TrimRight(line, "\r\n")
		}
		if line == "\r\n" || line == "\n" {
			return first, nil
		}
	}
}

// answer reads request heads and writes resp after each, until the probe
// closes; after a response with "Connection: close" it closes.
func answer(resp string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			if _, err := readHead(br); err != nil {
				return
			}
			if _, err := io.WriteString(c, resp); err != nil {
				return
			}
			if strings.Contains(resp, "Connection: close") {
				return
			}
		}
	}
}

const (
	ok200    = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	bad400   = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	caseText = `id: test-case
title: a test case
reason: the test says so
rfc: RFC 9112 §3
level: %LEVEL%
raw:
| GET / HTTP/1.1
| Host: example.com
|
expect: ok messages=1
server: %RULE%
`
)

// testCase parses a one-case corpus file with the given level and rule.
func testCase(t *testing.T, level, rule string) *corpus.Case {
	t.Helper()
	text := strings.NewReplacer("%LEVEL%", level, "%RULE%", rule).Replace(caseText)
	cases, err := corpus.Parse("test.txt", []byte(text))
	if err != nil || len(cases) != 1 {
		t.Fatalf("test case: %v (%d cases)", err, len(cases))
	}
	return cases[0]
}

// testConfig has short limits: the hostile targets of these tests answer
// at once or never.
func testConfig() Config {
	return Config{Mode: Fast}.withDefaults()
}

func runCheck(t *testing.T, c *Check, target Target) reports.Check {
	t.Helper()
	return runOne(context.Background(), c, &Env{Target: target, Config: testConfig()})
}

// TestCorpusVerdicts grades one corpus case against targets that behave
// well and badly, at each level.
func TestCorpusVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		level  string
		rule   string
		handle func(net.Conn) // nil: nothing listens
		want   reports.Verdict
		inWhy  string
		split  bool
	}{
		{"accepted", "a 200 matches accept", "MUST", "accept", answer(ok200), reports.Pass, `matches "accept"`, false},
		{"rejected as required", "400 and close match reject", "MUST", "reject", answer(bad400), reports.Pass, `400, closed matches "reject"`, false},
		{"MUST broken", "a 200 where reject is required fails", "MUST", "reject", answer(ok200), reports.Fail, "matches none of", false},
		{"MUST NOT broken", "MUST NOT grades as MUST", "MUST NOT", "reject", answer(ok200), reports.Fail, "The case: the test says so", false},
		{"SHOULD missed", "a missed SHOULD warns", "SHOULD", "reject", answer(ok200), reports.Warn, "matches none of", false},
		{"MAY", "a MAY is information", "MAY", "reject", answer(ok200), reports.Info, "matches none of", false},
		{"close is a rejection", "a close without a response matches reject", "MUST", "reject", func(c net.Conn) { readHead(bufio.NewReader(c)) }, reports.Pass, "no response, closed", false},
		{"reset is a close", "a reset ends the connection like a close", "MUST", "reject", func(c net.Conn) {
			readHead(bufio.NewReader(c))
			c.(*net.TCPConn).SetLinger(0)
		}, reports.Pass, "closed", false},
		{"garbage", "bytes that are not HTTP are unframed, not a rejection", "MUST", "reject", func(c net.Conn) {
			readHead(bufio.NewReader(c))
			io.WriteString(c, "\x00\x01garbage\r\n\r\n")
		}, reports.Fail, "response 1 is not valid HTTP/1.x", false},
		{"unframed allowed", "a rule may allow an HTTP/0.9-style answer", "MUST", "reject | unframed", func(c net.Conn) {
			readHead(bufio.NewReader(c))
			io.WriteString(c, "hello\n")
		}, reports.Pass, "unframed", false},
		{"silent", "no answer, connection open: only wait allows it", "MUST", "wait | reject", func(c net.Conn) { io.Copy(io.Discard, c) }, reports.Pass, "no response, still open", false},
		{"slow drip", "a response dripped past the deadline cannot be judged", "MUST", "accept", func(c net.Conn) {
			go io.Copy(io.Discard, c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Drip: ")
			for {
				if _, err := c.Write([]byte("y")); err != nil {
					return
				}
				time.Sleep(20 * time.Millisecond) // the target's behaviour: a drip faster than the idle limit
			}
		}, reports.Error, "still sending a response", false},
		{"endless body", "more than the byte cap cannot be judged", "MUST", "accept", func(c net.Conn) {
			go io.Copy(io.Discard, c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			chunk := []byte("1000\r\n" + strings.Repeat("x", 0x1000) + "\r\n")
			for {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}, reports.Error, "more than", false},
		{"slow target", "a target slower than the idle wait is given a second, patient try", "MUST", "accept", slowFirstTry(), reports.Pass, "seen on a second try", false},
		{"unreachable", "no connection is a harness error", "MUST", "accept", nil, reports.Error, "could not connect", false},
		{"split", "the split variant sends byte by byte and is graded the same", "MUST", "accept", func(c net.Conn) {
			br := bufio.NewReader(c)
			readHead(br)
			io.WriteString(c, ok200)
			io.Copy(io.Discard, br)
		}, reports.Pass, `matches "accept"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var target Target
			if tt.handle != nil {
				target = serve(t, tt.handle)
			} else {
				target = Target{Name: "test", Addr: testnet.ClosedAddr(t)}
			}
			c := corpusCheck(testCase(t, tt.level, tt.rule), tt.split)
			env := &Env{Target: target, Config: testConfig()}
			if tt.name == "slow drip" {
				env.Config.Limits.Deadline = 300 * time.Millisecond
			}
			got := runOne(context.Background(), c, env)
			if got.Verdict != tt.want || !strings.Contains(got.Reason, tt.inWhy) {
				t.Errorf("%s: verdict %s, reason %q; want %s with %q", tt.reason, got.Verdict, got.Reason, tt.want, tt.inWhy)
			}
			if testing.Verbose() && got.Wire != nil {
				t.Log(reports.WireText(got.Wire))
			}
			if got.Wire == nil {
				t.Errorf("no wire log")
			}
			if tt.split {
				sends := 0
				for _, e := range got.Wire.Events {
					if e.Kind == reports.Send {
						sends++
					}
				}
				if want := len(testCase(t, tt.level, tt.rule).Bytes()); sends != want || got.ID != "test-case@split" {
					t.Errorf("split check %q made %d writes, want %q and %d", got.ID, sends, "test-case@split", want)
				}
			}
		})
	}
}

// TestRuleResponses checks how many responses a probe waits for.
func TestRuleResponses(t *testing.T) {
	tests := []struct {
		rule string
		want int
	}{
		{"accept", 1},
		{"reject then close | close", 1},
		{"accept then accept then close", 2},
		{"wait | reject", 1},
		{"close", 0},
		{"accept | accept then accept then accept", 3},
	}
	for _, tt := range tests {
		c := testCase(t, "MUST", tt.rule)
		if got := ruleResponses(c.Server); got != tt.want {
			t.Errorf("ruleResponses(%q) = %d, want %d", tt.rule, got, tt.want)
		}
	}
}

// TestFilter checks check selection and its validation.
func TestFilter(t *testing.T) {
	checks := []*Check{
		{ID: "a-1", Suite: SuiteCorpus, Level: reports.Must},
		{ID: "a-2", Suite: SuiteCorpus, Level: reports.ShouldNot},
		{ID: "b-1", Suite: SuitePipelining, Level: reports.Must},
		{ID: "t-1", Suite: SuiteTimeouts, Level: reports.NoLevel},
	}
	ids := func(cs []*Check) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		reason string
		filter Filter
		want   []string
	}{
		{"all", "an empty filter keeps everything", Filter{}, []string{"a-1", "a-2", "b-1", "t-1"}},
		{"suite", "by suite", Filter{Suites: []string{SuitePipelining, SuiteTimeouts}}, []string{"b-1", "t-1"}},
		{"glob", "ids by pattern", Filter{Only: []string{"a-*"}}, []string{"a-1", "a-2"}},
		{"several globs", "any pattern may match", Filter{Only: []string{"*-2", "t-?"}}, []string{"a-2", "t-1"}},
		{"should", "SHOULD NOT counts as SHOULD", Filter{Levels: []reports.Level{reports.Should}}, []string{"a-2"}},
		{"none", "NoLevel selects checks without a level", Filter{Levels: []reports.Level{reports.NoLevel}}, []string{"t-1"}},
		{"combined", "all conditions hold", Filter{Suites: []string{SuiteCorpus}, Levels: []reports.Level{reports.Must}}, []string{"a-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.filter.Validate(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(Select(checks, tt.filter))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
	for _, bad := range []struct {
		f    Filter
		want string
	}{
		{Filter{Suites: []string{"corpse"}}, `unknown suite "corpse"`},
		{Filter{Only: []string{"[a"}}, `bad pattern "[a"`},
		{Filter{Levels: []reports.Level{reports.MustNot}}, `unknown level "MUST NOT"`},
	} {
		if err := bad.f.Validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Validate(%+v) = %v, want an error with %q", bad.f, err, bad.want)
		}
	}
}

// TestGrade checks the verdict for each level.
func TestGrade(t *testing.T) {
	for level, want := range map[reports.Level]reports.Verdict{
		reports.Must: reports.Fail, reports.MustNot: reports.Fail, reports.Should: reports.Warn,
		reports.ShouldNot: reports.Warn, reports.May: reports.Info, reports.NoLevel: reports.Info,
	} {
		if got := grade(level, false); got != want {
			t.Errorf("grade(%q, false) = %s, want %s", level, got, want)
		}
		if got := grade(level, true); got != reports.Pass {
			t.Errorf("grade(%q, true) = %s, want pass", level, got)
		}
	}
}

// TestAllChecks checks the catalogue: ids unique, every check graded
// against something, a split variant per corpus check.
func TestAllChecks(t *testing.T) {
	plain, err := All(false)
	if err != nil {
		t.Fatal(err)
	}
	split, err := All(true)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	corpusChecks := 0
	for _, c := range split {
		if seen[c.ID] {
			t.Errorf("duplicate check id %q", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Family == "" || (c.run == nil) == (c.batch == nil) || !c.Level.Valid() {
			t.Errorf("check %q is incomplete: %+v", c.ID, c)
		}
	}
	for _, c := range plain {
		if c.Suite == SuiteCorpus {
			corpusChecks++
			if !seen[c.ID+splitSuffix] {
				t.Errorf("no split variant of %q", c.ID)
			}
		}
	}
	if got, want := len(split), len(plain)+corpusChecks; got != want {
		t.Errorf("%d checks with split, want %d (%d plain, %d corpus)", got, want, len(plain), corpusChecks)
	}
	for _, s := range Suites() {
		if len(Select(plain, Filter{Suites: []string{s}})) == 0 {
			t.Errorf("suite %s has no checks", s)
		}
	}
}

// TestHarnessProblem checks which exchanges cannot be judged against the
// RFC and how they are explained.
func TestHarnessProblem(t *testing.T) {
	lim := probe.Limits{Deadline: 2 * time.Second, MaxBytes: 1000}
	partial := []probe.Response{{Status: 200, HeadComplete: true}}
	done := []probe.Response{{Status: 200, HeadComplete: true, Complete: true}}
	tests := []struct {
		name   string
		reason string
		res    probe.Result
		want   reports.Verdict // "" when the exchange can be judged
		inWhy  string
	}{
		{"dial", "no connection", probe.Result{End: probe.EndDialError, Err: errors.New("refused")}, reports.Error, "could not connect: refused"},
		{"read", "a read failure", probe.Result{End: probe.EndReadError, Err: errors.New("boom")}, reports.Error, "reading the answer failed"},
		{"canceled", "the run stopped", probe.Result{End: probe.EndCanceled}, reports.Error, "canceled"},
		{"cap", "an endless body", probe.Result{End: probe.EndCap}, reports.Error, "more than 1000 bytes"},
		{"still sending", "the deadline passed before the probe had sent everything", probe.Result{End: probe.EndDeadline, Chunks: 10, ChunksSent: 4}, reports.Error, "4 of 10 pieces sent"},
		{"mid-response", "a response was still coming", probe.Result{End: probe.EndDeadline, Chunks: 1, ChunksSent: 1, Responses: partial}, reports.Error, "still sending a response"},
		{"between responses", "a complete answer and an open connection are an observation", probe.Result{End: probe.EndDeadline, Chunks: 1, ChunksSent: 1, Responses: done}, "", ""},
		{"closed", "the target closed: an observation", probe.Result{End: probe.EndClosed}, "", ""},
		{"write error", "a target that closed while the probe sent: an observation", probe.Result{End: probe.EndDeadline, Chunks: 3, ChunksSent: 1, WriteErr: errors.New("broken pipe")}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, why, bad := harnessProblem(&tt.res, lim)
			if bad != (tt.want != "") || v != tt.want || !strings.Contains(why, tt.inWhy) {
				t.Errorf("%s: harnessProblem = %q, %q, %v; want %q with %q", tt.reason, v, why, bad, tt.want, tt.inWhy)
			}
		})
	}
}

// slowFirstTry is a target that stays silent on its first connection until
// the probe gives up on it, and answers at once on later ones: a target
// slower than the idle wait, without depending on the clock.
func slowFirstTry() func(net.Conn) {
	var conns atomic.Int32
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		readHead(br)
		if conns.Add(1) == 1 {
			io.Copy(io.Discard, br) // until the probe closes
			return
		}
		io.WriteString(c, ok200)
		io.Copy(io.Discard, br)
	}
}
