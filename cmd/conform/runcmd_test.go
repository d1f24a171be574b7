package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/conformhttp/conform/internal/engine"
	"github.com/conformhttp/conform/internal/testnet"
	"github.com/conformhttp/conform/reports"
	"github.com/google/go-cmp/cmp"
)

// fakeServer listens on loopback and answers every request head with
// resp; it returns the address. Cleanup stops it.
func fakeServer(t *testing.T, resp string) string {
	t.Helper()
	return testnet.Serve(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				if _, err := io.WriteString(c, resp); err != nil {
					return
				}
			}
		}
	})
}

// mustRejectCase returns the id of a corpus check whose rule is "reject"
// at level MUST: a server that answers 200 to it fails.
func mustRejectCase(t *testing.T) string {
	t.Helper()
	all, err := engine.All(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.Suite == engine.SuiteCorpus && c.Expected == "reject" && c.Level == reports.Must {
			return c.ID
		}
	}
	t.Fatal("the corpus has no MUST case with the rule \"reject\"")
	return ""
}

func TestRunCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	got := runConform(t, t.Context(), []string{"run", "--suite", "pipelining", "--json", "out.json", "--junit", "junit.xml"}, "")
	if got.Code != ExitOK {
		t.Fatalf("conform run against the reference server: exit %d\nstdout: %q\nstderr: %q", got.Code, got.Stdout, got.Stderr)
	}
	dir, _ := filepath.Abs(defaultReportDir)
	out, _ := filepath.Abs("out.json")
	junit, _ := filepath.Abs("junit.xml")
	wantTail := []string{
		"report:  " + filepath.Join(dir, reportHTML),
		"results: " + filepath.Join(dir, reportJSON),
		"results: " + out,
		"junit:   " + junit,
	}
	if len(got.Stdout) < len(wantTail) {
		t.Fatalf("stdout %q too short", got.Stdout)
	}
	if diff := cmp.Diff(wantTail, got.Stdout[len(got.Stdout)-len(wantTail):]); diff != "" {
		t.Errorf("run names the files it wrote (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.Stdout[0], "reference (127.0.0.1:") || !strings.HasSuffix(got.Stdout[0], "): 4 pass") {
		t.Errorf("first line %q, want the reference server's counts: 4 pass", got.Stdout[0])
	}
	if !slices.ContainsFunc(got.Stderr, func(s string) bool { return strings.HasPrefix(s, "conform run: 4/4 checks") }) {
		t.Errorf("stderr %q has no plain progress line for the last check", got.Stderr)
	}
	res, err := reports.ReadFile(filepath.Join(dir, reportJSON))
	if err != nil {
		t.Fatal(err)
	}
	again, err := reports.ReadFile("out.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res, again); diff != "" {
		t.Errorf("--json writes the same results as the report directory (-want +got):\n%s", diff)
	}
	run := res.Runs[0]
	if diff := cmp.Diff([]any{"conform", []string{"reference"}, "fast", "pipelining", 4}, []any{run.Tool, run.Targets, run.Flags["timeouts"], run.Flags["suite"], len(res.Checks)}); diff != "" {
		t.Errorf("run metadata (-want +got):\n%s", diff)
	}
	for _, f := range []string{filepath.Join(dir, reportHTML), "junit.xml"} {
		if b, err := os.ReadFile(f); err != nil || len(b) == 0 {
			t.Errorf("%s: %v, %d bytes", f, err, len(b))
		}
	}
}

func TestRunExitCodes(t *testing.T) {
	id := mustRejectCase(t)
	tests := []struct {
		name   string
		reason string
		args   func() []string
		code   int
		line   string // a line of stdout that must appear, with the address as ADDR
	}{
		{"fail", "a server that accepts what it must reject: non-conformance, exit 3",
			func() []string {
				return []string{"--target", fakeServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), "--only", id}
			}, ExitFound, "  fail  " + id + ": answered 200"},
		{"pass", "a server that rejects: exit 0",
			func() []string {
				return []string{"--target", fakeServer(t, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), "--only", id}
			}, ExitOK, ""},
		{"named", "NAME=HOST:PORT labels the target in the summary",
			func() []string {
				return []string{"--target", "myserver=" + fakeServer(t, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), "--only", id}
			}, ExitOK, "myserver ("},
		{"unreachable", "nothing listening: the harness could not decide, exit 1",
			func() []string { return []string{"--target", testnet.ClosedAddr(t), "--only", id} }, ExitHarness, "  error " + id + ": could not connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			got := runConform(t, t.Context(), append([]string{"run"}, tt.args()...), "")
			if got.Code != tt.code {
				t.Errorf("%s: exit %d, want %d\nstdout: %q", tt.reason, got.Code, tt.code, got.Stdout)
			}
			if tt.line != "" && !slices.ContainsFunc(got.Stdout, func(s string) bool { return strings.HasPrefix(s, tt.line) }) {
				t.Errorf("stdout %q has no line starting %q", got.Stdout, tt.line)
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the message on stderr
	}{
		{"timeouts", []string{"--timeouts", "slow"}, `unknown timeouts mode "slow"; use fast`},
		{"target without port", []string{"--target", "localhost"}, "give the target as HOST:PORT"},
		{"target without host", []string{"--target", ":80"}, "no host"},
		{"bad port", []string{"--target", "127.0.0.1:99999"}, `port "99999" is not a number from 1 to 65535`},
		{"twice", []string{"--target", "127.0.0.1:1", "--target", "127.0.0.1:1"}, "given twice"},
		{"named without port", []string{"--target", "x=localhost"}, "give the target as HOST:PORT"},
		{"reference as a name", []string{"--target", "reference=127.0.0.1:80"}, "is the embedded server's"},
		{"suite", []string{"--suite", "corpus,bogus"}, `unknown suite "bogus"; the suites are corpus, pipelining, connect, timeouts, features`},
		{"level", []string{"--level", "must,could"}, `unknown level "could"`},
		{"pattern", []string{"--only", "[x"}, `bad pattern "[x"`},
		{"parallel", []string{"--parallel", "0"}, "1 or more"},
		{"duration", []string{"--headers-timeout", "soon"}, "positive duration"},
		{"argument", []string{"127.0.0.1:80"}, "run takes no arguments"},
		{"no match", []string{"--only", "no-such-check-*"}, `no check matches --suite "" --only "no-such-check-*"`},
		{"empty report dir", []string{"--report", ""}, "--report needs a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runConform(t, t.Context(), append([]string{"run"}, tt.args...), "")
			if got.Code != ExitUsage || len(got.Stderr) == 0 || !strings.Contains(got.Stderr[len(got.Stderr)-1], tt.want) {
				t.Errorf("conform run %q: exit %d, stderr %q; want exit 2 and a message with %q", tt.args, got.Code, got.Stderr, tt.want)
			}
		})
	}
}

func TestListCommand(t *testing.T) {
	got := runConform(t, t.Context(), []string{"list", "--suite", "pipelining"}, "")
	if got.Code != ExitOK {
		t.Fatalf("exit %d, stderr %q", got.Code, got.Stderr)
	}
	all, err := engine.All(false)
	if err != nil {
		t.Fatal(err)
	}
	want := engine.Select(all, engine.Filter{Suites: []string{engine.SuitePipelining}})
	if len(got.Stdout) != len(want)+1 || !strings.HasPrefix(got.Stdout[0], "ID") {
		t.Fatalf("list printed %q; want a heading and %d checks", got.Stdout, len(want))
	}
	for i, c := range want {
		fields := strings.Fields(got.Stdout[i+1])
		if fields[0] != c.ID || fields[1] != "pipelining/pipelining" || fields[2] != "MUST" || fields[3] != "9112" {
			t.Errorf("line %q: want id %s, pipelining/pipelining, MUST, RFC 9112 ...", got.Stdout[i+1], c.ID)
		}
	}
	if diff := cmp.Diff([]string{"4 checks"}, got.Stderr); diff != "" {
		t.Errorf("count on stderr (-want +got):\n%s", diff)
	}
	split := runConform(t, t.Context(), []string{"list", "--split", "--suite", "corpus", "--only", "*@split"}, "")
	plain := runConform(t, t.Context(), []string{"list", "--suite", "corpus"}, "")
	if len(split.Stdout) != len(plain.Stdout) || len(split.Stdout) < 2 {
		t.Errorf("--split lists a split variant of each of the %d corpus checks; got %d lines", len(plain.Stdout)-1, len(split.Stdout)-1)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name string, r *reports.Results) {
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := reports.WriteJSON(f, r); err != nil {
			t.Fatal(err)
		}
	}
	results := func(target string, v reports.Verdict) *reports.Results {
		return &reports.Results{
			Runs:    []reports.Run{{Tool: "conform", Targets: []string{target}}},
			Targets: []reports.Target{{Name: target, Address: target}},
			Checks:  []reports.Check{{ID: "c", Suite: "corpus", Family: "f", Target: target, Level: reports.Must, Verdict: v, Reason: "r"}},
		}
	}
	write("a.json", results("127.0.0.1:1", reports.Pass))
	write("b.json", results("127.0.0.1:2", reports.Fail))
	got := runConform(t, t.Context(), []string{"report", "a.json", "b.json", "-o", "merged", "--junit", "j.xml"}, "")
	if got.Code != ExitOK {
		t.Fatalf("exit %d, stderr %q", got.Code, got.Stderr)
	}
	want := []string{
		"127.0.0.1:1 (127.0.0.1:1): 1 pass",
		"127.0.0.1:2 (127.0.0.1:2): 1 fail",
		"report:  " + filepath.Join(dir, "merged", reportHTML),
		"results: " + filepath.Join(dir, "merged", reportJSON),
		"junit:   " + filepath.Join(dir, "j.xml"),
	}
	if diff := cmp.Diff(want, got.Stdout); diff != "" {
		t.Errorf("report output (-want +got):\n%s", diff)
	}
	html, err := os.ReadFile(filepath.Join("merged", reportHTML))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<section id="matrix">`) {
		t.Errorf("two files with two targets make a matrix")
	}
	merged, err := reports.ReadFile(filepath.Join("merged", reportJSON))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.json", "b.json"}, []string{merged.Runs[0].Source, merged.Runs[1].Source}); diff != "" {
		t.Errorf("merged runs name their files (-want +got):\n%s", diff)
	}

	for _, bad := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report"}, ExitUsage, "report needs at least one results file"},
		{[]string{"report", "missing.json"}, ExitHarness, "missing.json"},
		{[]string{"report", "a.json", "-o", ""}, ExitUsage, "-o needs a directory"},
	} {
		got := runConform(t, t.Context(), bad.args, "")
		if got.Code != bad.code || len(got.Stderr) == 0 || !strings.Contains(got.Stderr[len(got.Stderr)-1], bad.want) {
			t.Errorf("conform %q: exit %d, stderr %q; want %d and %q", bad.args, got.Code, got.Stderr, bad.code, bad.want)
		}
	}
	if err := os.WriteFile("bad.json", []byte(`{"schema": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := runConform(t, t.Context(), []string{"report", "bad.json"}, ""); got.Code != ExitHarness || !strings.Contains(strings.Join(got.Stderr, "\n"), "schema 7") {
		t.Errorf("a file of another schema: exit %d, stderr %q", got.Code, got.Stderr)
	}
}

func TestRunInterrupted(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got := runConform(t, ctx, []string{"run", "--suite", "pipelining"}, "")
	if got.Code != ExitHarness || len(got.Stderr) == 0 || !strings.Contains(got.Stderr[len(got.Stderr)-1], "interrupted") {
		t.Errorf("a canceled run: exit %d, stderr %q; want 1 and a message saying it was interrupted", got.Code, got.Stderr)
	}
	res, err := reports.ReadFile(filepath.Join(defaultReportDir, reportJSON))
	if err != nil {
		t.Fatalf("an interrupted run still writes its results: %v", err)
	}
	for _, c := range res.Checks {
		if c.Verdict != reports.Skip {
			t.Errorf("%s: %s, want skip (not run)", c.ID, c.Verdict)
		}
	}
}
