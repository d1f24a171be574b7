package benchload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Errors a Counter reports, wrapped with the response's number and stream
// offset; match them with errors.Is.
var (
	// ErrStatus: a response's status line is not "HTTP/1.x 200".
	ErrStatus = errors.New("status is not 200")
	// ErrNoContentLength: a response head has no Content-Length field, so
	// the counter cannot tell where its body ends.
	ErrNoContentLength = errors.New("no Content-Length field")
	// ErrBadContentLength: a Content-Length value is not a decimal number
	// of at most 18 digits.
	ErrBadContentLength = errors.New("invalid Content-Length value")
)

// Counter finds whole HTTP/1.1 responses in a byte stream, cheaply, so that
// the load generator's share of the work stays small and the same whatever
// server it talks to. A response is a head ending in CRLF CRLF followed by
// exactly Content-Length bytes of body; the status must be 200. Bytes can
// arrive split anywhere (ReadResponses pulls them from a reader, Feed takes
// them as a server writes them). Once its buffer has grown to hold the
// largest response seen, a Counter does not allocate.
//
// The zero value is ready to use.
type Counter struct {
	buf    []byte // buf[r:w] holds the bytes not yet part of a counted response
	r, w   int
	count  int   // responses counted so far
	offset int64 // stream offset of buf[r]
}

const minCounterBuffer = 4 << 10

// Count returns the number of responses counted so far.
func (c *Counter) Count() int { return c.count }

// Pending returns the bytes received that are not part of a counted
// response (not owned; valid until the next call), for error messages.
func (c *Counter) Pending() []byte { return c.buf[c.r:c.w] }

// ReadResponses reads from src until n more responses are complete and
// returns how many bytes those n responses took. Bytes past the n-th
// response stay buffered for the next call. It returns the first error
// from src or from the responses; a response cut short by io.EOF is
// reported as io.ErrUnexpectedEOF.
func (c *Counter) ReadResponses(src io.Reader, n int) (int, error) {
	total := 0
	for n > 0 {
		size, err := c.next()
		if err != nil {
			return total, err
		}
		if size > 0 {
			c.consume(size)
			total += size
			n--
			continue
		}
		c.makeRoom(1)
		m, err := src.Read(c.buf[c.w:])
		c.w += m
		if err != nil {
			if m > 0 {
				continue // count what arrived first; the error comes back
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return total, fmt.Errorf("benchload: reading response %d at stream offset %d: %w", c.count+1, c.offset, err)
		}
	}
	return total, nil
}

// Feed adds p to the stream and returns how many responses it completed
// and how many bytes those took. After an error, the counter stays at the
// bad response and every later call returns the same error.
func (c *Counter) Feed(p []byte) (responses, size int, err error) {
	c.makeRoom(len(p))
	c.w += copy(c.buf[c.w:], p)
	for {
		s, err := c.next()
		if err != nil || s == 0 {
			return responses, size, err
		}
		c.consume(s)
		responses++
		size += s
	}
}

func (c *Counter) consume(size int) {
	c.r += size
	c.offset += int64(size)
	c.count++
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
}

// makeRoom moves the pending bytes to the front of buf and grows buf until
// at least n more bytes fit after them.
func (c *Counter) makeRoom(n int) {
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	if len(c.buf)-c.w >= n {
		return
	}
	size := max(2*len(c.buf), minCounterBuffer)
	for size-c.w < n {
		size *= 2
	}
	grown := make([]byte, size)
	copy(grown, c.buf[:c.w])
	c.buf = grown
}

var (
	headEnd = []byte("\r\n\r\n")
	crlf    = []byte("\r\n")
)

// next returns the size of the complete response at the start of the
// pending bytes, or 0 if it has not all arrived.
func (c *Counter) next() (int, error) {
	data := c.buf[c.r:c.w]
	i := bytes.Index(data, headEnd)
	if i < 0 {
		return 0, nil
	}
	head := data[:i]
	if !status200(head) {
		line := head
		if j := bytes.Index(head, crlf); j >= 0 {
			line = head[:j]
		}
		return 0, c.errorf(ErrStatus, "status line %q", line)
	}
	cl, err := contentLength(head)
	if err != nil {
		return 0, c.errorf(err, "head %q", head)
	}
	if size := i + len(headEnd) + cl; size <= len(data) {
		return size, nil
	}
	return 0, nil
}

func (c *Counter) errorf(err error, format string, args ...any) error {
	return fmt.Errorf("benchload: response %d at stream offset %d: %w: %s", c.count+1, c.offset, err, fmt.Sprintf(format, args...))
}

// status200 reports whether head starts with "HTTP/1.x 200" followed by a
// space or the end of the line.
func status200(head []byte) bool {
	const prefix = "HTTP/1."
	if len(head) < len("HTTP/1.x 200") || string(head[:len(prefix)]) != prefix {
		return false
	}
	if head[8] != ' ' || string(head[9:12]) != "200" {
		return false
	}
	return len(head) == 12 || head[12] == ' ' || head[12] == '\r'
}

// contentLength returns the value of the first Content-Length field in
// head (name matched without regard to case), without allocating.
func contentLength(head []byte) (int, error) {
	const name = "content-length:"
	for len(head) > 0 {
		line := head
		if j := bytes.Index(head, crlf); j >= 0 {
			line, head = head[:j], head[j+len(crlf):]
		} else {
			head = nil
		}
		if len(line) < len(name) || !asciiEqualFold(line[:len(name)], name) {
			continue
		}
		v := bytes.Trim(line[len(name):], " \t")
		if len(v) == 0 || len(v) > 18 {
			return 0, ErrBadContentLength
		}
		n := 0
		for _, d := range v {
			if d < '0' || d > '9' {
				return 0, ErrBadContentLength
			}
			n = n*10 + int(d-'0')
		}
		return n, nil
	}
	return 0, ErrNoContentLength
}

// asciiEqualFold compares b with lower, which is in lower case.
func asciiEqualFold(b []byte, lower string) bool {
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lower[i] {
			return false
		}
	}
	return true
}
