package fuzz

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/conformhttp/conform/differential"
	"github.com/conformhttp/conform/impl/parser"
)

// check runs the property check of the fuzz target named target (without
// its "Fuzz" prefix) on one input.
func check(t *testing.T, target string, in []byte) error {
	t.Helper()
	switch target {
	case "ParseRequest":
		return CheckParse(parser.Request, in, MeasureAllocs)
	case "ParseResponse":
		return CheckParse(parser.Response, in, MeasureAllocs)
	case "SplitInvariance":
		return CheckSplit(in)
	case "RoundTrip":
		return CheckRoundTrip(in)
	case "StructuredRequest":
		known, err := KnownDifferences()
		if err != nil {
			t.Fatal(err)
		}
		return CheckStructured(in, known)
	case "ServerPipeline", "Agent":
		var err error
		synctest.Test(t, func(*testing.T) {
			if target == "Agent" {
				err = CheckAgent(in)
			} else {
				err = CheckPipeline(in)
			}
		})
		return err
	}
	t.Fatalf("no check for target %q", target)
	return nil
}

// TestRegressions runs, by name, the inputs under testdata/fuzz that
// fuzzing found failing (go test also runs them as seeds of their
// targets). Each says what was wrong and what fixed it.
func TestRegressions(t *testing.T) {
	tests := []struct {
		name, reason string
		target, file string
	}{
		{"http10-keep-alive-and-close", "ShouldKeepAlive was true for HTTP/1.0 with Connection: keep-alive, close (RFC 9112 §9.3: close wins); fixed in impl/parser 735a33f",
			"ParseResponse", "http10-keep-alive-and-close"},
		{"pause-in-span-callback", "a pause from OnMethod, OnURL, OnProtocol or OnVersion lost the span's complete event; fixed in impl/parser 735a33f",
			"SplitInvariance", "pause-in-span-callback"},
		{"pause-before-obs-fold", "after a pause in OnHeaderValueComplete an obs-fold got another error reason; fixed in impl/parser 735a33f",
			"SplitInvariance", "pause-before-obs-fold"},
		{"pause-in-last-body", "a pause from the OnBody that delivered the last byte of a Content-Length body, at the end of the input, left the message incomplete at Finish; fixed in impl/parser 6e1ff7d",
			"SplitInvariance", "pause-in-last-body"},
		{"pause-at-end-of-input", "a pause in OnMethod at the end of the input: the method complete event is owed until Execute is called again, even with no bytes; the driver skipped that call (as parser.Trace does) and lost the event",
			"SplitInvariance", "pause-at-end-of-input"},
		{"fold-after-fold", "an obs-fold's SP, the rest of its whitespace, a bare CR (LenientOptionalLFAfterCR) and another fold: the checker's fold gap was too narrow (a checker fault)",
			"ParseRequest", "fold-after-fold"},
		{"retry-into-dropped-pool", "the Agent's retry on a fresh socket went into a dropped pool: a dial past MaxSockets, and Close hung; fixed in impl/client 2f31de8",
			"Agent", "retry-into-dropped-pool"},
		{"unasked-bytes-twice", "two writes of unasked bytes on one fake connection queued on net.Pipe's mutex, which hid a deadlock from synctest (a harness fault, fixed with one writer per connection)",
			"Agent", "unasked-bytes-twice"},
		{"close-after-answer", "the fake server closed a connection before its writer had sent the response, which the Agent took for a hang-up and retried; a harness fault, fixed by closing after the writes",
			"Agent", "close-after-answer"},
		{"pause-in-reset", "a pause from OnReset made the parser fire OnReset again forever (a livelock); fixed in impl/parser 0f73c31",
			"SplitInvariance", "pause-in-reset"},
		{"http10-empty-transfer-encoding", "ours refuses an empty Transfer-Encoding in HTTP/1.0, net/http ignores it: intended, differential/known.txt te-empty",
			"StructuredRequest", "http10-empty-transfer-encoding"},
		{"pct-encoding-in-query", "ours refuses \"%VV\" in the query, net/http keeps the query raw: intended, pending-nethttp-pct-encoding-query",
			"StructuredRequest", "pct-encoding-in-query"},
		{"trailer-declares-transfer-encoding", "net/http refuses Trailer: Transfer-Encoding, ours leaves the field to the server: intended, pending-nethttp-trailer-declares-framing",
			"StructuredRequest", "trailer-declares-transfer-encoding"},
		{"connect-chunked-body", "net/http reads the chunked body of a CONNECT request and refuses its trailer, ours switched to the tunnel at the head: intended, pending-nethttp-connect-body-rejected",
			"StructuredRequest", "connect-chunked-body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ReadSeedFile(filepath.Join("testdata", "fuzz", "Fuzz"+tt.target, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := check(t, tt.target, in); err != nil {
				t.Errorf("%s:\n%v", tt.reason, err)
			}
		})
	}
}

// TestPendingStillPending checks each entry of pending.txt against an
// input that needs it: the differential's own list must not cover the
// input yet (else the entry goes), and the entry must.
func TestPendingStillPending(t *testing.T) {
	tests := []struct {
		id, file string
	}{
		{"pending-nethttp-pct-encoding-query", "pct-encoding-in-query"},
		{"pending-nethttp-trailer-declares-framing", "trailer-declares-transfer-encoding"},
		{"pending-nethttp-connect-body-rejected", "connect-chunked-body"},
	}
	theirs, err := differential.LoadKnown()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := KnownDifferences()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			data, err := ReadSeedFile(filepath.Join("testdata", "fuzz", "Fuzz"+"StructuredRequest", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			in := differential.Input{Name: tt.file, Type: parser.Request, Data: append(DecodeRequest(data).Serialize(), Sentinel...), EOF: true}
			run := func(l *differential.KnownList) differential.Result {
				d := &differential.Differ{Others: []differential.Oracle{differential.NetHTTP{}}, Known: l}
				res, err := d.Check(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				return res[0]
			}
			if r := run(theirs); len(r.Unknown()) == 0 {
				t.Errorf("differential/known.txt covers %q now (%s): remove %s from pending.txt", tt.file, r.RejectionKnown, tt.id)
			}
			r := run(ours)
			if len(r.Unknown()) != 0 || r.RejectionKnown != tt.id {
				t.Errorf("with pending.txt, %q is covered by %q (unknown: %q); want %s", tt.file, r.RejectionKnown, r.Unknown(), tt.id)
			}
			covered[tt.id] = true
		})
	}
	pending, err := differential.ParseKnown("pending.txt", pendingText)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range pending.Entries {
		if !covered[k.ID] {
			t.Errorf("pending.txt entry %s has no input in TestPendingStillPending", k.ID)
		}
	}
}
