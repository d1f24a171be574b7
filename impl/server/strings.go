package server

import "unsafe"

// stringBlockSize is the size of the blocks request heads are copied into.
const stringBlockSize = 4 << 10

// stringBlock hands out immutable strings carved from a larger allocation,
// so that a request head costs a copy instead of an allocation of its own.
// The bytes of a string are written once, before the string is made, and
// never again: a full block is dropped (not reused) and a new one
// allocated, and the garbage collector keeps a block alive while any of its
// strings is. The price is retention: a string a handler keeps holds its
// whole block (at most stringBlockSize, or the head's own size when it is
// larger).
type stringBlock struct {
	buf []byte // len: bytes handed out; cap: the block
}

// string returns a string with the bytes of b.
func (sb *stringBlock) string(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if cap(sb.buf)-len(sb.buf) < n {
		sb.buf = make([]byte, 0, max(stringBlockSize, n))
	}
	start := len(sb.buf)
	sb.buf = append(sb.buf, b...)
	return unsafe.String(&sb.buf[start], n)
}
