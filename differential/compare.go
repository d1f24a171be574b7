package differential

import (
	"fmt"
	"net/textproto"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
)

// Class is what two oracles' outcomes for one input amount to.
type Class string

// The classes.
const (
	// ClassAgree: both read the input the same way (accepting it, or
	// waiting for more of it).
	ClassAgree Class = "agree"
	// ClassBothReject: both refused the input (rejected it, or saw EOF in
	// the middle of a message).
	ClassBothReject Class = "both-reject"
	// ClassOnlyOursRejects: our parser refused what the other read.
	ClassOnlyOursRejects Class = "only-ours-rejects"
	// ClassOnlyTheirsRejects: the other refused what our parser read.
	ClassOnlyTheirsRejects Class = "only-theirs-rejects"
	// ClassDiffer: both accepted, but read different messages.
	ClassDiffer Class = "differ"
)

// Classes lists every class, in report order.
func Classes() []Class {
	return []Class{ClassAgree, ClassBothReject, ClassOnlyOursRejects, ClassOnlyTheirsRejects, ClassDiffer}
}

// Disagrees reports whether the class is a disagreement: one side refused
// what the other read, or both read it differently.
func (c Class) Disagrees() bool {
	return c == ClassOnlyOursRejects || c == ClassOnlyTheirsRejects || c == ClassDiffer
}

func parseClass(s string) (Class, error) {
	for _, c := range Classes() {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown class %q (want agree, both-reject, only-ours-rejects, only-theirs-rejects or differ)", s)
}

// Danger ranks a difference by what it lets an attacker do when the two
// implementations sit on one path (a proxy and a server), in the spirit
// of http-desync-guardian's tiers.
type Danger uint8

// The ranks, least dangerous first.
const (
	// DangerNone: no difference.
	DangerNone Danger = iota
	// DangerLow: a header or trailer field, or a reason phrase, differs;
	// the two see the same messages with different details.
	DangerLow
	// DangerHigh: the method, target, authority, status, version or
	// keep-alive decision differs; routing and access decisions can be
	// split.
	DangerHigh
	// DangerSevere: the number of messages, where a body ends, the framing
	// or the protocol switch differs: one side reads bytes as a message
	// that the other reads as a body or a tunnel (request smuggling).
	DangerSevere
)

func (d Danger) String() string {
	switch d {
	case DangerLow:
		return "low"
	case DangerHigh:
		return "high"
	case DangerSevere:
		return "severe"
	}
	return "none"
}

// Difference is one place where two outcomes differ.
type Difference struct {
	// Path names the place: "Messages[1]", "Messages[0].Body",
	// `Messages[0].Header["X-Forwarded-For"]`, "End", "Consumed".
	Path string
	// Ours and Theirs are the values, rendered readably (strings quoted
	// with visible escapes); "(none)" where one side has nothing.
	Ours, Theirs string
	Danger       Danger
	// Known is the id of the known-differences entry that covers the
	// difference, "" if none does.
	Known string
}

func (d Difference) String() string {
	return fmt.Sprintf("%s: ours %s, theirs %s", d.Path, d.Ours, d.Theirs)
}

// Comparison is the comparison of our outcome with another oracle's for
// one input.
type Comparison struct {
	Class Class
	// Danger is the highest rank among Differences (DangerNone when
	// there are none).
	Danger Danger
	// Differences are the differences between the outcomes: everything,
	// when both accepted; the messages both completed, when either
	// refused.
	Differences []Difference
}

// compared is the part of an Outcome that is compared.
type compared struct {
	Messages []Message
	End      EndKind
	Consumed int64
}

// Compare classifies and diffs our outcome against theirs.
//
// Both outcomes are normalised first: field names are compared in
// canonical form (header names are case-insensitive) and fields are
// compared sorted by name, keeping the order of values within a name,
// because net/http's header map keeps no order across names. Framing is
// not compared when an oracle cannot report it (Node). Consumed is
// compared when both sides know it and neither discarded bytes after a
// closing message.
func Compare(ours, theirs Outcome) Comparison {
	x := compared{Messages: normalise(ours.Messages)}
	y := compared{Messages: normalise(theirs.Messages)}
	var c Comparison
	both := ours.Accepted() && theirs.Accepted()
	switch {
	case both:
		x.End, y.End = comparedEnd(ours.End.Kind), comparedEnd(theirs.End.Kind)
		if ours.Consumed >= 0 && theirs.Consumed >= 0 && ours.End.Kind != EndClosed && theirs.End.Kind != EndClosed {
			x.Consumed, y.Consumed = ours.Consumed, theirs.Consumed
		}
	default:
		// Only the messages both completed are compared; the rest is
		// what the rejection is about.
		n := min(len(x.Messages), len(y.Messages))
		x.Messages, y.Messages = x.Messages[:n], y.Messages[:n]
	}
	r := &reporter{}
	cmp.Equal(x, y, cmp.Reporter(r),
		cmp.FilterValues(func(a, b Framing) bool { return a.Kind == FramingUnknown || b.Kind == FramingUnknown }, cmp.Ignore()))
	c.Differences = r.diffs
	for _, d := range c.Differences {
		c.Danger = max(c.Danger, d.Danger)
	}
	switch {
	case both && len(c.Differences) == 0:
		c.Class = ClassAgree
	case both:
		c.Class = ClassDiffer
	case !ours.Accepted() && !theirs.Accepted():
		c.Class = ClassBothReject
	case !ours.Accepted():
		c.Class = ClassOnlyOursRejects
	default:
		c.Class = ClassOnlyTheirsRejects
	}
	return c
}

// comparedEnd is the end as compared: the bytes after a message that
// closes the connection are discarded, so whether an oracle saw any (an
// llhttp-like parser skips CRLF there, net/http does not) is not a
// difference. The last message's KeepAlive, and the number of messages,
// carry what matters.
func comparedEnd(k EndKind) EndKind {
	if k == EndClosed {
		return EndClean
	}
	return k
}

// normalise returns copies of msgs with canonical field names, fields
// sorted stably by name.
func normalise(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Header = normaliseFields(m.Header)
		m.Trailer = normaliseFields(m.Trailer)
		out[i] = m
	}
	return out
}

// normaliseFields never returns nil, so that cmp compares sections field
// by field (a nil slice against a non-nil one is reported whole).
func normaliseFields(fs []Field) []Field {
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{Name: textproto.CanonicalMIMEHeaderKey(f.Name), Value: f.Value}
	}
	slices.SortStableFunc(out, func(a, b Field) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// reporter collects structured differences from cmp.Equal.
type reporter struct {
	path  cmp.Path
	diffs []Difference
}

func (r *reporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }

func (r *reporter) PopStep() { r.path = r.path[:len(r.path)-1] }

func (r *reporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	vx, vy := r.path.Last().Values()
	r.diffs = append(r.diffs, Difference{
		Path:   renderPath(r.path),
		Ours:   renderValue(vx),
		Theirs: renderValue(vy),
		Danger: dangerOf(r.path),
	})
}

// renderPath renders a cmp path as "Messages[0].Header["Via"]": struct
// fields with a dot, slice elements by index, fields of a header or
// trailer section by name.
func renderPath(p cmp.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cmp.StructField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name())
		case cmp.SliceIndex:
			if s.Type() == reflect.TypeFor[Field]() {
				vx, vy := s.Values()
				name := ""
				if vx.IsValid() {
					name = vx.Interface().(Field).Name
				} else if vy.IsValid() {
					name = vy.Interface().(Field).Name
				}
				b.WriteString("[" + strconv.Quote(name) + "]")
				continue
			}
			ix, iy := s.SplitKeys()
			switch {
			case ix == iy || iy < 0:
				fmt.Fprintf(&b, "[%d]", ix)
			case ix < 0:
				fmt.Fprintf(&b, "[%d]", iy)
			default:
				fmt.Fprintf(&b, "[%d:%d]", ix, iy)
			}
		}
	}
	return b.String()
}

// renderValue renders one side of a difference.
func renderValue(v reflect.Value) string {
	if !v.IsValid() {
		return "(none)"
	}
	switch x := v.Interface().(type) {
	case string:
		return `"` + parser.Escape([]byte(x)) + `"`
	case Field:
		return `"` + parser.Escape([]byte(x.String())) + `"`
	case Message:
		return x.summary()
	case Framing:
		return x.String()
	case EndKind:
		return string(x)
	case []Field:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = `"` + parser.Escape([]byte(f.String())) + `"`
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []Message:
		return fmt.Sprintf("%d messages", len(x))
	}
	return fmt.Sprint(v.Interface())
}

// dangerOf ranks a difference by the outermost struct field on its path
// below the message.
func dangerOf(p cmp.Path) Danger {
	inMessage := false
	for _, step := range p {
		switch s := step.(type) {
		case cmp.SliceIndex:
			if s.Type() == reflect.TypeFor[Message]() {
				inMessage = true
			}
		case cmp.StructField:
			if !inMessage {
				switch s.Name() {
				case "End", "Consumed":
					return DangerSevere
				}
				continue
			}
			switch s.Name() {
			case "Body", "Framing", "Upgrade":
				return DangerSevere
			case "Method", "Target", "Host", "Status", "Version", "KeepAlive":
				return DangerHigh
			}
			return DangerLow
		}
	}
	// A whole message on one side only.
	return DangerSevere
}
