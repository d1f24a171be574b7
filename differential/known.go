package differential

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/reports"
)

// knownText is known.txt, the checked-in list of known, intended
// differences.
//
//go:embed known.txt
var knownText string

// Side says which oracle a known difference finds right.
type Side string

// The sides.
const (
	SideOurs    Side = "ours"    // our parser does what the RFC requires
	SideTheirs  Side = "theirs"  // the other does; ours is wrong (a finding)
	SideBoth    Side = "both"    // the RFC allows either
	SideNeither Side = "neither" // both are wrong, differently
)

// Known is one entry of the list of known differences: a disagreement
// that is understood and intended, with the RFC section that decides it,
// the side that is right, and a matcher saying which inputs and which
// differences it covers.
//
// An entry covers a rejection (ClassOnlyOursRejects or
// ClassOnlyTheirsRejects) when it names that class and no Path; it covers
// a Difference when one of its Path patterns matches the difference's path
// (and its Class, if given, the comparison's class). Every other condition
// given must hold too: Oracles, Type, Input, Tail, Name, and Ours and
// Theirs, which match the end of the side that rejects ("rejected
// HPE_INVALID_METHOD: Invalid method", "incomplete") or the rendered values
// of a difference. For the server-level oracles, Ours is the parser's side
// and Theirs the server's (see Result.Sides).
type Known struct {
	ID    string
	Title string
	// RFC are the sections that decide which side is right.
	RFC []reports.Ref
	// Right is the side the RFC agrees with; Why explains.
	Right Side
	Why   string

	// The matcher.
	Oracles []string    // oracle names; empty: every oracle
	Class   Class       // "" with a Path: any class
	Path    []*glob     // any of them; nil for a rejection entry
	Type    parser.Type // parser.Both: either
	Input   *regexp.Regexp
	Tail    *regexp.Regexp
	Name    *glob
	Ours    *regexp.Regexp
	Theirs  *regexp.Regexp

	Line int // of the id line in known.txt
}

// oracleNames are the oracle names an entry may give.
func oracleNames() []string {
	return []string{"nethttp", "node", OursServerOracle, NetHTTPServerOracle, ServersOracle}
}

// KnownList is a parsed list of known differences.
type KnownList struct {
	Entries []*Known
}

// LoadKnown parses the embedded known.txt.
func LoadKnown() (*KnownList, error) {
	return ParseKnown("known.txt", knownText)
}

// ParseKnown parses a list of known differences. The format is blocks of
// "key: value" lines, each block starting with "id:", with "#" comment
// lines:
//
//	id: nethttp-bare-lf
//	title: bare LF as a line ending
//	oracle: nethttp
//	rfc: RFC 9112 §2.2
//	right: both
//	why: a recipient MAY accept a bare LF; ours, strict, does not
//	class: only-ours-rejects
//	ours: ^rejected HPE_(STRICT|LF_EXPECTED|CR_EXPECTED)\b
//
// Keys: id, title, rfc, right (ours, theirs, both or neither) and why are
// required. The matcher, which needs a class or a path, is made of: oracle
// (comma-separated names), class, path (comma-separated patterns of
// difference paths, in which "*" stands for any run of characters), type
// (request or response), input (a Go regular expression over the input's
// bytes), tail (one over the bytes after the point where the side that read
// less of the input as HTTP stopped), name (a pattern of input names), and
// ours and theirs (regular expressions).
func ParseKnown(file, text string) (*KnownList, error) {
	l := &KnownList{}
	var errs []error
	var cur *Known
	seen := map[string]int{}
	keys := map[string]int{}
	errorf := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, args...)))
	}
	finish := func() {
		if cur == nil {
			return
		}
		for _, k := range []string{"title", "rfc", "right", "why"} {
			if keys[k] == 0 {
				errorf(cur.Line, "entry %q has no %s", cur.ID, k)
			}
		}
		if cur.Class == "" && cur.Path == nil {
			errorf(cur.Line, "entry %q has neither class nor path: say which disagreement it covers", cur.ID)
		}
		if cur.Path == nil && cur.Class != "" && cur.Class != ClassOnlyOursRejects && cur.Class != ClassOnlyTheirsRejects {
			errorf(cur.Line, "entry %q: class %s without a path covers nothing; a rejection entry names only-ours-rejects or only-theirs-rejects, a difference entry needs a path", cur.ID, cur.Class)
		}
		l.Entries = append(l.Entries, cur)
		cur = nil
	}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok || val == "" || val[0] != ' ' {
			errorf(n, "%q is not \"key: value\"", line)
			continue
		}
		val = strings.TrimSpace(val)
		if key == "id" {
			finish()
			if prev, dup := seen[val]; dup {
				errorf(n, "duplicate id %q (first at line %d)", val, prev)
			}
			seen[val] = n
			cur = &Known{ID: val, Line: n}
			keys = map[string]int{}
			continue
		}
		if cur == nil {
			errorf(n, "%s: before the first \"id:\" line", key)
			continue
		}
		if prev := keys[key]; prev != 0 {
			errorf(n, "%s given twice in entry %q (first at line %d)", key, cur.ID, prev)
			continue
		}
		keys[key] = n
		if err := cur.set(key, val); err != nil {
			errorf(n, "%s: %v", key, err)
		}
	}
	finish()
	return l, errors.Join(errs...)
}

func (k *Known) set(key, val string) error {
	var err error
	re := func() (*regexp.Regexp, error) {
		r, err := regexp.Compile(val)
		if err != nil {
			return nil, fmt.Errorf("not a regular expression: %v", err)
		}
		return r, nil
	}
	switch key {
	case "title":
		k.Title = val
	case "rfc":
		k.RFC, err = parseRefs(val)
	case "why":
		k.Why = val
	case "right":
		switch s := Side(val); s {
		case SideOurs, SideTheirs, SideBoth, SideNeither:
			k.Right = s
		default:
			return fmt.Errorf("want ours, theirs, both or neither, not %q", val)
		}
	case "oracle":
		for _, o := range strings.Split(val, ",") {
			o = strings.TrimSpace(o)
			if !slices.Contains(oracleNames(), o) {
				return fmt.Errorf("unknown oracle %q (want one of %s)", o, strings.Join(oracleNames(), ", "))
			}
			k.Oracles = append(k.Oracles, o)
		}
	case "class":
		k.Class, err = parseClass(val)
		if err == nil && !k.Class.Disagrees() && k.Class != ClassBothReject {
			err = fmt.Errorf("class %s is agreement; nothing to cover", val)
		}
	case "path":
		for _, p := range strings.Split(val, ",") {
			k.Path = append(k.Path, newGlob(strings.TrimSpace(p)))
		}
	case "name":
		k.Name = newGlob(val)
	case "type":
		switch val {
		case "request":
			k.Type = parser.Request
		case "response":
			k.Type = parser.Response
		default:
			return fmt.Errorf("want request or response, not %q", val)
		}
	case "input":
		k.Input, err = re()
	case "tail":
		k.Tail, err = re()
	case "ours":
		k.Ours, err = re()
	case "theirs":
		k.Theirs, err = re()
	default:
		return fmt.Errorf("unknown key (known: id, title, rfc, right, why, oracle, class, path, type, input, tail, name, ours, theirs)")
	}
	if val == "" {
		return fmt.Errorf("empty value")
	}
	return err
}

// parseRefs reads "RFC 9112 §6.3, RFC 9110 §5.5".
func parseRefs(s string) ([]reports.Ref, error) {
	var out []reports.Ref
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		rest, ok := strings.CutPrefix(part, "RFC ")
		num, sec, ok2 := strings.Cut(rest, " §")
		n, err := strconv.Atoi(num)
		if !ok || !ok2 || err != nil || n <= 0 || sec == "" || strings.Trim(sec, "0123456789.") != "" {
			return nil, fmt.Errorf("%q is not a section reference such as \"RFC 9112 §6.3\"", part)
		}
		out = append(out, reports.NewRef(n, sec))
	}
	return out, nil
}

// appliesTo reports whether the entry's input conditions hold.
func (k *Known) appliesTo(oracle string, in Input, ours, theirs Outcome) bool {
	if len(k.Oracles) > 0 && !slices.Contains(k.Oracles, oracle) {
		return false
	}
	if k.Type != parser.Both && k.Type != in.Type {
		return false
	}
	if k.Input != nil && !k.Input.Match(in.Data) {
		return false
	}
	if k.Name != nil && !k.Name.match(in.Name) {
		return false
	}
	if k.Tail != nil && !k.Tail.Match(tail(in, ours, theirs)) {
		return false
	}
	return true
}

// tail returns the bytes after the point where the oracle that read less
// of the input as HTTP stopped (the smaller Consumed that is known), or
// the whole input when neither is known.
func tail(in Input, ours, theirs Outcome) []byte {
	c := int64(-1)
	for _, n := range []int64{ours.Consumed, theirs.Consumed} {
		if n >= 0 && (c < 0 || n < c) {
			c = n
		}
	}
	if c < 0 || c > int64(len(in.Data)) {
		c = 0
	}
	return in.Data[c:]
}

// matchRejection reports whether the entry covers the rejection in c.
func (k *Known) matchRejection(oracle string, in Input, c Comparison, ours, theirs Outcome) bool {
	if k.Path != nil || k.Class != c.Class || !k.appliesTo(oracle, in, ours, theirs) {
		return false
	}
	if k.Ours != nil && !k.Ours.MatchString(endText(ours.End)) {
		return false
	}
	if k.Theirs != nil && !k.Theirs.MatchString(endText(theirs.End)) {
		return false
	}
	return true
}

// matchDifference reports whether the entry covers d.
func (k *Known) matchDifference(oracle string, in Input, c Comparison, ours, theirs Outcome, d Difference) bool {
	if !k.matchPath(d.Path) || !k.appliesTo(oracle, in, ours, theirs) {
		return false
	}
	if k.Class != "" && k.Class != c.Class {
		return false
	}
	if k.Ours != nil && !k.Ours.MatchString(d.Ours) {
		return false
	}
	if k.Theirs != nil && !k.Theirs.MatchString(d.Theirs) {
		return false
	}
	return true
}

func (k *Known) matchPath(p string) bool {
	for _, g := range k.Path {
		if g.match(p) {
			return true
		}
	}
	return false
}

// endText is how an end reads to the ours and theirs matchers and in
// reports: its kind, code and reason, as "rejected HPE_INVALID_METHOD:
// Invalid method", or "incomplete".
func endText(e End) string {
	s := string(e.Kind)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// glob is a pattern in which "*" stands for any run of characters and
// every other character for itself.
type glob struct {
	text  string
	parts []string
}

func newGlob(s string) *glob { return &glob{text: s, parts: strings.Split(s, "*")} }

func (g *glob) String() string { return g.text }

func (g *glob) match(s string) bool {
	if len(g.parts) == 1 {
		return s == g.parts[0]
	}
	first, last := g.parts[0], g.parts[len(g.parts)-1]
	if !strings.HasPrefix(s, first) || !strings.HasSuffix(s[len(first):], last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, p := range g.parts[1 : len(g.parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}
