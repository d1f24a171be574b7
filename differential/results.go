package differential

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/reports"
)

// Suite is the suite name of differential checks in results.
const Suite = "differential"

// Sides names the two sides of the result in words: "ours" and the oracle
// for a parser comparison; the parser and the server for a server's
// comparison with its parser; the two servers for ServersOracle.
func (r Result) Sides() (ours, theirs string) {
	switch r.Oracle {
	case OursServerOracle:
		return "our parser", "our server"
	case NetHTTPServerOracle:
		return "net/http's parser", "net/http's server"
	case ServersOracle:
		return "our server", "net/http's server"
	}
	return "ours", r.Oracle
}

// Verdict grades the result: pass when the oracles agree (both reading the
// input alike, or both refusing it), info when every disagreement is on
// the known list, fail when one is not.
func (r Result) Verdict() reports.Verdict {
	switch {
	case len(r.Unknown()) > 0:
		return reports.Fail
	case r.Class.Disagrees() || len(r.Differences) > 0:
		return reports.Info
	}
	return reports.Pass
}

// KnownIDs returns the ids of the entries that cover the result, in the
// order they first apply.
func (r Result) KnownIDs() []string {
	var ids []string
	add := func(id string) {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(r.RejectionKnown)
	for _, d := range r.Differences {
		add(d.Known)
	}
	return ids
}

// Reason says in words what the comparison found.
func (r Result) Reason(known *KnownList) string {
	var b strings.Builder
	x, y := r.Sides()
	switch r.Class {
	case ClassAgree:
		fmt.Fprintf(&b, "%s and %s agree: %s", x, y, r.Ours)
	case ClassBothReject:
		fmt.Fprintf(&b, "both refuse the input: %s %s; %s %s", x, r.Ours, y, r.Theirs)
	case ClassOnlyOursRejects, ClassOnlyTheirsRejects, ClassDiffer:
		fmt.Fprintf(&b, "%s", r.Class)
		if r.Danger != DangerNone {
			fmt.Fprintf(&b, " (danger %s)", r.Danger)
		}
		fmt.Fprintf(&b, ": %s %s; %s %s", x, r.Ours, y, r.Theirs)
	}
	if n := len(r.Differences); n > 0 {
		fmt.Fprintf(&b, "; %d difference(s): ", n)
		parts := make([]string, n)
		for i, d := range r.Differences {
			parts[i] = d.String()
		}
		b.WriteString(strings.Join(parts, "; "))
	}
	if u := r.Unknown(); len(u) > 0 {
		fmt.Fprintf(&b, ". NOT ON THE KNOWN LIST: %s", strings.Join(u, "; "))
	}
	for _, id := range r.KnownIDs() {
		k, ok := known.Lookup(id)
		if !ok {
			continue
		}
		fmt.Fprintf(&b, ". Known difference %s (%s, right: %s): %s", k.ID, refsText(k.RFC), k.Right, k.Why)
	}
	return b.String()
}

// Check returns the result in the results model of package reports: the
// input's id and description, the oracle as the target, the verdict, and a
// wire log of the bytes given to both parsers with each one's reading as
// notes.
func (r Result) Check(known *KnownList) reports.Check {
	title := r.Input.Title
	if title == "" {
		title = r.Input.Type.String() + " stream " + r.Input.Name
	}
	family := r.Input.Family
	if family == "" {
		family = Suite
	}
	refs := slices.Clone(r.Input.RFC)
	for _, id := range r.KnownIDs() {
		if k, ok := known.Lookup(id); ok {
			for _, ref := range k.RFC {
				if !slices.Contains(refs, ref) {
					refs = append(refs, ref)
				}
			}
		}
	}
	return reports.Check{
		ID:       r.Input.Name,
		Suite:    Suite,
		Family:   family,
		Title:    title,
		Target:   r.Oracle,
		RFC:      refs,
		Level:    r.Input.Level,
		Verdict:  r.Verdict(),
		Reason:   r.Reason(known),
		Wire:     r.wire(),
		Duration: reports.Millis(r.Duration),
	}
}

// wire is the wire log of a parser-level comparison: one send of the
// input, the end of the stream, and each side's reading.
func (r Result) wire() *reports.Wire {
	w := &reports.Wire{
		Events:   []reports.WireEvent{{Kind: reports.Send, Data: reports.Bytes(r.Input.Data)}},
		ClosedBy: reports.ClosedByProbe,
		Sent:     int64(len(r.Input.Data)),
	}
	if r.Input.EOF {
		w.Events = append(w.Events, reports.WireEvent{Kind: reports.Close, Text: "the stream ends here (EOF)"})
	} else {
		w.Events = append(w.Events, reports.WireEvent{Kind: reports.Note, Text: "the stream stays open after these bytes"})
	}
	x, y := r.Sides()
	w.Events = append(w.Events,
		reports.WireEvent{Kind: reports.Note, Text: x + ": " + r.Ours.String()},
		reports.WireEvent{Kind: reports.Note, Text: y + ": " + r.Theirs.String()})
	return w
}

// String summarises the outcome in words: "2 messages (GET /a, GET /b),
// ends clean".
func (o Outcome) String() string {
	var b strings.Builder
	switch len(o.Messages) {
	case 0:
		b.WriteString("no message")
	case 1:
		b.WriteString("1 message (")
	default:
		fmt.Fprintf(&b, "%d messages (", len(o.Messages))
	}
	for i, m := range o.Messages {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 3 && len(o.Messages) > 4 {
			fmt.Fprintf(&b, "... %d more", len(o.Messages)-3)
			break
		}
		b.WriteString(m.brief())
	}
	if len(o.Messages) > 0 {
		b.WriteString(")")
	}
	b.WriteString(", ")
	switch o.End.Kind {
	case EndRejected:
		b.WriteString(endText(o.End))
		if o.Consumed >= 0 {
			b.WriteString(" at offset " + strconv.FormatInt(o.Consumed, 10))
		}
	case EndTruncated:
		b.WriteString("then EOF inside a message (" + endText(o.End) + ")")
	case EndIncomplete:
		b.WriteString("then an unfinished message waiting for more bytes")
	case EndUpgrade:
		b.WriteString("then the protocol switches")
		if o.Consumed >= 0 {
			b.WriteString(" at offset " + strconv.FormatInt(o.Consumed, 10))
		}
	case EndClosed:
		b.WriteString("then the connection closes; the bytes after it are not read")
	default:
		b.WriteString("ends clean")
	}
	return b.String()
}

// brief renders a message's start line and body size: "GET /a" or
// "200 +5 bytes".
func (m Message) brief() string {
	var s string
	if m.Status != 0 {
		s = strconv.Itoa(m.Status)
	} else {
		s = m.Method + " " + quoteIfOdd(m.Target)
	}
	if len(m.Body) > 0 {
		s += " +" + strconv.Itoa(len(m.Body)) + "B body"
	}
	return s
}

// quoteIfOdd quotes s with visible escapes when it holds bytes that would
// not print plainly.
func quoteIfOdd(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' {
			return strconv.Quote(s)
		}
	}
	return s
}

func refsText(refs []reports.Ref) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// DescribeOracle says what the oracle of a result is, for the targets of a
// results file.
func DescribeOracle(name string) string {
	switch name {
	case "ours":
		return "conform's parser (impl/parser)"
	case "nethttp":
		return "Go's net/http (http.ReadRequest and http.ReadResponse), compared with conform's parser"
	case "node":
		return "llhttp as Node.js runs it (its HTTPParser binding), compared with conform's parser"
	case OursServerOracle:
		return "conform's server (impl/server) on loopback, compared with conform's parser"
	case NetHTTPServerOracle:
		return "a net/http server on loopback, compared with net/http's ReadRequest"
	case ServersOracle:
		return "conform's server compared with a net/http server, on loopback"
	}
	return name + ", compared with conform's parser"
}

// Tally counts results by class, and the results with unknown
// disagreements.
type Tally struct {
	ByClass map[Class]int
	Unknown int
	Total   int
}

// Add counts r.
func (t *Tally) Add(r Result) {
	if t.ByClass == nil {
		t.ByClass = map[Class]int{}
	}
	t.ByClass[r.Class]++
	t.Total++
	if len(r.Unknown()) > 0 {
		t.Unknown++
	}
}

func (t Tally) String() string {
	parts := make([]string, 0, len(Classes()))
	for _, c := range Classes() {
		parts = append(parts, fmt.Sprintf("%s %d", c, t.ByClass[c]))
	}
	return fmt.Sprintf("%d comparisons: %s; %d not on the known list", t.Total, strings.Join(parts, ", "), t.Unknown)
}
