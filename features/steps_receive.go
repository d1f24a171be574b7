package features

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"
)

// interim reports whether r is an interim response a client skips while
// waiting for the final one (1xx other than 101).
func interim(r *response) bool { return r.Status < 200 && r.Status != 101 }

// nextMessage takes the next response message, interim ones included.
func (w *world) nextMessage() (*response, error) {
	c, err := w.conn()
	if err != nil {
		return nil, err
	}
	r, err := c.nextResponse(w.deadline())
	if err != nil {
		return nil, err
	}
	w.last = r
	return r, nil
}

// nextFinal takes the next final response, passing over interim ones as a
// client does.
func (w *world) nextFinal() (*response, error) {
	for {
		r, err := w.nextMessage()
		if err != nil {
			return nil, err
		}
		if !interim(r) {
			w.taken = append(w.taken, r)
			return r, nil
		}
		w.log.note(fmt.Sprintf("connection %d: interim response %d passed over", w.cur.id, r.Status))
	}
}

func (w *world) receiveAny() error {
	_, err := w.nextFinal()
	return err
}

func (w *world) receiveStatus(code int) error {
	var r *response
	var err error
	if code < 200 && code != 101 {
		r, err = w.nextMessage()
	} else {
		r, err = w.nextFinal()
	}
	if err != nil {
		return err
	}
	if r.Status != code {
		return fmt.Errorf("got status %d %s, want %d%s", r.Status, r.Reason, code, bodyHint(r))
	}
	return nil
}

// bodyHint quotes the start of a response body, for failure messages.
func bodyHint(r *response) string {
	if len(r.Body) == 0 {
		return ""
	}
	return "; its body: " + clip(r.Body)
}

func (w *world) receiveEither(a, b int) error {
	r, err := w.nextFinal()
	if err != nil {
		return err
	}
	if r.Status != a && r.Status != b {
		return fmt.Errorf("got status %d %s, want %d or %d%s", r.Status, r.Reason, a, b, bodyHint(r))
	}
	return nil
}

// receiveNot100 takes the next response message, interim ones included,
// and checks that it is not a 100 (Continue).
func (w *world) receiveNot100() error {
	r, err := w.nextMessage()
	if err != nil {
		return err
	}
	if r.Status == 100 {
		return errors.New("the server sent 100 Continue")
	}
	if !interim(r) {
		w.taken = append(w.taken, r)
	}
	return nil
}

func (w *world) receiveN(n int) error {
	for i := range n {
		if _, err := w.nextFinal(); err != nil {
			return fmt.Errorf("response %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// receiveAll reads responses until there is one for every request sent on
// the current connection.
func (w *world) receiveAll() error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	for len(w.taken) < c.requests {
		if _, err := w.nextFinal(); err != nil {
			return fmt.Errorf("after %d responses to %d requests: %w", len(w.taken), c.requests, err)
		}
	}
	return w.waitFloods()
}

func (w *world) haveReceived(n int) error {
	if len(w.taken) != n {
		return fmt.Errorf("the client has received %d responses, want %d", len(w.taken), n)
	}
	return nil
}

func (w *world) receiveTunnel(s string) error {
	want, err := decodeEscapes(s)
	if err != nil {
		return harness("%v", err)
	}
	c, err := w.conn()
	if err != nil {
		return err
	}
	got, err := c.takeRaw(len(want), w.deadline())
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("through the tunnel came %s, want %s", clip(got), clip(want))
	}
	return nil
}

// serverCloses checks that the target closes the connection without
// sending anything the steps have not taken.
func (w *world) serverCloses() error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	if err := c.awaitClose(w.deadline()); err != nil {
		return fmt.Errorf("the connection is still open (waited %v after the last byte)", w.patience())
	}
	switch {
	case c.next < len(c.responses):
		return fmt.Errorf("before closing, the server sent another response: %v", c.responses[c.next])
	case len(c.raw) > 0:
		return fmt.Errorf("before closing, %d more bytes came through the tunnel: %s", len(c.raw), clip(c.raw))
	case c.parseErr != nil:
		return fmt.Errorf("the server closed the connection in the middle of a response, or sent bytes that are not one: %v", c.parseErr)
	}
	if c.readErr != nil {
		w.log.note(fmt.Sprintf("connection %d was reset rather than closed", c.id))
	}
	return nil
}

func (w *world) serverClosesSilently() error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	if err := c.awaitClose(w.deadline()); err != nil {
		return fmt.Errorf("the connection is still open (waited %v)", w.patience())
	}
	if c.received > 0 {
		return fmt.Errorf("the server answered before closing: %d bytes (%d responses)", c.received, len(c.responses))
	}
	return nil
}

// stillOpen checks that the target has neither closed the connection nor
// sent anything.
func (w *world) stillOpen() error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	if p, ok := c.conn.(*pipeConn); ok {
		w.ex.settle()
		n, eof, reset := p.peek()
		switch {
		case reset:
			return errors.New("the server reset the connection")
		case n > 0:
			return fmt.Errorf("the server sent %d unexpected bytes", n)
		case eof:
			return errors.New("the server closed the connection")
		}
		return nil
	}
	before := c.received
	err = c.fill(time.Now().Add(w.run.grace))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) && c.received == before:
		return nil
	case c.eof:
		return errors.New("the server closed the connection")
	case c.readErr != nil:
		return fmt.Errorf("the connection failed: %v", c.readErr)
	}
	return fmt.Errorf("the server sent %d unexpected bytes", c.received-before)
}

// noFurtherResponse checks that nothing more arrives for a while (the
// grace period, or until the fake clock's scenario is idle); the
// connection may be open or closed.
func (w *world) noFurtherResponse() error {
	c, err := w.conn()
	if err != nil {
		return err
	}
	if _, ok := c.conn.(*pipeConn); ok {
		w.ex.settle()
	}
	end := time.Now().Add(w.run.grace)
	if w.ex.fake() {
		end = time.Now()
	}
	for c.next == len(c.responses) && c.parseErr == nil && !c.eof && c.readErr == nil {
		if err := c.fill(end); err != nil {
			break
		}
	}
	switch {
	case c.next < len(c.responses):
		return fmt.Errorf("another response arrived: %v", c.responses[c.next])
	case c.parseErr != nil:
		return fmt.Errorf("more bytes arrived that are not a response: %v", c.parseErr)
	}
	return nil
}

// rejection reports whether status refuses a request: a 4xx, 501 Not
// Implemented or 505 HTTP Version Not Supported. 408 is not one: it says
// the server gave up waiting, which a server stuck on bytes it cannot read
// also ends with.
func rejection(status int) bool {
	return (status/100 == 4 && status != 408) || status == 501 || status == 505
}

// closedInstead reports whether the connection ended with no further
// response, which counts as refusing the request.
func closedInstead(c *rawConn) bool {
	return c.next == len(c.responses) && (c.eof || c.readErr != nil) && c.parseErr == nil
}

func (w *world) serverRejects() error {
	r, err := w.nextFinal()
	if err != nil {
		if closedInstead(w.cur) {
			return nil
		}
		return err
	}
	if !rejection(r.Status) {
		return fmt.Errorf("the server accepted the request: status %d %s, want a 4xx status or the connection closed%s", r.Status, r.Reason, bodyHint(r))
	}
	return nil
}

func (w *world) rejectsOrAnswers() error {
	r, err := w.nextFinal()
	if err != nil {
		if closedInstead(w.cur) {
			return nil
		}
		return err
	}
	if r.Status == 408 {
		return errors.New("the server answered 408 Request Timeout: it was still waiting for the request, so it neither rejected nor read it")
	}
	return nil
}

// answersExpect checks that the server answered a head with "Expect:
// 100-continue" without the body: 100, or a final status.
func (w *world) answersExpect() error {
	for {
		r, err := w.nextMessage()
		if err != nil {
			if closedInstead(w.cur) {
				return errors.New("the server closed the connection instead of answering")
			}
			return err
		}
		if r.Status == 100 || r.Status >= 200 {
			return nil
		}
	}
}

func (w *world) connectUnframed() error {
	r, err := w.nextFinal()
	if err != nil {
		if closedInstead(w.cur) {
			return nil
		}
		return err
	}
	if r.Status/100 != 2 {
		return nil
	}
	for _, name := range []string{"Content-Length", "Transfer-Encoding"} {
		if vs := r.get(name); len(vs) > 0 {
			return fmt.Errorf("the %d answer to CONNECT has %s: %q", r.Status, name, vs)
		}
	}
	return nil
}

func (w *world) switchNames(proto string) error {
	r := w.last
	if r == nil {
		return harness("no response has been received yet")
	}
	if r.Status != 101 {
		return nil
	}
	if !r.hasToken("Upgrade", proto) {
		return fmt.Errorf("the server switched protocols to %q, which the client did not offer (it offered %q)", r.get("Upgrade"), proto)
	}
	return nil
}
