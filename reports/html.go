package reports

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
)

//go:embed templates/report.html.tmpl templates/report.css
var templateFS embed.FS

// Display limits of the HTML report; the results JSON keeps everything the
// probe kept.
const (
	htmlDataCap = 8 << 10 // bytes of one wire chunk shown as text
	htmlHexCap  = 512     // bytes of one wire chunk shown as a hex dump
)

// WriteHTML writes r as one self-contained HTML page: inline CSS, no
// scripts, no network. It shows a verdict banner, a summary per target by
// requirement level and by family, a matrix of checks by target when
// several targets ran, and a detail block per check with its verdict,
// reason, RFC links and wire log. Every byte that came from a target is
// escaped.
func WriteHTML(w io.Writer, r *Results) error {
	css, err := templateFS.ReadFile("templates/report.css")
	if err != nil {
		return err
	}
	tmpl, err := template.New("report.html.tmpl").Funcs(template.FuncMap{
		"verdicts": Verdicts,
		"add1":     func(n int) int { return n + 1 },
		"plural":   plural,
		"add2":     func(n int) int { return n + 2 },
	}).ParseFS(templateFS, "templates/report.html.tmpl")
	if err != nil {
		return err
	}
	page := buildPage(r)
	page.CSS = template.CSS(css)
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, page); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// page is what the template renders.
type page struct {
	CSS       template.CSS
	Banner    banner
	Runs      []runView
	Totals    Counts
	Summaries []summaryView
	Findings  []checkView // fail, error and warn checks, worst first
	Matrix    *matrixView // nil with fewer than two targets
	Families  []familyView
	Targets   []Target
}

type banner struct {
	Class string // verdict class for its colour
	Title string
	Text  string
}

type runView struct {
	Version  string
	Started  string
	Duration string
	Targets  string
	Flags    string
	Source   string
}

type summaryView struct {
	Target   Target
	Total    Counts
	Bar      []barPart
	ByLevel  []groupView
	ByFamily []groupView
}

type groupView struct {
	Name   string
	Anchor string // family anchor, empty for levels
	Counts Counts
	Bar    []barPart
}

type barPart struct {
	Verdict Verdict
	N       int
}

type matrixView struct {
	Targets []Target
	Groups  []matrixGroup
}

type matrixGroup struct {
	Family string
	Anchor string
	Rows   []matrixRow
}

type matrixRow struct {
	ID    string
	Title string
	Level Level
	Cells []matrixCell
}

type matrixCell struct {
	Verdict Verdict // empty: the check did not run against this target
	Anchor  string
	Reason  string
}

type familyView struct {
	Name   string
	Anchor string
	Counts Counts
	Checks []checkView
}

type checkView struct {
	Check
	Anchor     string
	Open       bool
	ShowTarget bool
	Address    string
	Duration   string
	Wire       *wireView
}

type wireView struct {
	Events  []eventView
	Summary string
}

type eventView struct {
	At     string
	Kind   EventKind
	Label  string
	Lines  [][]segment // data as escaped lines
	Cut    string      // note about bytes not shown
	Hex    []string    // hex dump lines
	HexCut string
}

// segment is a run of bytes shown as text, or one control byte shown with
// its escape (Ctl), whose Title names it.
type segment struct {
	Text  string
	Ctl   bool
	Title string
}

func buildPage(r *Results) *page {
	p := &page{Totals: Tally(r.Checks), Targets: r.Targets}
	p.Banner = makeBanner(r, p.Totals)
	for _, run := range r.Runs {
		p.Runs = append(p.Runs, makeRunView(run))
	}
	for _, s := range Summarize(r) {
		sv := summaryView{Target: s.Target, Total: s.Total, Bar: bar(s.Total)}
		for _, g := range s.ByLevel {
			sv.ByLevel = append(sv.ByLevel, groupView{Name: g.Name, Counts: g.Counts, Bar: bar(g.Counts)})
		}
		for _, g := range s.ByFamily {
			sv.ByFamily = append(sv.ByFamily, groupView{Name: g.Name, Anchor: familyAnchor(g.Name), Counts: g.Counts, Bar: bar(g.Counts)})
		}
		p.Summaries = append(p.Summaries, sv)
	}
	tindex := map[string]int{}
	addr := map[string]string{}
	for i, t := range r.Targets {
		tindex[t.Name] = i
		addr[t.Name] = t.Address
	}
	// Group checks by family, then by id; within an id, by target column.
	type idGroup struct {
		id     string
		checks []*Check
	}
	type famGroup struct {
		name string
		ids  []*idGroup
		byID map[string]*idGroup
	}
	var fams []*famGroup
	byFam := map[string]*famGroup{}
	for i := range r.Checks {
		c := &r.Checks[i]
		f := byFam[c.Family]
		if f == nil {
			f = &famGroup{name: c.Family, byID: map[string]*idGroup{}}
			byFam[c.Family] = f
			fams = append(fams, f)
		}
		g := f.byID[c.ID]
		if g == nil {
			g = &idGroup{id: c.ID}
			f.byID[c.ID] = g
			f.ids = append(f.ids, g)
		}
		g.checks = append(g.checks, c)
	}
	several := len(r.Targets) > 1
	if several {
		p.Matrix = &matrixView{Targets: r.Targets}
	}
	for _, f := range fams {
		fv := familyView{Name: f.name, Anchor: familyAnchor(f.name)}
		var mg matrixGroup
		if several {
			mg = matrixGroup{Family: f.name, Anchor: fv.Anchor}
		}
		for _, g := range f.ids {
			slices.SortStableFunc(g.checks, func(a, b *Check) int { return tindex[a.Target] - tindex[b.Target] })
			var row matrixRow
			if several {
				row = matrixRow{ID: g.id, Title: g.checks[0].Title, Level: g.checks[0].Level, Cells: make([]matrixCell, len(r.Targets))}
			}
			for _, c := range g.checks {
				fv.Counts.Add(c.Verdict)
				cv := checkView{
					Check:      *c,
					Anchor:     checkAnchor(tindex[c.Target], c.ID),
					Open:       c.Verdict == Fail || c.Verdict == Warn || c.Verdict == Error,
					ShowTarget: several,
					Address:    addr[c.Target],
					Duration:   formatDuration(c.Duration.D()),
				}
				if c.Wire != nil {
					cv.Wire = makeWireView(c.Wire)
				}
				fv.Checks = append(fv.Checks, cv)
				if several {
					if i, ok := tindex[c.Target]; ok {
						row.Cells[i] = matrixCell{Verdict: c.Verdict, Anchor: cv.Anchor, Reason: c.Reason}
					}
				}
			}
			if several {
				mg.Rows = append(mg.Rows, row)
			}
		}
		p.Families = append(p.Families, fv)
		for _, cv := range fv.Checks {
			if cv.Open {
				p.Findings = append(p.Findings, cv)
			}
		}
		if several {
			p.Matrix.Groups = append(p.Matrix.Groups, mg)
		}
	}
	rank := map[Verdict]int{Fail: 0, Error: 1, Warn: 2}
	slices.SortStableFunc(p.Findings, func(a, b checkView) int { return rank[a.Verdict] - rank[b.Verdict] })
	return p
}

func makeBanner(r *Results, c Counts) banner {
	switch ExitCode(r) {
	case ExitFound:
		return banner{Class: "fail", Title: "Non-conformance found",
			Text: fmt.Sprintf("%s failed: a MUST-level requirement was broken. %s", plural(c.Fail, "check", "checks"), others(c))}
	case ExitHarness:
		return banner{Class: "error", Title: "Incomplete: the harness could not decide every check",
			Text: fmt.Sprintf("%s ended in error and none failed. %s", plural(c.Error, "check", "checks"), others(c))}
	}
	if c.Total() == 0 {
		return banner{Class: "skip", Title: "No checks", Text: "These results hold no checks."}
	}
	return banner{Class: "pass", Title: "No MUST-level requirement broken",
		Text: fmt.Sprintf("No check failed. %s", others(c))}
}

// others summarises the counts in a sentence.
func others(c Counts) string {
	var parts []string
	for _, v := range Verdicts() {
		if n := c.Of(v); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return fmt.Sprintf("%s in all: %s.", plural(c.Total(), "check", "checks"), strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func makeRunView(run Run) runView {
	rv := runView{
		Version:  run.Version,
		Duration: formatDuration(run.Duration.D()),
		Targets:  strings.Join(run.Targets, ", "),
		Source:   run.Source,
	}
	if rv.Version == "" {
		rv.Version = run.Tool
	}
	if !run.Started.IsZero() {
		rv.Started = run.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	var keys []string
	for k := range run.Flags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var flags []string
	for _, k := range keys {
		flags = append(flags, "--"+k+"="+run.Flags[k])
	}
	rv.Flags = strings.Join(flags, " ")
	return rv
}

func bar(c Counts) []barPart {
	var parts []barPart
	for _, v := range []Verdict{Fail, Error, Warn, Pass, Info, Skip} {
		if n := c.Of(v); n > 0 {
			parts = append(parts, barPart{Verdict: v, N: n})
		}
	}
	return parts
}

// familyAnchor and checkAnchor make fragment identifiers from names that
// may hold any character: letters, digits, '-', '.' and '_' are kept,
// every other byte becomes _XX.
func familyAnchor(name string) string { return "family-" + anchorSafe(name) }

func checkAnchor(target int, id string) string {
	return fmt.Sprintf("check-%d-%s", target, anchorSafe(id))
}

func anchorSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02X", c)
		}
	}
	return b.String()
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func makeWireView(w *Wire) *wireView {
	wv := &wireView{Summary: fmt.Sprintf("%s sent, %s received; %s.",
		plural(int(w.Sent), "byte", "bytes"), plural(int(w.Received), "byte", "bytes"), closerText(w.ClosedBy))}
	for _, e := range w.Events {
		ev := eventView{
			At:   fmt.Sprintf("+%.3f ms", float64(e.At.D())/float64(time.Millisecond)),
			Kind: e.Kind,
		}
		n := int64(len(e.Data)) + e.Omitted
		switch e.Kind {
		case Send:
			ev.Label = "→ sent " + plural(int(n), "byte", "bytes")
		case Recv:
			ev.Label = "← received " + plural(int(n), "byte", "bytes")
		case EOF:
			ev.Label = "target closed the connection"
		case Reset:
			ev.Label = "target reset the connection"
		case Close:
			ev.Label = "probe closed the connection"
		case Fault:
			ev.Label = "error"
		case Note:
			ev.Label = "note"
		}
		if e.Text != "" {
			ev.Label += ": " + e.Text
		}
		data := []byte(e.Data)
		if len(data) > htmlDataCap {
			ev.Cut = fmt.Sprintf("… %s more not shown here (they are in the results JSON)", plural(len(data)-htmlDataCap, "byte", "bytes"))
			data = data[:htmlDataCap]
		}
		if e.Omitted > 0 {
			if ev.Cut != "" {
				ev.Cut += "; "
			} else {
				ev.Cut = "… "
			}
			ev.Cut += fmt.Sprintf("%s past the log's cap were not kept", plural(int(e.Omitted), "byte", "bytes"))
		}
		ev.Lines = textLines(data)
		if hex := []byte(e.Data); unusual(hex) {
			if len(hex) > htmlHexCap {
				ev.HexCut = fmt.Sprintf("first %d of %d bytes", htmlHexCap, len(hex))
				hex = hex[:htmlHexCap]
			}
			ev.Hex = hexDump(hex)
		}
		wv.Events = append(wv.Events, ev)
	}
	return wv
}

func closerText(c Closer) string {
	switch c {
	case ClosedByTarget:
		return "the target closed the connection"
	case ClosedByReset:
		return "the target reset the connection"
	case ClosedByProbe:
		return "the probe closed the connection"
	case NotConnected:
		return "no connection was made"
	}
	return "closed by " + string(c)
}

var ctlNames = map[byte]string{
	0x00: "NUL", 0x07: "BEL", 0x08: "BS", '\t': "HTAB", '\n': "LF", 0x0b: "VT",
	0x0c: "FF", '\r': "CR", 0x1b: "ESC", 0x7f: "DEL",
}

// textLines splits data into lines after each LF and each line into text
// runs and control bytes. Printable ASCII is text; CR, LF and HTAB show as
// \r \n \t, every other byte as \xNN, each with its hex value as title.
func textLines(data []byte) [][]segment {
	var lines [][]segment
	var line []segment
	var text []byte
	flush := func() {
		if len(text) > 0 {
			line = append(line, segment{Text: string(text)})
			text = text[:0]
		}
	}
	for _, c := range data {
		if c >= 0x20 && c < 0x7f {
			text = append(text, c)
			continue
		}
		flush()
		var esc string
		switch c {
		case '\r':
			esc = `\r`
		case '\n':
			esc = `\n`
		case '\t':
			esc = `\t`
		default:
			esc = fmt.Sprintf(`\x%02x`, c)
		}
		title := fmt.Sprintf("0x%02X", c)
		if name, ok := ctlNames[c]; ok {
			title += " " + name
		}
		line = append(line, segment{Text: esc, Ctl: true, Title: title})
		if c == '\n' {
			lines = append(lines, line)
			line = nil
		}
	}
	flush()
	if len(line) > 0 {
		lines = append(lines, line)
	}
	return lines
}

// unusual reports whether data holds a byte other than printable ASCII,
// CR, LF and HTAB: only then does a hex dump show more than the text.
func unusual(data []byte) bool {
	for _, c := range data {
		if (c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t' {
			return true
		}
	}
	return false
}

// hexDump renders data as lines of 16 bytes: offset, hex, ASCII.
func hexDump(data []byte) []string {
	var lines []string
	for off := 0; off < len(data); off += 16 {
		row := data[off:min(off+16, len(data))]
		var b strings.Builder
		fmt.Fprintf(&b, "%08x  ", off)
		for i := 0; i < 16; i++ {
			if i == 8 {
				b.WriteByte(' ')
			}
			if i < len(row) {
				fmt.Fprintf(&b, "%02x ", row[i])
			} else {
				b.WriteString("   ")
			}
		}
		b.WriteString(" |")
		for _, c := range row {
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('|')
		lines = append(lines, b.String())
	}
	return lines
}
