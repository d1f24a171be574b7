package engine

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/conformhttp/conform/reports"
	"github.com/google/go-cmp/cmp"
)

func checkByID(t *testing.T, checks []*Check, id string) *Check {
	t.Helper()
	for _, c := range checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %q", id)
	return nil
}

// pathResponse answers a request line with a body that names its target,
// so that responses to different paths differ in length.
func pathResponse(line string) string {
	parts := strings.Fields(line)
	target := ""
	if len(parts) > 1 {
		target = parts[1]
	}
	status := "200 OK"
	if strings.HasPrefix(target, missingPrefix) {
		status = "404 Not Found"
	}
	body := "you asked for " + target
	if len(parts) > 0 && parts[0] == "HEAD" {
		return fmt.Sprintf("HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n", status, len(body))
	}
	return fmt.Sprintf("HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n%s", status, len(body), body)
}

// batchAnswer reads requests until the client pauses, then answers them all:
// in order, reversed, or only the first few.
func batchAnswer(order func(lines []string) []string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			var lines []string
			line, err := readHead(br)
			if err != nil {
				return
			}
			lines = append(lines, line)
			for br.Buffered() > 0 {
				if line, err = readHead(br); err != nil {
					return
				}
				lines = append(lines, line)
			}
			var out strings.Builder
			for _, l := range order(lines) {
				out.WriteString(pathResponse(l))
			}
			if _, err := io.WriteString(c, out.String()); err != nil {
				return
			}
		}
	}
}

func inOrder(lines []string) []string { return lines }

func reversed(lines []string) []string {
	out := slices.Clone(lines)
	slices.Reverse(out)
	return out
}

// TestPipelining grades the pipelining checks against targets that answer
// in order, out of order, partly, or not at all.
func TestPipelining(t *testing.T) {
	checks := pipelineChecks()
	tests := []struct {
		name   string
		reason string
		check  string
		handle func(net.Conn)
		want   reports.Verdict
		inWhy  string
	}{
		{"in order", "responses match those the requests got alone", "pipeline-order", batchAnswer(inOrder), reports.Pass, "in order"},
		{"reversed", "a target that answers pipelined requests backwards fails", "pipeline-order", batchAnswer(reversed), reports.Fail, "out of order"},
		{"indistinguishable", "when every request gets the same empty answer, order cannot be told", "pipeline-order", answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), reports.Info, "cannot be told"},
		{"stall", "answering the first and waiting with the connection open fails", "pipeline-burst-32", batchAnswer(func(l []string) []string { return l[:1] }), reports.Fail, "answered 1 of 32"},
		{"close early", "answering some and closing is allowed", "pipeline-burst-32", func(c net.Conn) {
			readHead(bufio.NewReader(c))
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		}, reports.Info, "closed the connection"},
		{"HEAD framing", "a HEAD response with a body misframes what follows", "pipeline-head-get", func(c net.Conn) {
			br := bufio.NewReader(c)
			for {
				if _, err := readHead(br); err != nil {
					return
				}
				if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"); err != nil {
					return
				}
			}
		}, reports.Fail, "not valid HTTP/1.x"},
		{"split second", "a request split across segments is answered", "pipeline-split-second", batchAnswer(inOrder), reports.Pass, "all 2 responses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runCheck(t, checkByID(t, checks, tt.check), serve(t, tt.handle))
			if got.Verdict != tt.want || !strings.Contains(got.Reason, tt.inWhy) {
				t.Errorf("%s: verdict %s, reason %q; want %s with %q", tt.reason, got.Verdict, got.Reason, tt.want, tt.inWhy)
			}
		})
	}
}

// TestConnect grades the CONNECT checks.
func TestConnect(t *testing.T) {
	checks := connectChecks()
	tests := []struct {
		name   string
		reason string
		check  string
		handle func(net.Conn)
		want   reports.Verdict
		inWhy  string
	}{
		{"tunnel", "a bare 2xx opens the tunnel", "connect-2xx-unframed", answer("HTTP/1.1 200 Connection Established\r\n\r\n"), reports.Pass, "neither"},
		{"framed 2xx", "Content-Length on a 2xx to CONNECT is forbidden", "connect-2xx-unframed", answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), reports.Fail, "Content-Length: 0"},
		{"refused", "a server that is not a proxy may refuse", "connect-2xx-unframed", answer("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"), reports.Info, "answered 405"},
		{"closed", "or close", "connect-2xx-unframed", func(c net.Conn) { readHead(bufio.NewReader(c)) }, reports.Info, "closed the connection"},
		{"GET first", "the GET before the CONNECT is answered first", "connect-after-pipelined-get", batchAnswer(inOrder), reports.Pass, "answered 200 in full"},
		{"GET dropped", "closing without answering the GET is information", "connect-after-pipelined-get", func(c net.Conn) { readHead(bufio.NewReader(c)) }, reports.Info, "without answering the GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runCheck(t, checkByID(t, checks, tt.check), serve(t, tt.handle))
			if got.Verdict != tt.want || !strings.Contains(got.Reason, tt.inWhy) {
				t.Errorf("%s: verdict %s, reason %q; want %s with %q", tt.reason, got.Verdict, got.Reason, tt.want, tt.inWhy)
			}
		})
	}
}

// pipeTarget is a target reached through in-memory pipes, each served by
// handle in its own goroutine: under testing/synctest its timeouts and the
// probe's run on the bubble's fake clock. wait waits for the handlers.
func pipeTarget(handle func(net.Conn)) (target Target, wait func()) {
	var wg sync.WaitGroup
	target = Target{Name: "pipe", Addr: "pipe.test:80"}
	target.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		client, srv := net.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer srv.Close()
			handle(srv)
		}()
		return client, nil
	}
	return target, wg.Wait
}

// TestTimeouts grades the timeout checks against targets whose timeouts
// are said to be short, on synctest's fake clock: the waits take no time
// and no scheduling delay can make a target look slow.
func TestTimeouts(t *testing.T) {
	checks := timeoutChecks()
	short := Timeouts{Headers: 50 * time.Millisecond, Request: 50 * time.Millisecond, KeepAlive: 50 * time.Millisecond}
	// closeAfter reads what comes for d, then answers resp (if any) and
	// closes: a target with a timeout of d.
	closeAfter := func(d time.Duration, resp string) func(net.Conn) {
		return func(c net.Conn) {
			go io.Copy(io.Discard, c)
			time.Sleep(d) // the target's behaviour: its timeout
			io.WriteString(c, resp)
		}
	}
	tests := []struct {
		name      string
		reason    string
		check     string
		handle    func(net.Conn)
		timeouts  Timeouts
		shortOnes bool
		mode      Mode
		want      reports.Verdict
		inWhy     string
	}{
		{"408 and close", "the target gives up as it should", "timeout-headers-incomplete", closeAfter(50*time.Millisecond, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), short, true, Fast, reports.Pass, "closed the connection 50ms after"},
		{"408 without close", "a 408 should announce the close", "timeout-headers-incomplete", closeAfter(50*time.Millisecond, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"), short, true, Fast, reports.Warn, "lacks Connection: close"},
		{"silent close", "closing without a 408 is fine", "timeout-request-body", closeAfter(50*time.Millisecond, ""), short, true, Fast, reports.Pass, "answers: no response"},
		{"too late", "a close after the wait is not seen", "timeout-request-body", closeAfter(2*time.Second, ""), short, true, Fast, reports.Info, "still open 1.1s after"},
		{"never", "a target that waits on is information", "timeout-keep-alive", answer(ok200), short, true, Fast, reports.Info, "still open"},
		{"drip", "a dripped head is cut off", "timeout-headers-drip", closeAfter(50*time.Millisecond, ""), short, true, Fast, reports.Pass, "closed the connection"},
		{"drip accepted", "a target that takes a dripped head for ever is information", "timeout-headers-drip", func(c net.Conn) { io.Copy(io.Discard, c) }, short, true, Fast, reports.Info, "still open"},
		{"real mode", "real mode waits for any target's stated timeouts", "timeout-request-body", closeAfter(50*time.Millisecond, ""), short, false, Real, reports.Pass, "closed the connection"},
		{"fast and live", "fast mode does not wait for a live target's timeouts", "timeout-keep-alive", answer(ok200), short, false, Fast, reports.Skip, "--timeouts real"},
		{"unknown", "a timeout not given is not waited for", "timeout-keep-alive", answer(ok200), Timeouts{}, false, Real, reports.Skip, "--keep-alive-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				target, wait := pipeTarget(tt.handle)
				defer wait()
				target.Timeouts, target.ShortTimeouts = tt.timeouts, tt.shortOnes
				cfg := Config{Mode: tt.mode}.withDefaults()
				got := runOne(context.Background(), checkByID(t, checks, tt.check), &Env{Target: target, Config: cfg})
				if got.Verdict != tt.want || !strings.Contains(got.Reason, tt.inWhy) {
					t.Errorf("%s: verdict %s, reason %q; want %s with %q", tt.reason, got.Verdict, got.Reason, tt.want, tt.inWhy)
				}
			})
		})
	}
}

// TestRun checks the runner: one result per check and target, in order;
// progress for each; a canceled run skips what has not started.
func TestRun(t *testing.T) {
	targets := []Target{serve(t, answer(ok200)), serve(t, answer(bad400))}
	targets[0].Name, targets[1].Name = "ok", "bad"
	var checks []*Check
	for _, id := range []string{"c1", "c2", "c3"} {
		c := corpusCheck(testCase(t, "MUST", "accept"), false)
		c.ID = id
		checks = append(checks, c)
	}
	var mu sync.Mutex
	var progress []int
	got := Run(context.Background(), checks, targets, RunOptions{Config: testConfig(), Parallel: 4, Progress: func(p Progress) {
		mu.Lock()
		progress = append(progress, p.Done)
		mu.Unlock()
		if p.Total != 6 {
			t.Errorf("progress total %d, want 6", p.Total)
		}
	}})
	var order []string
	for _, r := range got {
		order = append(order, fmt.Sprintf("%s@%s=%s", r.ID, r.Target, r.Verdict))
	}
	want := []string{"c1@ok=pass", "c1@bad=fail", "c2@ok=pass", "c2@bad=fail", "c3@ok=pass", "c3@bad=fail"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("results in check order, targets in order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6}, progress); diff != "" {
		t.Errorf("progress counts (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range Run(ctx, checks, targets, RunOptions{Config: testConfig()}) {
		if r.Verdict != reports.Skip || !strings.Contains(r.Reason, "canceled") {
			t.Errorf("canceled run: %s is %s (%q), want skip", r.ID, r.Verdict, r.Reason)
		}
	}
}

// TestReference runs every check but the features suite against the
// embedded reference server,
// reached through in-memory pipes on synctest's fake clock: each gets a
// valid verdict with a reason and a wire log, and the engine's own suites,
// written against the reference server's documented behaviour (pipelining
// in order, an echo tunnel for CONNECT, Node's timeouts), pass. Corpus
// verdicts depend on the server and the corpus; "conform run" reports
// them.
func TestReference(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, target := newReference(Fast)
		target.Addr = "reference.test:80"
		var wg sync.WaitGroup
		target.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			client, conn := net.Pipe()
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.ServeConn(conn)
			}()
			return client, nil
		}
		all, err := All(false)
		if err != nil {
			t.Fatal(err)
		}
		// The features suite dials TCP itself; TestFeaturesSuite runs it.
		checks := Select(all, Filter{Suites: []string{SuiteCorpus, SuitePipelining, SuiteConnect, SuiteTimeouts}})
		results := Run(context.Background(), checks, []Target{target}, RunOptions{Config: Config{Mode: Fast}})
		srv.Close()
		wg.Wait()
		if len(results) != len(checks) {
			t.Fatalf("%d results for %d checks", len(results), len(checks))
		}
		res := &reports.Results{Targets: []reports.Target{ReportTarget(target)}, Checks: results}
		if err := res.Validate(); err != nil {
			t.Errorf("results do not validate: %v", err)
		}
		for _, r := range results {
			if r.Reason == "" || r.Wire == nil || !r.Verdict.Valid() {
				t.Errorf("%s: verdict %q, reason %q, wire %v", r.ID, r.Verdict, r.Reason, r.Wire != nil)
			}
			if r.Suite != SuiteCorpus && r.Verdict != reports.Pass && r.Wire != nil {
				t.Errorf("%s against the reference server: %s: %s\n%s", r.ID, r.Verdict, r.Reason, reports.WireText(r.Wire))
			}
			if r.Verdict == reports.Error {
				t.Errorf("%s: harness error against the reference server: %s", r.ID, r.Reason)
			}
		}
	})
}

// TestFeaturesSuite runs the @live scenarios against the reference server
// over TCP: every scenario that is not @slow runs and gets a verdict with
// a wire log, and the @slow ones skip in fast mode.
func TestFeaturesSuite(t *testing.T) {
	target, stop, err := StartReference(Fast)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	all, err := All(false)
	if err != nil {
		t.Fatal(err)
	}
	checks := Select(all, Filter{Suites: []string{SuiteFeatures}})
	if len(checks) == 0 {
		t.Fatal("no @live scenarios")
	}
	for _, r := range Run(context.Background(), checks, []Target{target}, RunOptions{Config: Config{Mode: Fast}}) {
		c := checkByID(t, checks, r.ID)
		switch {
		case c.slow:
			if r.Verdict != reports.Skip || !strings.Contains(r.Reason, "--timeouts real") {
				t.Errorf("%s is @slow: %s (%q), want skip in fast mode", r.ID, r.Verdict, r.Reason)
			}
		case r.Verdict == reports.Skip || r.Verdict == reports.Error || r.Wire == nil || r.Reason == "":
			t.Errorf("%s: %s (%q), wire %v; want a graded scenario with its wire log", r.ID, r.Verdict, r.Reason, r.Wire != nil)
		}
		if !strings.HasPrefix(r.Family, "features/") {
			t.Errorf("%s: family %q, want features/FILE", r.ID, r.Family)
		}
	}
}
