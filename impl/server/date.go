package server

import (
	"sync/atomic"
	"time"
)

// dateCache formats the Date field (RFC 9110 §6.6.1: an origin server with
// a clock MUST send Date in 2xx, 3xx and 4xx responses) at most once per
// second. It is shared by every connection of a server; the current line is
// published with an atomic pointer, so readers never lock.
type dateCache struct {
	cur atomic.Pointer[dateLine]
}

type dateLine struct {
	sec  int64
	line []byte // "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n", never modified
}

// line returns the Date field line for now. The slice must not be modified.
func (d *dateCache) line(now time.Time) []byte {
	sec := now.Unix()
	if l := d.cur.Load(); l != nil && l.sec == sec {
		return l.line
	}
	b := make([]byte, 0, 40)
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, '\r', '\n')
	d.cur.Store(&dateLine{sec: sec, line: b})
	return b
}
