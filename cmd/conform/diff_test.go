package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/conformhttp/conform/differential"
	"github.com/conformhttp/conform/reports"
	"github.com/google/go-cmp/cmp"
)

// noNode hides node from the command, so that its output does not depend
// on what is installed.
func noNode(t *testing.T) {
	t.Helper()
	t.Setenv("PATH", t.TempDir())
}

const (
	plainGet    = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	spaceColon  = "GET / HTTP/1.1\r\nHost : a\r\n\r\n"
	noteNoNode  = "conform diff: " + "node is not on PATH; the Node.js (llhttp) oracle is skipped"
	summaryZero = "nethttp: 1 comparisons: agree 1, both-reject 0, only-ours-rejects 0, only-theirs-rejects 0, differ 0; 0 not on the known list"
)

func TestDiffFiles(t *testing.T) {
	tests := []struct {
		name, reason string
		files        map[string]string
		args         []string
		stdin        string
		want         outcome
	}{
		{
			name:   "agree",
			reason: "a plain request reads alike: one line, the counts, exit 0",
			files:  map[string]string{"get.http": plainGet},
			args:   []string{"get.http"},
			want:   outcome{Code: ExitOK, Stdout: []string{"get.http  nethttp  agree", "", summaryZero}, Stderr: []string{noteNoNode}},
		},
		{
			name:   "known-disagreement",
			reason: "a space before the colon is refused by ours, read by net/http, and on the known list: exit 0",
			args:   []string{"-"},
			stdin:  spaceColon,
			want: outcome{Code: ExitOK, Stderr: []string{noteNoNode}, Stdout: []string{
				"<stdin>  nethttp  only-ours-rejects  known: nethttp-whitespace-in-field-name",
				"\tours:    no message, rejected HPE_INVALID_HEADER_TOKEN: Whitespace between header field name and colon at offset 20",
				"\tnethttp: 1 message (GET /), ends clean",
				"\tnethttp-whitespace-in-field-name: right: ours (RFC 9112 §5.1)",
				"",
				"nethttp: 1 comparisons: agree 0, both-reject 0, only-ours-rejects 1, only-theirs-rejects 0, differ 0; 0 not on the known list",
			}},
		},
		{
			name:   "escapes-and-finish",
			reason: "--escapes decodes the text, --finish ends the stream so a body read until EOF completes",
			files:  map[string]string{"resp.txt": "HTTP/1.1 200 OK\n\nbody"},
			args:   []string{"--escapes", "--finish", "resp.txt"},
			want:   outcome{Code: ExitOK, Stdout: []string{"resp.txt  nethttp  agree", "", summaryZero}, Stderr: []string{noteNoNode}},
		},
		{
			name:   "head",
			reason: "--head makes the first response bodiless: without it the Content-Length body is cut off by EOF and both refuse it",
			files:  map[string]string{"head.http": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"},
			args:   []string{"--head", "--finish", "--type", "response", "head.http"},
			want:   outcome{Code: ExitOK, Stdout: []string{"head.http  nethttp  agree", "", summaryZero}, Stderr: []string{noteNoNode}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noNode(t)
			writeFiles(t, tt.files)
			got := runConform(t, t.Context(), append([]string{"diff"}, tt.args...), tt.stdin)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("conform diff %s: %s (-want +got):\n%s", strings.Join(tt.args, " "), tt.reason, d)
			}
		})
	}
}

// TestDiffUnknown runs diff with an empty known list, so that a
// disagreement is unknown: it is flagged and the exit status is 3.
func TestDiffUnknown(t *testing.T) {
	noNode(t)
	writeFiles(t, map[string]string{"a.http": spaceColon})
	o, files, err := parseDiffFlags([]string{"a.http"})
	if err != nil {
		t.Fatal(err)
	}
	o.known = func() (*differential.KnownList, error) { return &differential.KnownList{}, nil }
	var stdout, stderr bytes.Buffer
	err = diff(t.Context(), &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}, o, files)
	if got := exitStatus(t, err); got != ExitFound {
		t.Errorf("exit status %d, want %d (an unknown disagreement)", got, ExitFound)
	}
	lines := splitLines(stdout.String())
	if len(lines) == 0 || lines[0] != "a.http  nethttp  only-ours-rejects  NOT ON THE KNOWN LIST" {
		t.Errorf("first line %q, want the comparison flagged as not on the known list", lines)
	}
	if want := "conform diff: 1 comparison(s) found a disagreement that is not on the known list (differential/known.txt)"; !slices.Contains(splitLines(stderr.String()), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

// TestDiffCorpus runs the whole corpus against net/http: every
// disagreement is on the known list.
func TestDiffCorpus(t *testing.T) {
	noNode(t)
	got := runConform(t, t.Context(), []string{"diff", "--corpus", "--oracle", "nethttp"}, "")
	if got.Code != ExitOK {
		t.Errorf("conform diff --corpus: exit %d, want 0; stderr %q", got.Code, got.Stderr)
	}
	if n := len(got.Stdout); n < 2 || !strings.HasSuffix(got.Stdout[n-1], "; 0 not on the known list") {
		t.Errorf("last line %q, want the counts with 0 not on the known list", got.Stdout[max(n-1, 0):])
	}
}

func TestDiffJSON(t *testing.T) {
	noNode(t)
	writeFiles(t, map[string]string{"get.http": plainGet, "colon.http": spaceColon})
	got := runConform(t, t.Context(), []string{"diff", "--json", "get.http", "colon.http"}, "")
	if got.Code != ExitOK {
		t.Fatalf("exit %d, want 0; stderr %q", got.Code, got.Stderr)
	}
	res, err := reports.ReadJSON("stdout", strings.NewReader(strings.Join(got.Stdout, "\n")))
	if err != nil {
		t.Fatalf("the output is not valid results JSON: %v", err)
	}
	type check struct {
		ID, Suite, Target string
		Verdict           reports.Verdict
		Sent              string
	}
	var checks []check
	for _, c := range res.Checks {
		sent := ""
		if c.Wire != nil && len(c.Wire.Events) > 0 {
			sent = string(c.Wire.Events[0].Data)
		}
		checks = append(checks, check{c.ID, c.Suite, c.Target, c.Verdict, sent})
	}
	want := []check{
		{"get.http", "differential", "nethttp", reports.Pass, plainGet},
		{"colon.http", "differential", "nethttp", reports.Info, spaceColon},
	}
	if d := cmp.Diff(want, checks); d != "" {
		t.Errorf("checks: agreement passes, a known disagreement is info, each with the bytes sent (-want +got):\n%s", d)
	}
	if len(res.Targets) != 1 || res.Targets[0].Name != "nethttp" || res.Schema != reports.Schema {
		t.Errorf("targets %+v, schema %d: want one target, nethttp, schema %d", res.Targets, res.Schema, reports.Schema)
	}
	if c := res.Checks[1]; !strings.Contains(c.Reason, "nethttp-whitespace-in-field-name") || len(c.RFC) == 0 {
		t.Errorf("the known disagreement's reason %q and RFC %v should name the entry and its section", c.Reason, c.RFC)
	}
}

func TestDiffUsage(t *testing.T) {
	tests := []struct {
		name, reason string
		args         []string
		code         int
		stderr       string
	}{
		{"corpus-and-files", "the corpus and files do not mix", []string{"--corpus", "a.http"}, ExitUsage, "--corpus reads the corpus cases"},
		{"unknown-oracle", "oracles are named", []string{"--oracle", "curl"}, ExitUsage, `unknown oracle "curl"`},
		{"bad-type", "only request or response", []string{"--type", "both"}, ExitUsage, "want request or response"},
		{"head-request", "--head is about responses", []string{"--head", "--type", "request"}, ExitUsage, "--head says how to read responses"},
		{"corpus-finish", "corpus cases carry their own settings", []string{"--corpus", "--finish"}, ExitUsage, "drop them with --corpus"},
		{"named-node-missing", "an oracle asked for by name must be there", []string{"--oracle", "node", "-"}, ExitHarness, "--oracle node: node is not on PATH"},
		{"missing-file", "an unreadable input is a harness error", []string{"no-such.http"}, ExitHarness, "no-such.http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noNode(t)
			writeFiles(t, nil)
			got := runConform(t, t.Context(), append([]string{"diff"}, tt.args...), plainGet)
			if got.Code != tt.code || !strings.Contains(strings.Join(got.Stderr, "\n"), tt.stderr) {
				t.Errorf("conform diff %s: exit %d, stderr %q; want %d and a message containing %q: %s",
					strings.Join(tt.args, " "), got.Code, got.Stderr, tt.code, tt.stderr, tt.reason)
			}
		})
	}
}

func TestDiffHelpDocumentsEveryFlag(t *testing.T) {
	doc, ok := commandHelp("diff")
	if !ok {
		t.Fatal("doc.go has no section for diff")
	}
	for _, f := range diffFlags(&diffOptions{}).flags {
		if !strings.Contains(doc, "\t--"+f.name) {
			t.Errorf("the diff documentation does not describe --%s in its flag list", f.name)
		}
		if !strings.Contains(doc, "[--"+f.name) {
			t.Errorf("the diff usage line does not show --%s", f.name)
		}
	}
	for _, c := range differential.Classes() {
		if !strings.Contains(doc, "\t"+string(c)+" ") {
			t.Errorf("the diff documentation does not explain class %s", c)
		}
	}
}

// TestDiffNode compares with Node when it is installed.
func TestDiffNode(t *testing.T) {
	n, err := differential.StartNode()
	if err != nil {
		t.Skipf("the Node oracle is not available: %v", err)
	}
	n.Close()
	writeFiles(t, map[string]string{"get.http": plainGet})
	got := runConform(t, t.Context(), []string{"diff", "--oracle", "node", "get.http"}, "")
	want := outcome{Code: ExitOK, Stdout: []string{"get.http  node  agree", "",
		"node: 1 comparisons: agree 1, both-reject 0, only-ours-rejects 0, only-theirs-rejects 0, differ 0; 0 not on the known list"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conform diff --oracle node (-want +got):\n%s", d)
	}
}

// TestDiffServers runs the server level: each server against its parser,
// and the servers against each other.
func TestDiffServers(t *testing.T) {
	noNode(t)
	writeFiles(t, map[string]string{"nohost.http": "GET / HTTP/1.1\r\n\r\n"})
	got := runConform(t, t.Context(), []string{"diff", "--oracle", "servers", "nohost.http"}, "")
	want := outcome{Code: ExitOK, Stdout: []string{
		"nohost.http  ours-server  only-theirs-rejects  known: ours-server-host-checks",
		"\tour parser: 1 message (GET /), ends clean",
		"\tour server: no message, rejected server: HTTP/1.1 request without a Host header field: 400 Bad Request",
		"\tours-server-host-checks: right: theirs (RFC 9112 §3.2)",
		"nohost.http  nethttp-server  only-theirs-rejects  known: nethttp-server-host-checks",
		"\tnet/http's parser: 1 message (GET /), ends clean",
		"\tnet/http's server: no message, rejected 400: 400 Bad Request: missing required Host header",
		"\tnethttp-server-host-checks: right: theirs (RFC 9112 §3.2)",
		"nohost.http  servers  both-reject",
		"",
		"ours-server: 1 comparisons: agree 0, both-reject 0, only-ours-rejects 0, only-theirs-rejects 1, differ 0; 0 not on the known list",
		"nethttp-server: 1 comparisons: agree 0, both-reject 0, only-ours-rejects 0, only-theirs-rejects 1, differ 0; 0 not on the known list",
		"servers: 1 comparisons: agree 0, both-reject 1, only-ours-rejects 0, only-theirs-rejects 0, differ 0; 0 not on the known list",
	}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conform diff --oracle servers on a request without Host: both servers refuse it as RFC 9112 §3.2 requires, while both parsers read it (-want +got):\n%s", d)
	}
}
