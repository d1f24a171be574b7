package fuzz

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/conformhttp/conform/impl/parser"
)

func TestGenRequestEncode(t *testing.T) {
	for i, r := range genSamples() {
		got := DecodeRequest(r.Encode())
		if diff := cmp.Diff(r, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("sample %d: decode(encode(r)) (-want +got):\n%s", i, diff)
		}
	}
}

func TestGenRequestSerialize(t *testing.T) {
	tests := []struct {
		name, reason string
		r            GenRequest
		want         string
	}{
		{"plain", "the zero request is a GET with a Host field", GenRequest{},
			"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
		{"content-length", "a body with its Content-Length, framing fields where FramePos says",
			GenRequest{Method: 2, Framing: frameLength, Body: []byte("abc"), Fields: []GenField{{Name: 0, Value: "x"}}, FramePos: 0},
			"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\nAccept: x\r\n\r\nabc"},
		{"chunked", "chunks as the chunk list cuts the body, the rest in one, trailers declared",
			GenRequest{Method: 2, Framing: frameChunked, Body: []byte("abcdef"), Chunks: []GenChunk{{Len: 2, Size: sizeZeros, Ext: 2}},
				Trailers: []GenField{{Name: len(genNames()), Custom: "T", Value: "v"}}, Declare: 1},
			"POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTrailer: T\r\n\r\n0006;a=b\r\nabcdef\r\n0\r\nT: v\r\n\r\n"},
		{"obfuscated", "a field with SP before the colon, an obs-fold and a bare LF; a request line with a leading CRLF",
			GenRequest{LineFlags: lineLeadCRLF, Fields: []GenField{{Name: 1, Case: caseLower, Value: "ab", Flags: fieldSPColon | fieldFold | fieldBareLF}}},
			"\r\nGET / HTTP/1.1\r\nHost: example.com\r\nuser-agent : a\r\n b\n\r\n"},
		{"authority", "CONNECT to host:port", GenRequest{Method: 6, Form: formAuthority, Host: "h", Port: "443", HostField: hostNone},
			"CONNECT h:443 HTTP/1.1\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, string(tt.r.Serialize())); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestFromMessage(t *testing.T) {
	in := "PUT /a/b?c=d HTTP/1.0\r\nHost: x\r\nX-Y: z\r\nContent-Length: 2\r\n\r\nhi"
	s := ParseStream(parser.Config{Type: parser.Request}, Options{}, []byte(in))
	r, ok := FromMessage(s.Messages[0])
	if !ok {
		t.Fatal("FromMessage refused a plain request")
	}
	want := "PUT /a/b?c=d HTTP/1.0\r\nHost: example.com\r\nX-Y: z\r\nContent-Length: 2\r\n\r\nhi"
	if diff := cmp.Diff(want, string(r.Serialize())); diff != "" {
		t.Errorf("serialised (-want +got):\n%s", diff)
	}
	if _, ok := FromMessage(Message{Method: "GET", Target: "/\x01", Major: 1, Minor: 1}); ok {
		t.Errorf("FromMessage took a target outside the generator's alphabets")
	}
}

func TestPipelineEncode(t *testing.T) {
	pl := &Pipeline{Requests: []PipeRequest{{Method: 1, Framing: 1, Body: []byte("x")}, {Fault: faultGarbage, Garbage: []byte("zz")},
		{Fault: faultCut, Cut: 9}}, Pieces: []int{1, 256}, PipelineLimit: 2, HighWaterMark: 3, MaxRequestsPerSocket: 4}
	if diff := cmp.Diff(pl, DecodePipeline(pl.Encode()), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("decode(encode(pl)) (-want +got):\n%s", diff)
	}
}

func TestPipelineExpect(t *testing.T) {
	get := PipeRequest{}
	tests := []struct {
		name, reason string
		pl           Pipeline
		want         expectation
	}{
		{"keep-alive", "every request answered", Pipeline{Requests: []PipeRequest{get, get}},
			expectation{Answered: []int{0, 1}, Methods: []string{"GET", "GET"}, BodyLen: []int{0, 0}}},
		{"close", "nothing after Connection: close", Pipeline{Requests: []PipeRequest{{Close: 1}, get}},
			expectation{Answered: []int{0}, Methods: []string{"GET"}, BodyLen: []int{0}}},
		{"max-requests", "nothing after MaxRequestsPerSocket", Pipeline{Requests: []PipeRequest{get, get, get}, MaxRequestsPerSocket: 2},
			expectation{Answered: []int{0, 1}, Methods: []string{"GET", "GET"}, BodyLen: []int{0, 0}}},
		{"connect", "no answer to CONNECT without OnConnect", Pipeline{Requests: []PipeRequest{get, {Method: 6}, get}},
			expectation{Answered: []int{0}, Methods: []string{"GET"}, BodyLen: []int{0}}},
		{"garbage", "an error response for what cannot be read", Pipeline{Requests: []PipeRequest{get, {Fault: faultGarbage}}},
			expectation{Answered: []int{0}, Methods: []string{"GET"}, BodyLen: []int{0}, Error: true}},
		{"cut", "an error response (timeout) for a request cut short", Pipeline{Requests: []PipeRequest{{Fault: faultCut, Cut: 3}}},
			expectation{Error: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.pl.expect(tt.pl.Stream())); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestCompareResponses(t *testing.T) {
	want := expectation{Answered: []int{0, 1}, BodyLen: []int{0, 3}, Error: true}
	ok := []pipeResponse{{200, "0", "0"}, {200, "1", "3"}, {400, "", ""}}
	tests := []struct {
		name, reason string
		got          []pipeResponse
		fail         string
	}{
		{"ok", "answers in order, then the error", ok, ""},
		{"missing", "one response per request", ok[:2], "2 responses; want 3"},
		{"order", "responses in request order", []pipeResponse{ok[1], ok[0], ok[2]}, "answers request \"1\"; want 0"},
		{"body", "the handler read the whole body", []pipeResponse{ok[0], {200, "1", "2"}, ok[2]}, "read \"2\" body bytes"},
		{"no-error", "the last response is an error", []pipeResponse{ok[0], ok[1], {200, "", ""}}, "want an error"},
		{"status", "answered requests get 200", []pipeResponse{{500, "0", "0"}, ok[1], ok[2]}, "status 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compareResponses(want, tt.got)
			if tt.fail == "" && got != "" || tt.fail != "" && !strings.Contains(got, tt.fail) {
				t.Errorf("%s: compareResponses = %q; want %q", tt.reason, got, tt.fail)
			}
		})
	}
}
