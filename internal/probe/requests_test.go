package probe

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMethods(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		data   string
		want   []string
	}{
		{"one", "a single request", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []string{"GET"}},
		{"pipelined", "each request in order", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\n\r\n", []string{"HEAD", "POST", "GET"}},
		{"lenient", "a malformed request still counts: a target may read it", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", []string{"GET"}},
		{"connect stops", "bytes after CONNECT are tunnel data", "CONNECT a:443 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", []string{"CONNECT"}},
		{"garbage", "nothing readable", "\x00\x01\x02", nil},
		{"incomplete", "a head not yet ended is not counted", "GET / HTTP/1.1\r\nHost: a\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Methods([]byte(tt.data))); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	str := func(cs [][]byte) []string {
		var out []string
		for _, c := range cs {
			out = append(out, string(c))
		}
		return out
	}
	tests := []struct {
		name   string
		reason string
		got    [][]byte
		want   []string
	}{
		{"bytes", "one byte each", Split([]byte("abc"), 1), []string{"a", "b", "c"}},
		{"uneven", "the last piece is shorter", Split([]byte("abcde"), 2), []string{"ab", "cd", "e"}},
		{"zero", "n < 1 counts as 1", Split([]byte("ab"), 0), []string{"a", "b"}},
		{"empty", "nothing to send", Split(nil, 3), nil},
		{"at", "cut before each offset", SplitAt([]byte("abcdef"), 1, 4), []string{"a", "bcd", "ef"}},
		{"at ignores", "offsets out of range or out of order are ignored", SplitAt([]byte("abcdef"), 0, 3, 2, 6, 9), []string{"abc", "def"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, str(tt.got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
	// Appending to a piece must not overwrite the next one.
	pieces := Split([]byte("abcd"), 2)
	_ = append(pieces[0], 'X')
	if string(pieces[1]) != "cd" {
		t.Errorf("pieces share capacity: %q", pieces[1])
	}
}
