package client

import (
	"fmt"
	"strings"
)

// Field is one header field line: its name as written (original case) and
// its value. Values read from a response have their surrounding
// whitespace removed (RFC 9112 §5.1).
type Field struct {
	Name  string
	Value string
}

// Header is an ordered list of field lines. Order and case are kept as
// sent or received; the same name may appear several times. The methods
// compare names case-insensitively (RFC 9110 §5.1).
type Header []Field

// Get returns the value of the first field named name, or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// Values returns the values of every field named name, in order.
func (h Header) Values(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value)
		}
	}
	return out
}

// Add appends a field and returns the extended header.
func (h Header) Add(name, value string) Header {
	return append(h, Field{Name: name, Value: value})
}

// hasToken reports whether any field named name carries token in its
// comma-separated list value (as "Connection: keep-alive, Upgrade").
func (h Header) hasToken(name, token string) bool {
	for _, f := range h {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		for part := range strings.SplitSeq(f.Value, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// tokenTab marks the bytes allowed in a token (RFC 9110 §5.6.2):
//
//	token = 1*tchar
//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
var tokenTab = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// checkToken returns an error naming what and the first byte of s that is
// not a tchar.
func checkToken(what, s string) error {
	if s == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalidRequest, what)
	}
	for i := 0; i < len(s); i++ {
		if !tokenTab[s[i]] {
			return fmt.Errorf("%w: %s %q: byte %d (%q) is not a token character (RFC 9110 §5.6.2)", ErrInvalidRequest, what, s, i, s[i])
		}
	}
	return nil
}

// checkFieldName checks the name of field i of a section; the
// description is only built for an error.
func checkFieldName(section string, i int, name string) error {
	if name != "" {
		ok := true
		for j := 0; j < len(name) && ok; j++ {
			ok = tokenTab[name[j]]
		}
		if ok {
			return nil
		}
	}
	return checkToken(fmt.Sprintf("name of %s %d", section, i), name)
}

// checkFieldValue rejects CR, LF and NUL in a field value (RFC 9110 §5.5:
// "a recipient ... MUST either reject the message or replace each of those
// characters with SP"; a sender must not produce them). Other control
// bytes and obs-text are let through: a conformance tool needs them.
func checkFieldValue(name, v string) error {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\r', '\n', 0:
			return fmt.Errorf("%w: value of header %q: byte %d is %q; use Request.Raw to send it on purpose (RFC 9110 §5.5)", ErrInvalidRequest, name, i, v[i])
		}
	}
	return nil
}

// fieldCollector gathers the field lines of one head or trailer section
// from the parser's fragments, then builds a Header with one string
// allocation for all names and values.
type fieldCollector struct {
	buf    []byte
	spans  []int // per field: name start, name end, value start, value end
	inName bool  // the last fragment was part of a name
}

func (c *fieldCollector) reset() {
	c.buf = c.buf[:0]
	c.spans = c.spans[:0]
	c.inName = false
}

func (c *fieldCollector) name(b []byte) {
	if !c.inName {
		// A new field begins: close the previous value if any.
		c.spans = append(c.spans, len(c.buf), len(c.buf), len(c.buf), len(c.buf))
		c.inName = true
	}
	c.buf = append(c.buf, b...)
	n := len(c.spans)
	c.spans[n-3], c.spans[n-2], c.spans[n-1] = len(c.buf), len(c.buf), len(c.buf)
}

func (c *fieldCollector) value(b []byte) {
	c.inName = false
	n := len(c.spans)
	if n == 0 {
		return
	}
	c.buf = append(c.buf, b...)
	c.spans[n-1] = len(c.buf)
}

// header builds the collected fields, trimming OWS around each value.
func (c *fieldCollector) header() Header {
	if len(c.spans) == 0 {
		return nil
	}
	all := string(c.buf)
	h := make(Header, len(c.spans)/4)
	for i := range h {
		s := c.spans[4*i:]
		v := all[s[2]:s[3]]
		// Trim in the string so no copy is made.
		for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
			v = v[:len(v)-1]
		}
		h[i] = Field{Name: all[s[0]:s[1]], Value: v}
	}
	c.reset()
	return h
}
