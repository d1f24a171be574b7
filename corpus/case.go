package corpus

import (
	"fmt"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// Case is one message case: raw bytes, what the parser must make of them,
// and what a conforming live server may answer.
type Case struct {
	// ID is unique across the corpus and stable: reports and fuzz seeds
	// refer to cases by it.
	ID string
	// Title says in a few words what the input is.
	Title string
	// Reason says why the case exists: the rule it checks or the
	// smuggling vector it exercises.
	Reason string
	// RFC names the sections whose requirement the case checks.
	RFC []Ref
	// Level is the requirement level of that rule.
	Level Level
	// Type is the parser type the case is read with.
	Type parser.Type
	// Newline is what a plain line break in the raw block stands for.
	Newline Newline
	// Finish says the input ends with EOF: the parser's Finish is called
	// after the last byte.
	Finish bool
	// MaxHeaderSize is the parser's head limit for this case (0: the
	// parser's default).
	MaxHeaderSize int
	// Decide answers successive headers-complete events (for example
	// SkipBody for the response to a HEAD request); events beyond the list
	// get Proceed.
	Decide []parser.HeadersDecision
	// Expect is the hand-written strict outcome.
	Expect Expect
	// Trace is the golden strict trace (llhttp log lines), written by
	// "go test ./corpus -update"; nil when the file has none yet.
	Trace []string
	// Lenient lists outcomes under lenient modes, where they differ from
	// the strict one.
	Lenient []Variant
	// Server is what a conforming live server may answer to the bytes;
	// set for request cases, nil for response cases.
	Server *Rule
	// KnownDeviation, when set, says that the parser does not yet do what
	// Expect (the RFC) requires, and how; the corpus test then checks that
	// the deviation still exists, so that the note is removed once the
	// parser is fixed.
	KnownDeviation string

	// File and Line locate the case's "id:" line.
	File string
	Line int

	input []byte
	pos   casePos
}

// Variant is the outcome of a case under a set of lenient modes.
type Variant struct {
	Flags  parser.Lenient
	Expect Expect
	// Trace is the golden trace under Flags, nil when not yet written.
	Trace []string
	// Line is the line of the expectation: the "lenient" line, or the
	// "expect" line for the strict outcome.
	Line int
}

// casePos records where the parts the -update rewrite touches are.
type casePos struct {
	expect int        // the "expect:" line
	last   int        // last line that belongs to the case
	blocks []tracePos // trace blocks present in the file
	// orphans are trace blocks whose lenient line is gone (kept only
	// when parsing for -update, which removes them).
	orphans []tracePos
}

type tracePos struct {
	flags      parser.Lenient
	start, end int // the "trace...:" line and the block's last line
}

// Bytes returns a copy of the decoded input.
func (c *Case) Bytes() []byte { return append([]byte(nil), c.input...) }

// Config returns the parser configuration for the case under the lenient
// modes l.
func (c *Case) Config(l parser.Lenient) parser.Config {
	return parser.Config{Type: c.Type, Lenient: l, MaxHeaderSize: c.MaxHeaderSize}
}

// TraceOptions returns the options that parse the case in pieces of split
// bytes (0: whole), with Finish and the case's decisions. Each call returns
// a fresh decision counter, so the options serve one parse.
func (c *Case) TraceOptions(split int) parser.TraceOptions {
	opt := parser.TraceOptions{Split: split, Finish: c.Finish}
	if len(c.Decide) > 0 {
		decide := c.Decide
		n := 0
		opt.Decide = func(*parser.Parser) parser.HeadersDecision {
			d := parser.Proceed
			if n < len(decide) {
				d = decide[n]
			}
			n++
			return d
		}
	}
	return opt
}

// Run parses the case under the lenient modes l in pieces of split bytes
// (0: whole) and returns the merged events.
func (c *Case) Run(l parser.Lenient, split int) ([]parser.Event, error) {
	return parser.Trace(c.Config(l), c.input, c.TraceOptions(split))
}

// Outcomes returns the strict outcome followed by every lenient variant,
// each with its flags, expectation and golden trace.
func (c *Case) Outcomes() []Variant {
	out := []Variant{{Flags: 0, Expect: c.Expect, Trace: c.Trace, Line: c.pos.expect}}
	return append(out, c.Lenient...)
}

// Ref names a section of an RFC.
type Ref struct {
	RFC     int    // 9112
	Section string // "6.3"
}

func (r Ref) String() string { return fmt.Sprintf("RFC %d §%s", r.RFC, r.Section) }

// Level is an RFC 2119 requirement level.
type Level string

// The requirement levels a case may name.
const (
	Must      Level = "MUST"
	MustNot   Level = "MUST NOT"
	Should    Level = "SHOULD"
	ShouldNot Level = "SHOULD NOT"
	May       Level = "MAY"
)

func parseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case Must, MustNot, Should, ShouldNot, May:
		return l, nil
	}
	return "", fmt.Errorf("unknown level %q (want MUST, MUST NOT, SHOULD, SHOULD NOT or MAY)", s)
}

// Newline is what a plain line break in a raw block stands for.
type Newline string

// The line endings a case may choose.
const (
	CRLF Newline = "crlf"
	LF   Newline = "lf"
	CR   Newline = "cr"
)

func (n Newline) bytes() string {
	switch n {
	case LF:
		return "\n"
	case CR:
		return "\r"
	}
	return "\r\n"
}

func parseNewline(s string) (Newline, error) {
	switch n := Newline(s); n {
	case CRLF, LF, CR:
		return n, nil
	}
	return "", fmt.Errorf("unknown newline %q (want crlf, lf or cr)", s)
}

var decisionNames = map[string]parser.HeadersDecision{
	"proceed":           parser.Proceed,
	"skip-body":         parser.SkipBody,
	"skip-body-upgrade": parser.SkipBodyUpgrade,
}

func parseDecide(s string) ([]parser.HeadersDecision, error) {
	var out []parser.HeadersDecision
	for _, part := range strings.Split(s, ",") {
		d, ok := decisionNames[strings.TrimSpace(part)]
		if !ok {
			return nil, fmt.Errorf("unknown decision %q (want proceed, skip-body or skip-body-upgrade, comma-separated)", strings.TrimSpace(part))
		}
		out = append(out, d)
	}
	return out, nil
}
