package reports

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func renderHTML(t *testing.T, r *Results) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return buf.String()
}

// TestHTMLStructure checks that the page has its parts: the banner, a
// summary card per target, the matrix only with several targets, and one
// detail block per check.
func TestHTMLStructure(t *testing.T) {
	tests := []struct {
		name       string
		reason     string
		res        *Results
		cards      int
		matrix     bool
		matrixRows int
		banner     string
	}{
		{"two targets", "a fail on the second target", sampleResults(), 2, true, 7, `class="banner v-fail"`},
		{"one target", "no matrix for one column; errors on the first target are none", singleTarget(), 1, false, 0, `class="banner v-pass"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderHTML(t, tt.res)
			got := struct {
				Cards, Details, MatrixRows int
				Matrix, Banner, Summary    bool
			}{
				Cards:      strings.Count(page, `<article class="card">`),
				Details:    strings.Count(page, `<details class="check `),
				MatrixRows: strings.Count(page, `<tr><th class="idcol" title=`),
				Matrix:     strings.Contains(page, `<section id="matrix">`),
				Banner:     strings.Contains(page, tt.banner),
				Summary:    strings.Contains(page, `<section id="summary">`),
			}
			want := got
			want.Cards, want.Details, want.MatrixRows = tt.cards, len(tt.res.Checks), tt.matrixRows
			want.Matrix, want.Banner, want.Summary = tt.matrix, true, true
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("page parts (%s) (-want +got):\n%s", tt.reason, diff)
			}
			for _, c := range tt.res.Checks {
				if !strings.Contains(page, `id="`+checkAnchor(targetIndex(tt.res, c.Target), c.ID)+`"`) {
					t.Errorf("no detail block for %s @ %s", c.ID, c.Target)
				}
			}
		})
	}
}

func targetIndex(r *Results, name string) int {
	for i, t := range r.Targets {
		if t.Name == name {
			return i
		}
	}
	return -1
}

// TestHTMLEscapesHostileBytes checks that what a target sends cannot
// become markup: a <script> in a response, in a reason or in a title comes
// out escaped, and control bytes are shown as escapes.
func TestHTMLEscapesHostileBytes(t *testing.T) {
	r := singleTarget()
	c := &r.Checks[0]
	c.Title = `<img src=x onerror=alert(1)>`
	c.Reason = `</details><script>alert(2)</script>`
	c.Wire.Events[1].Data = []byte("HTTP/1.1 200 OK\r\n\r\n<script>alert(3)</script>\x00\x1b\xff")
	c.Wire.Events[1].Text = `<iframe src="//evil">`
	r.Targets[0].Description = `<style>body{display:none}</style>`
	page := renderHTML(t, r)
	tests := []struct {
		name   string
		reason string
		absent string
	}{
		{"script tag", "no script element at all", "<script"},
		{"img tag", "a title cannot inject an element", "<img"},
		{"iframe", "event text is escaped", "<iframe"},
		{"style from data", "only the page's own style element", "<style>body"},
		{"raw NUL", "control bytes are rendered as escapes", "\x00"},
		{"raw ESC", "terminal escapes do not reach the page", "\x1b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(page, tt.absent) {
				t.Errorf("page contains %q (%s)", tt.absent, tt.reason)
			}
		})
	}
	for _, want := range []string{
		"&lt;script&gt;alert(3)&lt;/script&gt;",
		`<span class="c" title="0x00 NUL">\x00</span>`,
		`<span class="c" title="0x1B ESC">\x1b</span>`,
		`<span class="c" title="0xFF">\xff</span>`,
		"&lt;/details&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped form %q", want)
		}
	}
}

// TestHTMLWellFormed checks that every element the template opens is
// closed, in order, and that the page is self-contained: no scripts, no
// external style sheets, images or fonts.
func TestHTMLWellFormed(t *testing.T) {
	void := map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "link": true, "input": true}
	tag := regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)
	for _, tt := range []struct {
		name string
		res  *Results
	}{{"two targets", sampleResults()}, {"one target", singleTarget()}, {"empty", &Results{}}} {
		t.Run(tt.name, func(t *testing.T) {
			page := renderHTML(t, tt.res)
			// The CSS holds '>' in selectors; check the markup around it.
			start, end := strings.Index(page, "<style>"), strings.Index(page, "</style>")
			if start < 0 || end < start {
				t.Fatalf("no style element")
			}
			body := page[:start+len("<style>")] + page[end:]
			var stack []string
			for _, m := range tag.FindAllStringSubmatch(body, -1) {
				name := strings.ToLower(m[2])
				switch {
				case void[name]:
				case m[1] == "":
					stack = append(stack, name)
				case len(stack) == 0 || stack[len(stack)-1] != name:
					t.Fatalf("</%s> closes %v", name, stack)
				default:
					stack = stack[:len(stack)-1]
				}
			}
			if len(stack) > 0 {
				t.Errorf("unclosed elements at the end: %v", stack)
			}
			for _, bad := range []string{"<script", "<link", " src=", "@import", "url(", "javascript:"} {
				if strings.Contains(page, bad) {
					t.Errorf("page contains %q: it must be self-contained and script-free", bad)
				}
			}
		})
	}
}

// TestHTMLWireRendering checks the text and hex views of a chunk and the
// notes about bytes cut off.
func TestHTMLWireRendering(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		event  WireEvent
		lines  int
		cut    string
		hexCut string
		hex    bool
	}{
		{"lines", "one line per LF; plain text needs no hex dump", WireEvent{Kind: Recv, Data: []byte("a\r\nb\r\nc")}, 3, "", "", false},
		{"omitted", "bytes past the log cap are announced", WireEvent{Kind: Recv, Data: []byte("x"), Omitted: 10}, 1, "… 10 bytes past the log's cap were not kept", "", false},
		{"control byte", "a byte outside text gets a hex dump", WireEvent{Kind: Recv, Data: []byte("a\x00")}, 1, "", "", true},
		{"long", "long chunks are cut for display", WireEvent{Kind: Send, Data: append(bytes.Repeat([]byte("y"), htmlDataCap+4), 0)}, 1, "… 5 bytes more not shown here (they are in the results JSON)", "first 512 of 8197 bytes", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wv := makeWireView(&Wire{ClosedBy: ClosedByProbe, Events: []WireEvent{tt.event}})
			ev := wv.Events[0]
			got := []any{len(ev.Lines), ev.Cut, ev.HexCut, len(ev.Hex) > 0}
			want := []any{tt.lines, tt.cut, tt.hexCut, tt.hex}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
	if diff := cmp.Diff([]string{"00000000  47 45 54 0d 0a 00                                 |GET...|"}, hexDump([]byte("GET\r\n\x00"))); diff != "" {
		t.Errorf("hex dump (-want +got):\n%s", diff)
	}
}

// TestAnchors checks that fragment identifiers are unique and safe for any
// id.
func TestAnchors(t *testing.T) {
	tests := []struct {
		name, id, want string
	}{
		{"plain", "te-cl-both", "check-0-te-cl-both"},
		{"odd bytes", `a b"<#>`, "check-0-a_20b_22_3C_23_3E"},
		{"underscore escaped", "a_20", "check-0-a_5F20"},
	}
	for _, tt := range tests {
		if got := checkAnchor(0, tt.id); got != tt.want {
			t.Errorf("%s: checkAnchor(%q) = %q, want %q", tt.name, tt.id, got, tt.want)
		}
	}
}

// TestJUnitParses reads the JUnit output back as XML and checks its counts
// against the verdicts.
func TestJUnitParses(t *testing.T) {
	r := sampleResults()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("JUnit output is not XML: %v", err)
	}
	c := Tally(r.Checks)
	type counts struct{ Suites, Tests, Failures, Errors, Skipped, SystemOut int }
	want := counts{Suites: 4, Tests: c.Total(), Failures: c.Fail, Errors: c.Error, Skipped: c.Skip, SystemOut: c.Warn + c.Info}
	g := counts{Suites: len(got.Suites), Tests: got.Tests, Failures: got.Failures, Errors: got.Errors, Skipped: got.Skipped}
	for _, s := range got.Suites {
		for _, tc := range s.Cases {
			if tc.SystemOut != "" {
				g.SystemOut++
			}
		}
	}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("JUnit counts (-want +got):\n%s", diff)
	}
	if !strings.Contains(buf.String(), `\x00\x1b[31m\xff\xfe`) {
		t.Errorf("JUnit failure text lacks the escaped control bytes")
	}
}
