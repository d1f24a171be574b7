package features

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// lastResponse is the response the last receiving step took.
func (w *world) lastResponse() (*response, error) {
	if w.last == nil {
		return nil, harness("no response has been received yet; a step such as \"the client receives a response\" comes first")
	}
	return w.last, nil
}

// nth is response n (from 1) of those the steps took on the current
// connection.
func (w *world) nth(n int) (*response, error) {
	if n < 1 || n > len(w.taken) {
		return nil, harness("response %d: the client has received %d responses", n, len(w.taken))
	}
	return w.taken[n-1], nil
}

func (w *world) statusIsNot(code int) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	if r.Status == code {
		return fmt.Errorf("got status %d %s", r.Status, r.Reason)
	}
	return nil
}

// refusals are the statuses that refuse a request for its size or syntax.
var refusals = []int{400, 413, 414, 431}

func (w *world) refusedWith(code int) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	if slices.Contains(refusals, r.Status) && r.Status != code {
		return fmt.Errorf("the server refused the request with %d %s, want %d%s", r.Status, r.Reason, code, bodyHint(r))
	}
	return nil
}

func wantBytes(s string) ([]byte, error) {
	b, err := decodeEscapes(s)
	if err != nil {
		return nil, harness("%v", err)
	}
	return b, nil
}

func (w *world) bodyContains(s string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	want, err := wantBytes(s)
	if err != nil {
		return err
	}
	if !bytes.Contains(r.Body, want) {
		return fmt.Errorf("the body %s does not contain %s", clip(r.Body), clip(want))
	}
	return nil
}

func (w *world) noHeader(name string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	if vs := r.get(name); len(vs) > 0 {
		return fmt.Errorf("the response has %s: %q", name, vs)
	}
	return nil
}

func (w *world) headerHasToken(name, token string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	if !r.hasToken(name, token) {
		return fmt.Errorf("%s is %q, without %q", name, r.get(name), token)
	}
	return nil
}

func (w *world) headerLacksToken(name, token string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	if r.hasToken(name, token) {
		return fmt.Errorf("%s is %q", name, r.get(name))
	}
	return nil
}

func (w *world) nthStatus(n, code int) error {
	r, err := w.nth(n)
	if err != nil {
		return err
	}
	if r.Status != code {
		return fmt.Errorf("response %d: got status %d %s, want %d%s", n, r.Status, r.Reason, code, bodyHint(r))
	}
	return nil
}

func (w *world) nthBody(n int, s string) error {
	r, err := w.nth(n)
	if err != nil {
		return err
	}
	want, err := wantBytes(s)
	if err != nil {
		return err
	}
	if !bytes.Equal(r.Body, want) {
		return fmt.Errorf("response %d: the body is %s, want %s", n, clip(r.Body), clip(want))
	}
	return nil
}

func (w *world) nthHeader(n int, name, value string) error {
	r, err := w.nth(n)
	if err != nil {
		return err
	}
	vs := r.get(name)
	if !slices.ContainsFunc(vs, func(v string) bool { return strings.EqualFold(v, value) }) {
		return fmt.Errorf("response %d: %s is %q, want %q", n, name, vs, value)
	}
	return nil
}
