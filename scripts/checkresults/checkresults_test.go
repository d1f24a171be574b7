package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/conformhttp/conform/reports"
	"github.com/google/go-cmp/cmp"
)

// fixture builds results in the schema-1 shape, as conform run writes them.
type fixture struct {
	Schema  int            `json:"schema"`
	Runs    []any          `json:"runs"`
	Targets []target       `json:"targets"`
	Checks  []fixtureCheck `json:"checks"`
}

type fixtureCheck struct {
	ID         string       `json:"id"`
	Suite      string       `json:"suite"`
	Family     string       `json:"family"`
	Title      string       `json:"title"`
	Target     string       `json:"target"`
	RFC        []any        `json:"rfc"`
	Level      string       `json:"level"`
	Verdict    string       `json:"verdict"`
	Reason     string       `json:"reason"`
	Wire       *fixtureWire `json:"wire,omitempty"`
	DurationMS float64      `json:"duration_ms"`
}

type fixtureWire struct {
	Events   []event `json:"events"`
	ClosedBy string  `json:"closed_by"`
}

const (
	refName   = "reference"
	nginxName = "127.0.0.1:18080"
	nodeName  = "127.0.0.1:18081"
)

func mapping() map[string]string {
	return map[string]string{roleReference: refName, roleNginx: nginxName, roleNode: nodeName}
}

// answered is a wire log in which the target answered with status line sl.
func answered(sl string) *fixtureWire {
	return &fixtureWire{ClosedBy: "target", Events: []event{
		{Kind: "send", Data: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{Kind: "recv", Data: sl + "\r\nContent-Length: 0\r\n\r\n"},
		{Kind: "eof"},
	}}
}

// goodFixture holds every fact: each fact's checks on its target, with the
// first allowed verdict and the fact's status, the same ids on the other
// targets, and one passing MUST check on the reference.
func goodFixture() fixture {
	f := fixture{Schema: 1, Runs: []any{}, Targets: []target{
		{Name: refName, Address: "127.0.0.1:1"}, {Name: nginxName, Address: nginxName}, {Name: nodeName, Address: nodeName},
	}}
	byRole := mapping()
	type key struct{ target, id string }
	have := map[key]bool{}
	add := func(c fixtureCheck) {
		if have[key{c.Target, c.ID}] {
			return
		}
		have[key{c.Target, c.ID}] = true
		f.Checks = append(f.Checks, c)
	}
	var ids []string
	for _, ft := range facts() {
		for _, id := range ft.ids {
			status := ft.status
			if status == 0 {
				status = 200
			}
			add(fixtureCheck{ID: id, Suite: "corpus", Family: "fam", Title: "t", Target: byRole[ft.role], Level: "MUST",
				Verdict: ft.verdicts[0], Reason: "r", Wire: answered("HTTP/1.1 " + itoa(status) + " X")})
			ids = append(ids, id)
		}
	}
	ids = append(ids, "must-a")
	for _, t := range f.Targets {
		for _, id := range ids {
			add(fixtureCheck{ID: id, Suite: "corpus", Family: "fam", Title: "t", Target: t.Name, Level: "MUST",
				Verdict: "pass", Reason: "r", Wire: answered("HTTP/1.1 200 OK")})
		}
	}
	return f
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (f fixture) json(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f fixture) results(t *testing.T) *results {
	t.Helper()
	r, err := parseResults("fixture.json", f.json(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// with returns a copy of f in which the check id on target has verdict v
// and, when sl is not empty, a wire log answering sl.
func (f fixture) with(target, id, v, sl string) fixture {
	g := f
	g.Checks = append([]fixtureCheck(nil), f.Checks...)
	for i := range g.Checks {
		if g.Checks[i].Target == target && g.Checks[i].ID == id {
			g.Checks[i].Verdict = v
			if sl != "" {
				g.Checks[i].Wire = answered(sl)
			}
		}
	}
	return g
}

// failed lists the names of the outcomes that did not hold.
func failed(outs []outcome) []string {
	var names []string
	for _, o := range outs {
		if !o.ok {
			names = append(names, o.name)
		}
	}
	return names
}

func TestCheckFacts(t *testing.T) {
	good := goodFixture()
	tests := []struct {
		name   string
		reason string
		res    fixture
		want   []string // names of outcomes that fail
	}{
		{"all hold", "every fact's check has its verdict and status", good, nil},
		{"wrong verdict", "nginx accepting CL+TE must be caught", good.with(nginxName, "smuggle-cl-te", "fail", ""), []string{"nginx smuggle-cl-te"}},
		{"right verdict wrong status", "a 200 graded pass is a grading bug the status check catches", good.with(nodeName, "smuggle-te-cl", "pass", "HTTP/1.1 200 OK"), []string{"node smuggle-te-cl"}},
		{"no answer", "a check with nothing received has no status", good.with(nginxName, "cl-duplicate-different", "pass", "garbage"), []string{"nginx cl-duplicate-different"}},
		{"known deviation fixed", "a server that stops deviating breaks the fact (upgrade: re-verify)", good.with(nodeName, "version-1-1-two-hosts", "pass", ""), []string{"node version-1-1-two-hosts"}},
		{"pipelining out of order", "node answering out of order", good.with(nodeName, "pipeline-order", "fail", ""), []string{"node pipeline-order"}},
		{"reference MUST broken", "an unlisted MUST failure on the reference", good.with(refName, "must-a", "fail", ""), []string{"reference passes every MUST"}},
		{"reference known issue failing", "a listed known issue may fail", withCheck(good, refName, "cl-max-uint64", "fail"), nil},
		{"reference known issue passing", "a fixed known issue is reported, not failed", withCheck(good, refName, "upgrade-with-body", "pass"), nil},
		{"reference error", "the harness could not decide on our own server", good.with(refName, "must-a", "error", ""), []string{"reference passes every MUST", "reference has no error verdicts"}},
		{"hole in matrix", "a target that ran fewer checks", dropCheck(good, nodeName, "must-a"), []string{"every target ran the same checks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failed(checkFacts(tt.res.results(t), nil, mapping(), testIssues()))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: failed outcomes (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// withCheck adds a check to every target, with verdict v on target and
// pass elsewhere.
func withCheck(f fixture, target, id, v string) fixture {
	g := f
	g.Checks = append([]fixtureCheck(nil), f.Checks...)
	for _, t := range f.Targets {
		verdict := "pass"
		if t.Name == target {
			verdict = v
		}
		g.Checks = append(g.Checks, fixtureCheck{ID: id, Suite: "corpus", Family: "fam", Title: "t", Target: t.Name,
			Level: "MUST", Verdict: verdict, Reason: "r", Wire: answered("HTTP/1.1 200 OK")})
	}
	return g
}

func dropCheck(f fixture, target, id string) fixture {
	g := f
	g.Checks = nil
	for _, c := range f.Checks {
		if c.Target != target || c.ID != id {
			g.Checks = append(g.Checks, c)
		}
	}
	return g
}

func TestRecheck(t *testing.T) {
	good := goodFixture()
	undecided := good.with(nodeName, "pipeline-order", "error", "").with(nginxName, "pipeline-order", "error", "").with(nginxName, "smuggle-cl-te", "error", "").with(refName, "must-a", "error", "")
	tests := []struct {
		name, reason string
		recheck      *fixture
		want         []string // failed outcomes
		detail       string   // in the node pipeline-order outcome
	}{
		{"no recheck", "an error is not the verdict a fact wants", nil,
			[]string{"nginx smuggle-cl-te", "nginx pipeline-order", "node pipeline-order", "reference passes every MUST", "reference has no error verdicts"}, "error, first status 200"},
		{"recheck passes", "the second run decides the undecided checks", &good, nil, "error in the first run (r); rechecked: pass"},
		{"recheck fails", "a fail in the second run fails the fact", ptr(good.with(nodeName, "pipeline-order", "fail", "")), []string{"node pipeline-order"}, "rechecked: fail"},
		{"recheck errs again", "two errors leave the fact undecided, so it fails", ptr(good.with(nodeName, "pipeline-order", "error", "")), []string{"node pipeline-order"}, "rechecked: error"},
		{"reference errs again", "a reference check in error twice fails both reference outcomes", ptr(good.with(refName, "must-a", "error", "")),
			[]string{"reference passes every MUST", "reference has no error verdicts"}, "rechecked: pass"},
		{"reference fails on recheck", "a reference MUST that fails when rechecked is broken", ptr(good.with(refName, "must-a", "fail", "")),
			[]string{"reference passes every MUST"}, "rechecked: pass"},
		{"recheck lacks it", "a recheck that did not run the check", ptr(dropCheck(good, nodeName, "pipeline-order")), []string{"node pipeline-order"}, "the recheck did not run it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recheck *results
			if tt.recheck != nil {
				recheck = tt.recheck.results(t)
			}
			outs := checkFacts(undecided.results(t), recheck, mapping(), testIssues())
			if diff := cmp.Diff(tt.want, failed(outs)); diff != "" {
				t.Errorf("%s: failed outcomes (-want +got):\n%s", tt.reason, diff)
			}
			for _, o := range outs {
				if o.name == "node pipeline-order" && !strings.Contains(o.detail, tt.detail) {
					t.Errorf("%s: detail %q does not contain %q", tt.reason, o.detail, tt.detail)
				}
			}
		})
	}
	if diff := cmp.Diff([]string{"smuggle-cl-te", "pipeline-order", "must-a"}, undecidedFacts(undecided.results(t), mapping())); diff != "" {
		t.Errorf("undecidedFacts lists each errored fact check and reference check once, facts first (-want +got):\n%s", diff)
	}
	if got := undecidedFacts(good.results(t), mapping()); len(got) != 0 {
		t.Errorf("undecidedFacts of decided results = %q, want none", got)
	}
}

func ptr[T any](v T) *T { return &v }

func TestReferenceMustsDetail(t *testing.T) {
	tests := []struct {
		name, reason string
		res          fixture
		want         string
	}{
		{"known still failing", "names the known issues that still fail",
			withCheck(goodFixture(), refName, "cl-max-uint64", "fail"), "known issues still fail: cl-max-uint64"},
		{"known now passing", "asks for the entry to be removed",
			withCheck(goodFixture(), refName, "upgrade-chunked-body", "pass"), "remove their corpusIssues entry or @deviation tag): upgrade-chunked-body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs := checkReferenceMusts(tt.res.results(t), nil, refName, testIssues())
			if !strings.Contains(outs[0].detail, tt.want) {
				t.Errorf("%s: detail %q does not contain %q", tt.reason, outs[0].detail, tt.want)
			}
		})
	}
}

func TestParseResultsErrors(t *testing.T) {
	good := goodFixture()
	tests := []struct {
		name, reason string
		input        string
		want         string // in the error
	}{
		{"not json", "a truncated file", `{"schema": 1, "targets": [`, "not a results JSON object"},
		{"schema 2", "a later, incompatible schema", `{"schema": 2}`, "schema 2; this checker reads schema 1"},
		{"no schema", "something that is not a results file", `{"checks": []}`, "schema 0"},
		{"duplicate target", "two columns with one name", `{"schema": 1, "targets": [{"name": "a"}, {"name": "a"}]}`, `targets[1]: name "a" is empty or given twice`},
		{"unknown target", "a check whose target is not listed", `{"schema": 1, "targets": [{"name": "a"}], "checks": [{"id": "x", "target": "b", "verdict": "pass"}]}`, `checks[0] (x): target "b" is not in targets`},
		{"unknown verdict", "a verdict outside the schema", `{"schema": 1, "targets": [{"name": "a"}], "checks": [{"id": "x", "target": "a", "verdict": "ok"}]}`, `unknown verdict "ok"`},
		{"duplicate check", "one (target, id) twice", `{"schema": 1, "targets": [{"name": "a"}], "checks": [{"id": "x", "target": "a", "verdict": "pass"}, {"id": "x", "target": "a", "verdict": "fail"}]}`, "x @ a appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseResults("f.json", []byte(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want one containing %q", tt.reason, err, tt.want)
			}
		})
	}
	if _, err := parseResults("f.json", good.json(t)); err != nil {
		t.Errorf("the good fixture: %v", err)
	}
}

func TestFirstStatus(t *testing.T) {
	tests := []struct {
		name, reason string
		wire         *wire
		want         int
	}{
		{"none", "a skipped check has no wire", nil, 0},
		{"one chunk", "the usual case", &wire{Events: []event{{Kind: "send", Data: "GET"}, {Kind: "recv", Data: "HTTP/1.1 400 Bad Request\r\n"}}}, 400},
		{"split", "the status line arrives in pieces", &wire{Events: []event{{Kind: "recv", Data: "HTTP/1."}, {Kind: "note"}, {Kind: "recv", Data: "0 501 Not Implemented\r\n"}}}, 501},
		{"garbage", "an answer that is not HTTP", &wire{Events: []event{{Kind: "recv", Data: "SSH-2.0-x\r\n"}}}, 0},
		{"nothing received", "the target closed at once", &wire{Events: []event{{Kind: "send", Data: "GET"}, {Kind: "eof"}}}, 0},
		{"interim first", "the first response counts, even a 100", &wire{Events: []event{{Kind: "recv", Data: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"}}}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (check{Wire: tt.wire}).firstStatus(); got != tt.want {
				t.Errorf("%s: firstStatus() = %d, want %d", tt.reason, got, tt.want)
			}
		})
	}
}

// TestDOMOfRenderedReport renders the fixture with package reports, as
// conform run does, and checks the DOM hooks the script relies on: it
// fails when the templates change in a way checkDOM no longer reads.
func TestDOMOfRenderedReport(t *testing.T) {
	f := goodFixture()
	rr, err := reports.ReadJSON("fixture.json", bytes.NewReader(f.json(t)))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := reports.WriteHTML(&page, rr); err != nil {
		t.Fatal(err)
	}
	dom := page.String()
	res := f.results(t)
	tests := []struct {
		name, reason string
		dom          string
		want         []string
	}{
		{"as rendered", "the report of three targets has every part", dom, nil},
		{"no matrix", "a report without the matrix section", cut(dom, `<section id="matrix">`, `<section id="details">`),
			[]string{"matrix columns", "matrix rows (one per check id)", "matrix cells (one per check and target)"}},
		{"card missing", "one summary card fewer", strings.Replace(dom, `<article class="card">`, `<article class="gone">`, 1), []string{"summary cards"}},
		{"no banner", "the banner's id renamed", strings.Replace(dom, `id="banner"`, `id="top"`, 1), []string{"banner"}},
		{"details folded away", "no detail blocks", strings.ReplaceAll(dom, `<details class="check `, `<div class="check `), []string{"detail blocks (one per check and target)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failed(checkDOM(tt.dom, res))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: failed DOM checks (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// cut removes dom from the start of from up to the start of to.
func cut(dom, from, to string) string {
	i, j := strings.Index(dom, from), strings.Index(dom, to)
	if i < 0 || j < i {
		return dom
	}
	return dom[:i] + dom[j:]
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	write(t, good, goodFixture().json(t))
	write(t, bad, goodFixture().with(nginxName, "smuggle-cl-te", "fail", "HTTP/1.1 200 OK").json(t))
	undecided := filepath.Join(dir, "undecided.json")
	write(t, undecided, goodFixture().with(nodeName, "pipeline-order", "error", "").json(t))
	roles := []string{"-target", "reference=" + refName, "-target", "nginx=" + nginxName, "-target", "node=" + nodeName}
	tests := []struct {
		name, reason string
		args         []string
		code         int
		stdout       string // in stdout
		stderr       string // in stderr
	}{
		{"holds", "every fact holds", append([]string{"-results", good}, roles...), 0, "every check held", ""},
		{"fact broken", "nginx answering CL+TE with 200", append([]string{"-results", bad}, roles...), 1, "FAIL nginx smuggle-cl-te", ""},
		{"no results", "the results flag is required", roles, 2, "", "-results FILE is required"},
		{"missing role", "a fact about node would check nothing", []string{"-results", good, "-target", "reference=reference", "-target", "nginx=" + nginxName}, 2, "", "no -target for node"},
		{"unknown role", "a typo in a role", append([]string{"-results", good, "-target", "apache=1.2.3.4:80"}, roles...), 2, "", `unknown role "apache"`},
		{"role twice", "two targets for one role", append([]string{"-results", good, "-target", "node=x"}, roles...), 2, "", "role node given twice"},
		{"no such target", "a name the results do not have", []string{"-results", good, "-target", "reference=reference", "-target", "nginx=127.0.0.1:9", "-target", "node=" + nodeName}, 2, "", `no target named "127.0.0.1:9"`},
		{"missing file", "an unreadable results file", append([]string{"-results", filepath.Join(dir, "none.json")}, roles...), 2, "", "none.json"},
		{"missing dom", "an unreadable DOM file", append([]string{"-results", good, "-dom", filepath.Join(dir, "none.html")}, roles...), 2, "", "-dom"},
		{"dom broken", "a DOM without the report's parts", append([]string{"-results", good, "-dom", good}, roles...), 1, "FAIL banner", ""},
		{"undecided none", "nothing to recheck prints an empty line", append([]string{"-results", good, "-undecided"}, roles...), 0, "\n", ""},
		{"undecided one", "the errored fact check, ready for --only", append([]string{"-results", undecided, "-undecided"}, roles...), 0, "pipeline-order\n", ""},
		{"recheck decides", "the recheck file decides the errored fact", append([]string{"-results", undecided, "-recheck", good}, roles...), 0, "rechecked: pass", ""},
		{"recheck missing", "an unreadable recheck file", append([]string{"-results", undecided, "-recheck", filepath.Join(dir, "none.json")}, roles...), 2, "", "-recheck"},
		{"stray argument", "inputs are flags only", append([]string{"-results", good, "extra"}, roles...), 2, "", "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("%s: run = %d, want %d with %q in stdout and %q in stderr\nstdout:\n%s\nstderr:\n%s",
					tt.reason, code, tt.code, tt.stdout, tt.stderr, stdout.String(), stderr.String())
			}
		})
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testIssues stands in for corpusIssues with entries, so that the handling
// of known issues is tested whether or not any exist today.
func testIssues() map[string]string {
	return map[string]string{
		"cl-max-uint64":        "known for the test",
		"upgrade-with-body":    "known for the test",
		"upgrade-chunked-body": "known for the test",
	}
}
