package features

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/conformhttp/conform/internal/serve"
)

// echoOf decodes a response from the reference server's /echo route.
func echoOf(body []byte) (*serve.Echo, error) {
	var e serve.Echo
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("the response is not an /echo document (%v): %s", err, clip(body))
	}
	return &e, nil
}

// echoedBody returns the body an echo reports, decoding base64.
func echoedBody(e *serve.Echo) (string, error) {
	if e.Body != nil {
		return *e.Body, nil
	}
	b, err := base64.StdEncoding.DecodeString(e.BodyBase64)
	return string(b), err
}

func checkEchoBody(body []byte, s string) error {
	want, err := wantBytes(s)
	if err != nil {
		return err
	}
	e, err := echoOf(body)
	if err != nil {
		return err
	}
	got, err := echoedBody(e)
	if err != nil {
		return err
	}
	if got != string(want) {
		return fmt.Errorf("the server read the body %s, want %s", clip([]byte(got)), clip(want))
	}
	return nil
}

func (w *world) echoBody(s string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	return checkEchoBody(r.Body, s)
}

func (w *world) nthEchoBody(n int, s string) error {
	r, err := w.nth(n)
	if err != nil {
		return err
	}
	if err := checkEchoBody(r.Body, s); err != nil {
		return fmt.Errorf("response %d: %w", n, err)
	}
	return nil
}

func (w *world) agentEchoBody(n int, s string) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	return checkEchoBody(ar.body, s)
}

func (w *world) echoHeader(name, s string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	want, err := wantBytes(s)
	if err != nil {
		return err
	}
	e, err := echoOf(r.Body)
	if err != nil {
		return err
	}
	var got []string
	for _, f := range e.Headers {
		if !strings.EqualFold(f.Name, name) {
			continue
		}
		v := f.ValueBase64
		if f.Value != nil {
			v = *f.Value
		} else if b, err := base64.StdEncoding.DecodeString(v); err == nil {
			v = string(b)
		}
		if v == string(want) {
			return nil
		}
		got = append(got, v)
	}
	return fmt.Errorf("the server read %s as %q, want %q", name, got, want)
}

func (w *world) echoFraming(framing string) error {
	r, err := w.lastResponse()
	if err != nil {
		return err
	}
	e, err := echoOf(r.Body)
	if err != nil {
		return err
	}
	if e.Framing != framing {
		return fmt.Errorf("the server read the body with %s framing, want %s", e.Framing, framing)
	}
	return nil
}
