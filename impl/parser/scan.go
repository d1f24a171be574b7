package parser

import "encoding/binary"

// Scanning loops for the long runs of a message: field values, names and
// request-targets. They return the index of the first byte in s[j:] that
// the class does not contain, or len(s).

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// scanValue scans a field value in strict mode. Eight bytes at a time it
// checks that none is below 0x20 or equal to 0x7f (the only bytes outside
// valueTab, apart from HTAB, which falls through to the byte loop);
// obs-text bytes have their high bit set and pass.
func scanValue(s []byte, j int) int {
	for {
		for j+8 <= len(s) {
			x := binary.LittleEndian.Uint64(s[j:])
			lt := (x - 0x20*ones) &^ x & highs
			y := x ^ 0x7f*ones
			del := (y - ones) &^ y & highs
			if lt|del != 0 {
				break
			}
			j += 8
		}
		k := j + 8
		if k > len(s) {
			k = len(s)
		}
		for ; j < k; j++ {
			if !valueTab[s[j]] {
				return j
			}
		}
		if j >= len(s) {
			return j
		}
	}
}

// scanTab scans bytes of a class given as a table, four at a time.
func scanTab(tab *[256]bool, s []byte, j int) int {
	for j+4 <= len(s) {
		if !tab[s[j]] {
			return j
		}
		if !tab[s[j+1]] {
			return j + 1
		}
		if !tab[s[j+2]] {
			return j + 2
		}
		if !tab[s[j+3]] {
			return j + 3
		}
		j += 4
	}
	for j < len(s) && tab[s[j]] {
		j++
	}
	return j
}

// equalFold reports whether b, ASCII case folded, equals lower (which is
// lower case).
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// fieldKind names the framing fields a field name may be.
type fieldKind uint8

const (
	fkOther fieldKind = iota
	fkContentLength
	fkTransferEncoding
	fkConnection
	fkUpgrade
)

// classifyField says which framing field, if any, name is (case-insensitive;
// Proxy-Connection counts as Connection, as in llhttp).
func classifyField(name []byte) fieldKind {
	switch len(name) {
	case 7:
		if equalFold(name, "upgrade") {
			return fkUpgrade
		}
	case 10:
		if equalFold(name, "connection") {
			return fkConnection
		}
	case 14:
		if equalFold(name, "content-length") {
			return fkContentLength
		}
	case 16:
		if equalFold(name, "proxy-connection") {
			return fkConnection
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			return fkTransferEncoding
		}
	}
	return fkOther
}
