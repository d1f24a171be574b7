package corpus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// Expect is a hand-written outcome, independent of the parser's trace:
//
//	ok [PROP...]
//	error HPE_NAME [at OFFSET] [PROP...]
//	upgrade [at OFFSET] [PROP...]      (error HPE_PAUSED_UPGRADE)
//
// with properties, each checked only when given:
//
//	messages=N             messages completed
//	method=GET,POST        method of each head, in order
//	status=100,200         status of each head, in order
//	version=1.1,1.0        version of each head
//	flags=1,208            flags of each head (hex, as the trace prints them)
//	cl=5,0                 content_length of each head
//	chunks=5,0             size of each chunk header, in order
//	url="/a"               request-target of one message (repeat per message)
//	body="hello"           body of one message (repeat per message)
//
// url and body, when given, must be given once for every message begun
// (the bytes of its spans joined), in order.
type Expect struct {
	// Text is the expectation as written.
	Text string
	// Code is the error that must end the parse; parser.OK for none.
	Code parser.Errno
	// Offset is the error's offset, or -1 when not given.
	Offset int64

	Messages int // -1 when not given
	Methods  []string
	Statuses []int
	Versions []string
	Flags    []parser.Flags
	CLs      []uint64
	Chunks   []uint64
	URLs     []string
	Bodies   []string
}

func parseExpect(s string) (Expect, error) {
	e := Expect{Text: s, Offset: -1, Messages: -1}
	toks, err := splitTokens(s)
	if err != nil {
		return e, err
	}
	if len(toks) == 0 {
		return e, fmt.Errorf("empty expectation (want ok, error HPE_NAME or upgrade)")
	}
	i := 1
	switch toks[0] {
	case "ok":
	case "upgrade":
		e.Code = parser.ErrPausedUpgrade
	case "error":
		if len(toks) < 2 {
			return e, fmt.Errorf("error needs an error name, such as error HPE_INVALID_METHOD")
		}
		code, ok := parser.ErrnoByName(toks[1])
		if !ok || code == parser.OK {
			return e, fmt.Errorf("unknown error name %q", toks[1])
		}
		e.Code = code
		i = 2
	default:
		return e, fmt.Errorf("expectation starts with %q; want ok, error HPE_NAME or upgrade", toks[0])
	}
	if i < len(toks) && toks[i] == "at" {
		if e.Code == parser.OK {
			return e, fmt.Errorf("\"at\" gives an error offset; ok has none")
		}
		if i+1 >= len(toks) {
			return e, fmt.Errorf("\"at\" needs an offset")
		}
		n, err := strconv.ParseInt(toks[i+1], 10, 64)
		if err != nil || n < 0 {
			return e, fmt.Errorf("bad offset %q after \"at\"", toks[i+1])
		}
		e.Offset = n
		i += 2
	}
	seen := map[string]bool{}
	for _, tok := range toks[i:] {
		key, val, ok := strings.Cut(tok, "=")
		if !ok {
			return e, fmt.Errorf("%q is not a property (want name=value)", tok)
		}
		if seen[key] && key != "url" && key != "body" {
			return e, fmt.Errorf("property %s given twice", key)
		}
		seen[key] = true
		if err := e.setProp(key, val); err != nil {
			return e, fmt.Errorf("property %s: %v", key, err)
		}
	}
	return e, nil
}

func (e *Expect) setProp(key, val string) error {
	var err error
	switch key {
	case "messages":
		e.Messages, err = strconv.Atoi(val)
		if err == nil && e.Messages < 0 {
			err = fmt.Errorf("negative count")
		}
	case "method":
		e.Methods = strings.Split(val, ",")
		for _, m := range e.Methods {
			if !slices.ContainsFunc(parser.Methods(), func(k parser.Method) bool { return k.String() == m }) {
				return fmt.Errorf("unknown method %q", m)
			}
		}
	case "status":
		e.Statuses, err = listOf(val, func(s string) (int, error) { return strconv.Atoi(s) })
	case "version":
		e.Versions = strings.Split(val, ",")
		for _, v := range e.Versions {
			if len(v) != 3 || v[1] != '.' || v[0] < '0' || v[0] > '9' || v[2] < '0' || v[2] > '9' {
				return fmt.Errorf("version %q is not digit.digit", v)
			}
		}
	case "flags":
		e.Flags, err = listOf(val, func(s string) (parser.Flags, error) {
			n, err := strconv.ParseUint(s, 16, 16)
			return parser.Flags(n), err
		})
	case "cl":
		e.CLs, err = listOf(val, func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) })
	case "chunks":
		e.Chunks, err = listOf(val, func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) })
	case "url", "body":
		s, err := unquote(val)
		if err != nil {
			return err
		}
		if key == "url" {
			e.URLs = append(e.URLs, s)
		} else {
			e.Bodies = append(e.Bodies, s)
		}
	default:
		return fmt.Errorf("unknown property (known: messages, method, status, version, flags, cl, chunks, url, body)")
	}
	return err
}

func listOf[T any](s string, conv func(string) (T, error)) ([]T, error) {
	var out []T
	for _, part := range strings.Split(s, ",") {
		v, err := conv(part)
		if err != nil {
			return nil, fmt.Errorf("bad list element %q", part)
		}
		out = append(out, v)
	}
	return out, nil
}

// splitTokens splits at spaces, keeping double-quoted parts (with their
// backslash escapes) inside one token.
func splitTokens(s string) ([]string, error) {
	var toks []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
			cur.WriteByte(c)
		case c == ' ' && !inQuote:
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated string in %q", s)
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks, nil
}

// Outcome is what a trace shows, in the terms of Expect.
type Outcome struct {
	Code     parser.Errno
	Offset   int64
	Messages int
	Methods  []string
	Statuses []int
	Versions []string
	Flags    []parser.Flags
	CLs      []uint64
	Chunks   []uint64
	URLs     []string
	Bodies   []string
}

// Summarize reads an outcome from merged parser events.
func Summarize(events []parser.Event) Outcome {
	var o Outcome
	for _, ev := range events {
		switch ev.Kind {
		case parser.EvMessageBegin:
			o.URLs = append(o.URLs, "")
			o.Bodies = append(o.Bodies, "")
		case parser.EvSpan:
			if len(o.Bodies) == 0 {
				continue
			}
			switch ev.Span {
			case parser.SpanURL:
				o.URLs[len(o.URLs)-1] += string(ev.Data)
			case parser.SpanBody:
				o.Bodies[len(o.Bodies)-1] += string(ev.Data)
			}
		case parser.EvHeadersComplete:
			if ev.Type == parser.Response {
				o.Statuses = append(o.Statuses, ev.Status)
			} else {
				o.Methods = append(o.Methods, ev.Method.String())
			}
			o.Versions = append(o.Versions, fmt.Sprintf("%d.%d", ev.Major, ev.Minor))
			o.Flags = append(o.Flags, ev.Flags)
			o.CLs = append(o.CLs, ev.ContentLength)
		case parser.EvChunkHeader:
			o.Chunks = append(o.Chunks, ev.ContentLength)
		case parser.EvMessageComplete:
			o.Messages++
		case parser.EvError:
			o.Code = ev.Code
			o.Offset = ev.Off
		}
	}
	return o
}

// Check compares the expectation with merged parser events and returns an
// error naming every difference.
func (e Expect) Check(events []parser.Event) error {
	o := Summarize(events)
	var diffs []string
	if o.Code != e.Code {
		diffs = append(diffs, fmt.Sprintf("outcome: want %s, got %s", codeText(e.Code), codeText(o.Code)))
	} else if e.Offset >= 0 && o.Offset != e.Offset {
		diffs = append(diffs, fmt.Sprintf("%s offset: want %d, got %d", e.Code, e.Offset, o.Offset))
	}
	if e.Messages >= 0 && o.Messages != e.Messages {
		diffs = append(diffs, fmt.Sprintf("messages: want %d, got %d", e.Messages, o.Messages))
	}
	diffs = compareList(diffs, "method", e.Methods, o.Methods, fmtPlain[string])
	diffs = compareList(diffs, "status", e.Statuses, o.Statuses, fmtPlain[int])
	diffs = compareList(diffs, "version", e.Versions, o.Versions, fmtPlain[string])
	diffs = compareList(diffs, "flags", e.Flags, o.Flags, func(f parser.Flags) string { return strconv.FormatUint(uint64(f), 16) })
	diffs = compareList(diffs, "cl", e.CLs, o.CLs, fmtPlain[uint64])
	diffs = compareList(diffs, "chunks", e.Chunks, o.Chunks, fmtPlain[uint64])
	diffs = compareList(diffs, "url", e.URLs, o.URLs, fmtQuoted)
	diffs = compareList(diffs, "body", e.Bodies, o.Bodies, fmtQuoted)
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("expect %q: %s", e.Text, strings.Join(diffs, "; "))
}

func codeText(c parser.Errno) string {
	if c == parser.OK {
		return "ok"
	}
	return c.String()
}

func fmtPlain[T any](v T) string { return fmt.Sprint(v) }

func fmtQuoted(s string) string { return `"` + parser.Escape([]byte(s)) + `"` }

func compareList[T comparable](diffs []string, name string, want, got []T, f func(T) string) []string {
	if want == nil || slices.Equal(want, got) {
		return diffs
	}
	show := func(l []T) string {
		parts := make([]string, len(l))
		for i, v := range l {
			parts[i] = f(v)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return append(diffs, fmt.Sprintf("%s: want %s, got %s", name, show(want), show(got)))
}
