package benchload

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// chunkReader returns its chunks one per Read (a chunk longer than the
// caller's buffer over several), then io.EOF.
type chunkReader struct {
	chunks []string
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	if r.chunks[0] == "" {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

func resp(body string) string {
	return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// splitEvery cuts s into pieces of n bytes (the last may be shorter).
func splitEvery(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}

var (
	hello    = resp("Hello, World!")
	big      = resp(strings.Repeat("x", 100_000))
	noCL     = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nHello"
	notFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
)

// counted is what a sequence of calls produced: the size each call
// returned, and the error that ended the sequence.
type counted struct {
	Sizes []int
	Err   string // the sentinel error matched, "" for none
}

func sentinel(err error) string {
	for _, s := range []error{ErrStatus, ErrNoContentLength, ErrBadContentLength, io.ErrUnexpectedEOF} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	if err != nil {
		return "unexpected: " + err.Error()
	}
	return ""
}

func TestReadResponses(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		chunks []string
		calls  []int // n for each ReadResponses call
		want   counted
	}{
		{
			name:   "one response, one read",
			reason: "the plain case",
			chunks: []string{hello},
			calls:  []int{1},
			want:   counted{Sizes: []int{len(hello)}},
		},
		{
			name:   "split in the status line",
			reason: "a read may end anywhere, even before the status code",
			chunks: []string{hello[:11], hello[11:]},
			calls:  []int{1},
			want:   counted{Sizes: []int{len(hello)}},
		},
		{
			name:   "split inside CRLF CRLF",
			reason: "the head's end must be found across reads",
			chunks: []string{hello[:strings.Index(hello, "\r\n\r\n")+2], hello[strings.Index(hello, "\r\n\r\n")+2:]},
			calls:  []int{1},
			want:   counted{Sizes: []int{len(hello)}},
		},
		{
			name:   "split in the body",
			reason: "a complete head is not a complete response",
			chunks: []string{hello[:len(hello)-5], hello[len(hello)-5:]},
			calls:  []int{1},
			want:   counted{Sizes: []int{len(hello)}},
		},
		{
			name:   "one byte per read",
			reason: "the worst split",
			chunks: splitEvery(hello+hello, 1),
			calls:  []int{2},
			want:   counted{Sizes: []int{2 * len(hello)}},
		},
		{
			name:   "several responses in one read",
			reason: "a pipelined batch usually arrives in one read",
			chunks: []string{hello + hello + hello},
			calls:  []int{3},
			want:   counted{Sizes: []int{3 * len(hello)}},
		},
		{
			name:   "bytes past the n-th response stay for the next call",
			reason: "one read may hold the start of the next batch",
			chunks: []string{hello + hello + hello[:20], hello[20:]},
			calls:  []int{1, 1, 1},
			want:   counted{Sizes: []int{len(hello), len(hello), len(hello)}},
		},
		{
			name:   "large body grows the buffer",
			reason: "a response larger than the buffer must still be counted whole",
			chunks: splitEvery(big+hello, 1000),
			calls:  []int{1, 1},
			want:   counted{Sizes: []int{len(big), len(hello)}},
		},
		{
			name:   "empty body",
			reason: "Content-Length: 0 ends the response at the head",
			chunks: []string{resp("") + hello},
			calls:  []int{2},
			want:   counted{Sizes: []int{len(resp("")) + len(hello)}},
		},
		{
			name:   "field name in lower case, OWS around the value",
			reason: "field names are case-insensitive (RFC 9110 5.1); OWS is allowed around values",
			chunks: []string{"HTTP/1.1 200 OK\r\ncontent-length:\t 2 \r\n\r\nhi"},
			calls:  []int{1},
			want:   counted{Sizes: []int{len("HTTP/1.1 200 OK\r\ncontent-length:\t 2 \r\n\r\nhi")}},
		},
		{
			name:   "HTTP/1.0 status line without reason",
			reason: "the version's minor digit and the reason phrase do not matter",
			chunks: []string{"HTTP/1.0 200\r\nContent-Length: 0\r\n\r\n"},
			calls:  []int{1},
			want:   counted{Sizes: []int{len("HTTP/1.0 200\r\nContent-Length: 0\r\n\r\n")}},
		},
		{
			name:   "missing Content-Length",
			reason: "without it the end of the body is unknown",
			chunks: []string{hello + noCL},
			calls:  []int{1, 1},
			want:   counted{Sizes: []int{len(hello)}, Err: ErrNoContentLength.Error()},
		},
		{
			name:   "Content-Length in a field value is not the field",
			reason: "only a field named Content-Length counts",
			chunks: []string{"HTTP/1.1 200 OK\r\nX-Note: Content-Length: 5\r\n\r\nhello"},
			calls:  []int{1},
			want:   counted{Err: ErrNoContentLength.Error()},
		},
		{
			name:   "non-numeric Content-Length",
			reason: "a value that is not a number cannot frame the body",
			chunks: []string{"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nhello"},
			calls:  []int{1},
			want:   counted{Err: ErrBadContentLength.Error()},
		},
		{
			name:   "status 404",
			reason: "a server that does not answer the handler's 200 is not measured",
			chunks: []string{hello + notFound},
			calls:  []int{2},
			want:   counted{Err: ErrStatus.Error()},
		},
		{
			name:   "status 2000",
			reason: "the code is exactly three digits",
			chunks: []string{"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"},
			calls:  []int{1},
			want:   counted{Err: ErrStatus.Error()},
		},
		{
			name:   "EOF in the body",
			reason: "a response cut short is an error, not a response",
			chunks: []string{hello[:len(hello)-1]},
			calls:  []int{1},
			want:   counted{Err: io.ErrUnexpectedEOF.Error()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &chunkReader{chunks: append([]string(nil), tt.chunks...)}
			var c Counter
			var got counted
			for _, n := range tt.calls {
				size, err := c.ReadResponses(src, n)
				if err != nil {
					got.Err = sentinel(err)
					break
				}
				got.Sizes = append(got.Sizes, size)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: ReadResponses (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestFeed(t *testing.T) {
	type fed struct {
		Responses, Size int
	}
	tests := []struct {
		name    string
		reason  string
		writes  []string
		want    []fed
		wantErr string
	}{
		{
			name:   "one response per write",
			reason: "net/http flushes each response by itself",
			writes: []string{hello, hello},
			want:   []fed{{1, len(hello)}, {1, len(hello)}},
		},
		{
			name:   "a batch in one write",
			reason: "servers that buffer pipelined responses write them together",
			writes: []string{hello + hello + hello},
			want:   []fed{{3, 3 * len(hello)}},
		},
		{
			name:   "head and body in separate writes",
			reason: "a response completes only with its last body byte",
			writes: []string{hello[:len(hello)-13], hello[len(hello)-13:]},
			want:   []fed{{0, 0}, {1, len(hello)}},
		},
		{
			name:   "a write ends inside the next response",
			reason: "the rest of a response is kept for the next write",
			writes: []string{hello + hello[:7], hello[7:] + hello},
			want:   []fed{{1, len(hello)}, {2, 2 * len(hello)}},
		},
		{
			name:   "large body in small writes",
			reason: "the buffer grows to hold a response larger than it",
			writes: splitEvery(big, 4096),
			want: func() []fed {
				n := len(splitEvery(big, 4096))
				out := make([]fed, n)
				out[n-1] = fed{1, len(big)}
				return out
			}(),
		},
		{
			name:    "status 404 after a good response",
			reason:  "the good one is counted, then the error stops counting",
			writes:  []string{hello + notFound},
			want:    []fed{{1, len(hello)}},
			wantErr: ErrStatus.Error(),
		},
		{
			name:    "missing Content-Length",
			reason:  "chunked or close-delimited responses cannot be counted",
			writes:  []string{noCL},
			want:    []fed{{0, 0}},
			wantErr: ErrNoContentLength.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Counter
			var got []fed
			var gotErr string
			for _, w := range tt.writes {
				n, size, err := c.Feed([]byte(w))
				got = append(got, fed{n, size})
				if err != nil {
					gotErr = sentinel(err)
					break
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: Feed results (-want +got):\n%s", tt.reason, diff)
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("%s: Feed error (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestCounterErrorSaysWhere checks that an error names the response and
// its offset in the stream, and quotes what was wrong.
func TestCounterErrorSaysWhere(t *testing.T) {
	var c Counter
	_, _, err := c.Feed([]byte(hello + hello + notFound))
	want := `benchload: response 3 at stream offset ` + itoa(2*len(hello)) + `: status is not 200: status line "HTTP/1.1 404 Not Found"`
	if err == nil {
		t.Fatalf("Feed: no error, want %q", want)
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("error text (-want +got):\n%s", diff)
	}
}

// TestCounterDoesNotAllocate checks the property the harnesses rely on:
// once grown, counting costs no allocation, so allocs/op is the server's.
func TestCounterDoesNotAllocate(t *testing.T) {
	batch := []byte(strings.Repeat(hello, 16))
	var c Counter
	c.Feed(batch)
	allocs := testing.AllocsPerRun(100, func() {
		if n, _, err := c.Feed(batch); n != 16 || err != nil {
			t.Fatalf("Feed = %d responses, %v; want 16, nil", n, err)
		}
	})
	if allocs != 0 {
		t.Errorf("Feed of a batch: %v allocations, want 0", allocs)
	}
}
