package server

// Field is one header or trailer field line. Name keeps the case it was
// sent or set with; Value has no leading or trailing whitespace.
type Field struct {
	Name  string
	Value string
}

// Header is an ordered list of fields, in the order they were received or
// added, names in their original case. Several fields may share a name.
// Lookups compare names without regard to ASCII case (RFC 9110 §5.1).
type Header []Field

// Get returns the value of the first field named name, or "".
func (h Header) Get(name string) string {
	for i := range h {
		if equalFold(h[i].Name, name) {
			return h[i].Value
		}
	}
	return ""
}

// Lookup returns the value of the first field named name and whether there
// is one.
func (h Header) Lookup(name string) (string, bool) {
	for i := range h {
		if equalFold(h[i].Name, name) {
			return h[i].Value, true
		}
	}
	return "", false
}

// Values returns the values of every field named name, in order.
func (h Header) Values(name string) []string {
	var out []string
	for i := range h {
		if equalFold(h[i].Name, name) {
			out = append(out, h[i].Value)
		}
	}
	return out
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool {
	_, ok := h.Lookup(name)
	return ok
}

// Count returns how many fields are named name.
func (h Header) Count(name string) int {
	n := 0
	for i := range h {
		if equalFold(h[i].Name, name) {
			n++
		}
	}
	return n
}

// Add appends a field.
func (h *Header) Add(name, value string) {
	*h = append(*h, Field{Name: name, Value: value})
}

// Set replaces the first field named name with name and value, keeping its
// position, and removes any others of that name; with none, it appends.
func (h *Header) Set(name, value string) {
	s := *h
	for i := range s {
		if equalFold(s[i].Name, name) {
			s[i] = Field{Name: name, Value: value}
			*h = s[:i+1+len(compact(s[i+1:], name))]
			return
		}
	}
	*h = append(s, Field{Name: name, Value: value})
}

// Del removes every field named name, keeping the order of the rest.
func (h *Header) Del(name string) {
	*h = compact(*h, name)
}

// compact removes the fields named name from s in place, keeping the order
// of the rest, and returns the shortened slice.
func compact(s Header, name string) Header {
	n := 0
	for i := range s {
		if !equalFold(s[i].Name, name) {
			s[n] = s[i]
			n++
		}
	}
	clear(s[n:])
	return s[:n]
}

// Clone returns a copy of h that shares no storage with it.
func (h Header) Clone() Header {
	if h == nil {
		return nil
	}
	return append(Header(nil), h...)
}

// equalFold reports whether a and b are equal ignoring ASCII case. Field
// names are tokens, so non-ASCII bytes compare exactly.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v contains token t,
// ignoring case and surrounding whitespace (RFC 9110 §5.6.1).
func hasToken(v, t string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		if equalFold(trimOWS(v[:i]), t) {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
