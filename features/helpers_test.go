package features

import (
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeEscapes(t *testing.T) {
	tests := []struct {
		name, reason string
		in           string
		want         string
		err          string // substring of the error, "" for none
	}{
		{name: "plain", reason: "text without backslashes is sent as written", in: "GET / HTTP/1.1", want: "GET / HTTP/1.1"},
		{name: "line ending", reason: `\r and \n are CR and LF`, in: `a\r\nb\n`, want: "a\r\nb\n"},
		{name: "tab and quote", reason: `\t is HTAB, \" a quote`, in: `a\tb\"c`, want: "a\tb\"c"},
		{name: "hex", reason: `\xNN is any byte, either case`, in: `\x00\x7f\xFF`, want: "\x00\x7f\xff"},
		{name: "backslash", reason: `\\ is one backslash`, in: `a\\b`, want: `a\b`},
		{name: "unknown", reason: "an unknown escape is an error naming it", in: `a\qb`, err: `unknown escape \q`},
		{name: "short hex", reason: `\x needs two digits`, in: `a\x4`, err: "two hexadecimal digits"},
		{name: "bad hex", reason: "hex digits only", in: `\xg0`, err: "not two hexadecimal digits"},
		{name: "trailing backslash", reason: "a lone backslash at the end", in: `abc\`, err: "backslash ends the text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeEscapes(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s: decodeEscapes(%q) = %q, %v; want an error containing %q", tc.reason, tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("%s: (-want +got)\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDecodeDocString(t *testing.T) {
	tests := []struct {
		name, reason string
		in, want     string
	}{
		{
			name:   "layout",
			reason: "line breaks and indentation of the file are not sent",
			in:     "GET / HTTP/1.1\\r\\n\n   Host: a\\r\\n\n\\r\\n",
			want:   "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		},
		{
			name:   "edge spaces",
			reason: `spaces at either end of a line are layout; \x20 keeps one`,
			in:     "  a  \n\\x20b",
			want:   "a b",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeDocString(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("%s: (-want +got)\n%s", tc.reason, diff)
			}
		})
	}
	if _, err := decodeDocString("ok\nbad \\q here"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("an escape error names its docstring line; got %v", err)
	}
}

func TestCombineTags(t *testing.T) {
	tests := []struct {
		name, reason string
		base, user   string
		want, err    string
	}{
		{name: "empty", reason: "no user expression keeps the target's", base: "@live", want: "@live"},
		{name: "and", reason: "a term is ANDed", base: "@live", user: "@must", want: "@live&&@must"},
		{name: "or", reason: "the target's selection goes into every alternative", base: "~@slow", user: "@must,@should&&~@agent", want: "~@slow&&@must,~@slow&&@should&&~@agent"},
		{name: "bad term", reason: "godog panics on an empty term, so it is refused first", base: "@live", user: "@must&&", err: "is not a tag"},
		{name: "no at", reason: "tags start with @", base: "@live", user: "must", err: "is not a tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := combineTags(tc.base, tc.user)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s: got %q, %v; want an error containing %q", tc.reason, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("%s: combineTags(%q, %q) = %q, %v; want %q", tc.reason, tc.base, tc.user, got, err, tc.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	got := describe("parsing.feature", "a bare CR is rejected (or replaced)", []string{"@live", "@must", "@rfc9112-2.2", "@rfc9110-5.5"})
	want := Scenario{
		ID: "parsing/a-bare-cr-is-rejected-or-replaced", File: "parsing.feature", Name: "a bare CR is rejected (or replaced)",
		Tags:  []string{"@live", "@must", "@rfc9112-2.2", "@rfc9110-5.5"},
		RFC:   []Ref{{RFC: 9112, Section: "2.2"}, {RFC: 9110, Section: "5.5"}},
		Level: "MUST",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("describe: the id is a slug of the name, RFC and level come from the tags (-want +got)\n%s", diff)
	}
}

func TestParseList(t *testing.T) {
	got, err := parseList(`"a", "b, c" and "d\"e"`)
	if diff := cmp.Diff([]string{"a", "b, c", `d\"e`}, got); diff != "" || err != nil {
		t.Errorf("items are the quoted strings, commas inside quotes included (-want +got, err %v)\n%s", err, diff)
	}
	if _, err := parseList(`"a" or "b"`); err == nil {
		t.Error(`parseList accepted "or", which is not a list separator`)
	}
}

// TestPipe checks the TCP-like behaviour scenarios rely on, on the fake
// clock.
func TestPipe(t *testing.T) {
	t.Run("half-close", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, b := newPipe("a", "b", 64, 64)
			a.Write([]byte("hi"))
			a.CloseWrite()
			got, err := io.ReadAll(b)
			if string(got) != "hi" || err != nil {
				t.Errorf("after a half-close the peer reads the bytes then EOF; got %q, %v", got, err)
			}
			if _, err := b.Write([]byte("back")); err != nil {
				t.Errorf("the half-closed side can still be written to; got %v", err)
			}
			buf := make([]byte, 4)
			if n, err := a.Read(buf); string(buf[:n]) != "back" || err != nil {
				t.Errorf("the half-closed side still reads; got %q, %v", buf[:n], err)
			}
		})
	})
	t.Run("close with unread bytes resets", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, b := newPipe("a", "b", 64, 64)
			b.Write([]byte("answer"))
			a.Write([]byte("unread"))
			b.Close()
			buf := make([]byte, 16)
			n, err := a.Read(buf)
			if string(buf[:n]) != "answer" || err != nil {
				t.Errorf("bytes sent before the reset are still read; got %q, %v", buf[:n], err)
			}
			if _, err := a.Read(buf); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("then the read fails with ECONNRESET; got %v", err)
			}
			if _, err := a.Write([]byte("x")); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("and writes fail with ECONNRESET; got %v", err)
			}
		})
	})
	t.Run("close without unread bytes is EOF", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, b := newPipe("a", "b", 64, 64)
			b.Close()
			if _, err := a.Read(make([]byte, 1)); err != io.EOF {
				t.Errorf("a clean close reads as EOF; got %v", err)
			}
		})
	})
	t.Run("writing to a closed peer", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, b := newPipe("a", "b", 64, 64)
			b.Write([]byte("last"))
			b.Close()
			if n, err := a.Write([]byte("late")); n != 4 || err != nil {
				t.Errorf("the first write to a closed peer succeeds, as on TCP; got %d, %v", n, err)
			}
			if _, err := a.Write([]byte("again")); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("the peer's reset fails the next write; got %v", err)
			}
			got, err := io.ReadAll(a)
			if string(got) != "last" || !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("what the peer sent is still read, then the reset; got %q, %v", got, err)
			}
		})
	})
	t.Run("read deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, _ := newPipe("a", "b", 64, 64)
			start := time.Now()
			a.SetReadDeadline(start.Add(5 * time.Second))
			_, err := a.Read(make([]byte, 1))
			if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != 5*time.Second {
				t.Errorf("a read with nothing to read fails at its deadline; got %v after %v", err, time.Since(start))
			}
		})
	})
	t.Run("capacity", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a, b := newPipe("a", "b", 4, 4)
			a.SetWriteDeadline(time.Now().Add(time.Second))
			n, err := a.Write([]byte("123456"))
			if n != 4 || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("a writer waits once the reader's buffer is full; got %d, %v", n, err)
			}
			done := make(chan error)
			a.SetWriteDeadline(time.Time{})
			go func() {
				_, err := a.Write([]byte("56"))
				done <- err
			}()
			buf := make([]byte, 4)
			b.Read(buf)
			if err := <-done; err != nil {
				t.Errorf("reading makes room for the waiting writer; got %v", err)
			}
		})
	})
}
