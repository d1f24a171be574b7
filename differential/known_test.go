package differential

import (
	"slices"
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
)

func TestLoadKnown(t *testing.T) {
	l, err := LoadKnown()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) == 0 {
		t.Fatal("known.txt has no entries")
	}
	for _, k := range l.Entries {
		if len(k.RFC) == 0 || k.Right == "" || k.Why == "" || k.Title == "" {
			t.Errorf("%s (line %d): entry lacks rfc, right, why or title", k.ID, k.Line)
		}
	}
}

func TestParseKnownErrors(t *testing.T) {
	const good = "title: t\nrfc: RFC 9112 §2.2\nright: both\nwhy: w\n"
	tests := []struct {
		name, reason, text, want string
	}{
		{"no-matcher", "an entry must say what it covers", "id: a\n" + good, "neither class nor path"},
		{"agree-class", "agreement needs no entry", "id: a\n" + good + "class: agree\n", "class agree is agreement"},
		{"class-without-path", "a differ entry without a path covers nothing", "id: a\n" + good + "class: differ\n", "covers nothing"},
		{"missing-why", "every entry explains itself", "id: a\ntitle: t\nrfc: RFC 9112 §2.2\nright: both\nclass: only-ours-rejects\n", "has no why"},
		{"bad-right", "right names a side", "id: a\n" + strings.Replace(good, "both", "mine", 1) + "class: only-ours-rejects\n", "want ours, theirs, both or neither"},
		{"bad-rfc", "rfc is a section reference", "id: a\n" + strings.Replace(good, "RFC 9112 §2.2", "9112", 1) + "class: only-ours-rejects\n", "not a section reference"},
		{"bad-regexp", "matchers are regular expressions", "id: a\n" + good + "class: only-ours-rejects\nours: (\n", "not a regular expression"},
		{"bad-oracle", "oracles are named", "id: a\n" + good + "class: only-ours-rejects\noracle: curl\n", "unknown oracle"},
		{"unknown-key", "typos are caught", "id: a\n" + good + "class: only-ours-rejects\nclas: x\n", "unknown key"},
		{"duplicate-id", "ids are unique", "id: a\n" + good + "class: only-ours-rejects\nid: a\n" + good + "class: only-ours-rejects\n", "duplicate id"},
		{"key-twice", "a key is given once", "id: a\n" + good + "class: only-ours-rejects\nclass: differ\n", "class given twice"},
		{"before-id", "every entry starts with its id", good, "before the first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKnown("k.txt", tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseKnown: error %v, want one containing %q: %s", err, tt.want, tt.reason)
			}
			if err != nil && !strings.Contains(err.Error(), "k.txt:") {
				t.Errorf("ParseKnown: error %v does not name the file and line", err)
			}
		})
	}
}

func TestKnownApply(t *testing.T) {
	const text = `
id: reject-method
title: t
rfc: RFC 9110 §9.1
right: theirs
why: w
oracle: nethttp
class: only-ours-rejects
ours: ^rejected HPE_INVALID_METHOD\b

id: cache-control
title: t
rfc: RFC 9111 §5.4
right: both
why: w
type: request
path: Messages[*].Header["Cache-Control"], Consumed
theirs: no-cache

id: only-pri
title: t
rfc: RFC 9113 §3.4
right: ours
why: w
input: ^PRI 
class: only-theirs-rejects
`
	l, err := ParseKnown("k.txt", text)
	if err != nil {
		t.Fatal(err)
	}
	req := Input{Type: parser.Request, Data: []byte("GET / HTTP/1.1\r\n\r\n")}
	tests := []struct {
		name, reason  string
		oracle        string
		in            Input
		ours, theirs  Outcome
		wantRejection string
		wantDiffs     []string
	}{
		{
			name: "rejection-covered", reason: "class, oracle and ours all match",
			oracle: "nethttp", in: req,
			ours: Outcome{End: End{Kind: EndRejected, Code: "HPE_INVALID_METHOD"}}, theirs: outcome(EndClean, 9, get),
			wantRejection: "reject-method",
		},
		{
			name: "rejection-other-oracle", reason: "the entry is for net/http only",
			oracle: "node", in: req,
			ours: Outcome{End: End{Kind: EndRejected, Code: "HPE_INVALID_METHOD"}}, theirs: outcome(EndClean, 9, get),
		},
		{
			name: "rejection-other-code", reason: "the ours pattern must match",
			oracle: "nethttp", in: req,
			ours: Outcome{End: End{Kind: EndRejected, Code: "HPE_INVALID_URL"}}, theirs: outcome(EndClean, 9, get),
		},
		{
			name: "rejection-input", reason: "the input pattern must match",
			oracle: "nethttp", in: req,
			ours: outcome(EndClean, 9, get), theirs: Outcome{End: End{Kind: EndRejected, Code: "x"}},
		},
		{
			name: "difference-covered", reason: "a path pattern with a wildcard and a value pattern",
			oracle: "nethttp", in: req,
			ours:      outcome(EndClean, 9, get),
			theirs:    outcome(EndClean, 9, with(get, func(m *Message) { m.Header = append(m.Header, Field{"Cache-Control", "no-cache"}) })),
			wantDiffs: []string{"cache-control"},
		},
		{
			name: "difference-type", reason: "the entry is for requests only",
			oracle: "nethttp", in: Input{Type: parser.Response},
			ours:      outcome(EndClean, 9, get),
			theirs:    outcome(EndClean, 9, with(get, func(m *Message) { m.Header = append(m.Header, Field{"Cache-Control", "no-cache"}) })),
			wantDiffs: []string{""},
		},
		{
			name: "difference-partly-covered", reason: "each difference needs its own cover",
			oracle: "nethttp", in: req,
			ours: outcome(EndClean, 9, get),
			theirs: outcome(EndClean, 9, with(get, func(m *Message) {
				m.Header = append(m.Header, Field{"Cache-Control", "no-cache"})
				m.Target = "/x"
			})),
			wantDiffs: []string{"", "cache-control"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Result{Input: tt.in, Oracle: tt.oracle, Ours: tt.ours, Theirs: tt.theirs, Comparison: Compare(tt.ours, tt.theirs)}
			l.Apply(&r)
			var diffs []string
			for _, d := range r.Differences {
				diffs = append(diffs, d.Known)
			}
			if r.RejectionKnown != tt.wantRejection {
				t.Errorf("rejection covered by %q, want %q: %s", r.RejectionKnown, tt.wantRejection, tt.reason)
			}
			if d := cmp.Diff(tt.wantDiffs, diffs); d != "" {
				t.Errorf("differences covered by (-want +got): %s\n%s", tt.reason, d)
			}
			if wantUnknown := slices.Contains(diffs, "") || r.Class.Disagrees() && r.Class != ClassDiffer && r.RejectionKnown == ""; wantUnknown != (len(r.Unknown()) > 0) {
				t.Errorf("Unknown() = %q, want it empty: %v", r.Unknown(), !wantUnknown)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"Consumed", "Consumed", true},
		{"Consumed", "Consumed2", false},
		{"Messages[*].Body", "Messages[0].Body", true},
		{"Messages[*].Body", "Messages[12].Body", true},
		{"Messages[*].Body", "Messages[0].Header", false},
		{"Messages[*]", "Messages[1]", true},
		{"Messages[*]", "Messages[1].Target", false},
		{"Messages[*]*", "Messages[1].Target", true},
		{`*["Via"]*`, `Messages[0].Header["Via"].Value`, true},
		{"*a*a*", "aa", true},
		{"*a*a*", "a", false},
	}
	for _, tt := range tests {
		if got := newGlob(tt.pattern).match(tt.s); got != tt.want {
			t.Errorf("glob %q matches %q = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// TestKnownEntriesUsed checks that every entry of known.txt still covers
// something in the corpus or testdata/inputs.txt, at the parser or the
// server level: an entry that covers
// nothing is stale (the parser or an oracle changed) and must go, or get
// an input in testdata that shows it. Entries for Node are checked only
// when node is installed.
func TestKnownEntriesUsed(t *testing.T) {
	known, err := LoadKnown()
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := CorpusInputs()
	if err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, loadTestdataInputs(t)...)
	oracles := testOracles(t)
	haveNode := slices.ContainsFunc(oracles, func(o Oracle) bool { return o.Name() == "node" })
	d := &Differ{Others: oracles, Known: known}
	used := map[string]bool{}
	for _, in := range inputs {
		results, err := d.Check(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			for _, id := range r.KnownIDs() {
				used[id] = true
			}
		}
	}
	servers, err := StartServers()
	if err != nil {
		t.Fatal(err)
	}
	defer servers.Close()
	for _, in := range inputs {
		if in.Resolve().Type != parser.Request {
			continue
		}
		results, err := servers.Check(t.Context(), in, known)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			for _, id := range r.KnownIDs() {
				used[id] = true
			}
		}
	}
	for _, k := range known.Entries {
		if used[k.ID] {
			continue
		}
		if !haveNode && len(k.Oracles) == 1 && k.Oracles[0] == "node" {
			continue
		}
		t.Errorf("known.txt:%d: entry %s covers no corpus case and no testdata input; remove it, or add an input that shows it to %s", k.Line, k.ID, testdataInputs)
	}
}
