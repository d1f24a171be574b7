package corpus

import (
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// twoMessages are the events of a GET with a chunked body "hi" followed
// by a POST cut short by an invalid chunk size, built by hand so that the
// checks do not depend on the parser.
var twoMessages = []parser.Event{
	{Kind: parser.EvMessageBegin, Off: 0},
	{Kind: parser.EvSpan, Off: 4, Span: parser.SpanURL, Data: []byte("/a")},
	{Kind: parser.EvHeadersComplete, Off: 40, Type: parser.Request, Method: parser.MethodGet,
		Major: 1, Minor: 1, Flags: parser.FlagChunked | parser.FlagTransferEncoding},
	{Kind: parser.EvChunkHeader, Off: 43, ContentLength: 2},
	{Kind: parser.EvSpan, Off: 43, Span: parser.SpanBody, Data: []byte("h")},
	{Kind: parser.EvSpan, Off: 44, Span: parser.SpanBody, Data: []byte("i")},
	{Kind: parser.EvChunkComplete, Off: 47},
	{Kind: parser.EvChunkHeader, Off: 50, ContentLength: 0},
	{Kind: parser.EvMessageComplete, Off: 52},
	{Kind: parser.EvMessageBegin, Off: 52},
	{Kind: parser.EvSpan, Off: 57, Span: parser.SpanURL, Data: []byte("/b")},
	{Kind: parser.EvHeadersComplete, Off: 80, Type: parser.Request, Method: parser.MethodPost,
		Major: 1, Minor: 0, Flags: parser.FlagContentLength, ContentLength: 7},
	{Kind: parser.EvError, Off: 81, Code: parser.ErrInvalidChunkSize, Reason: "x"},
}

func TestExpectCheck(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		expect  string
		wantErr string // "" for a match
	}{
		{"full match", "every property agrees",
			`error HPE_INVALID_CHUNK_SIZE at 81 messages=1 method=GET,POST version=1.1,1.0 flags=208,20 cl=0,7 chunks=2,0 url="/a" url="/b" body="hi" body=""`, ""},
		{"code only", "unchecked properties are not compared", "error HPE_INVALID_CHUNK_SIZE", ""},
		{"ok but error", "an error where none is expected", "ok",
			"outcome: want ok, got HPE_INVALID_CHUNK_SIZE"},
		{"wrong code", "another error", "error HPE_INVALID_METHOD",
			"outcome: want HPE_INVALID_METHOD, got HPE_INVALID_CHUNK_SIZE"},
		{"wrong offset", "the offset is checked when given", "error HPE_INVALID_CHUNK_SIZE at 80",
			"HPE_INVALID_CHUNK_SIZE offset: want 80, got 81"},
		{"wrong count", "messages completed", "error HPE_INVALID_CHUNK_SIZE messages=2",
			"messages: want 2, got 1"},
		{"wrong method", "methods in order", "error HPE_INVALID_CHUNK_SIZE method=POST,GET",
			"method: want [POST,GET], got [GET,POST]"},
		{"wrong version", "versions in order", "error HPE_INVALID_CHUNK_SIZE version=1.1,1.1",
			"version: want [1.1,1.1], got [1.1,1.0]"},
		{"wrong flags", "flags in hex", "error HPE_INVALID_CHUNK_SIZE flags=8,20",
			"flags: want [8,20], got [208,20]"},
		{"wrong chunks", "chunk sizes in order", "error HPE_INVALID_CHUNK_SIZE chunks=2",
			"chunks: want [2], got [2,0]"},
		{"missing body", "one body per message begun", `error HPE_INVALID_CHUNK_SIZE body="hi"`,
			`body: want ["hi"], got ["hi",""]`},
		{"wrong url", "targets per message", `error HPE_INVALID_CHUNK_SIZE url="/a" url="/c"`,
			`url: want ["/a","/c"], got ["/a","/b"]`},
		{"status on requests", "requests have no status", "error HPE_INVALID_CHUNK_SIZE status=200",
			"status: want [200], got []"},
		{"upgrade", "upgrade is HPE_PAUSED_UPGRADE", "upgrade",
			"outcome: want HPE_PAUSED_UPGRADE, got HPE_INVALID_CHUNK_SIZE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseExpect(tt.expect)
			if err != nil {
				t.Fatalf("parseExpect(%q): %v", tt.expect, err)
			}
			err = e.Check(twoMessages)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check: %v; want a match (%s)", err, tt.reason)
			case tt.wantErr != "" && err == nil:
				t.Errorf("Check matched; want %q (%s)", tt.wantErr, tt.reason)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Check: %v\nwant it to contain %q (%s)", err, tt.wantErr, tt.reason)
			}
		})
	}
}

func TestExpectQuotedEscapes(t *testing.T) {
	e, err := parseExpect(`ok body="a b\r\n\t\\\"\x00\xff"`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a b\r\n\t\\\"\x00\xff"; len(e.Bodies) != 1 || e.Bodies[0] != want {
		t.Errorf("Bodies = %q, want [%q]", e.Bodies, want)
	}
}
