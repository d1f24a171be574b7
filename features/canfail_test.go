package features

import (
	"bytes"
	"context"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sloppy is a broken HTTP server: it answers every "\r\n\r\n" it reads
// with "200 ok" (after a 100 Continue if the head asks for one, whatever
// its version), reads no bodies, and never closes a connection. The @live
// scenarios that a server this careless must fail show that their steps
// can fail.
func sloppy(c net.Conn) {
	defer c.Close()
	var pending []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			i := bytes.Index(pending, []byte("\r\n\r\n"))
			if i < 0 {
				break
			}
			head := pending[:i]
			pending = pending[i+4:]
			answer := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
			if bytes.Contains(head, []byte("Expect: 100-continue")) {
				answer = "HTTP/1.1 100 Continue\r\n\r\n" + answer
			}
			if _, werr := c.Write([]byte(answer)); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestScenariosCanFail runs the @live scenarios against the sloppy server
// and checks which fail: each must-fail scenario below has steps that
// notice a server that does not frame, reject or close.
func TestScenariosCanFail(t *testing.T) {
	results, err := Run(context.Background(), Options{
		Target:  &memTarget{name: "sloppy", start: perConn(sloppy)},
		bubbles: t,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Verdict{}
	for _, r := range results {
		if r.Verdict != Pass {
			got[r.ID] = r.Verdict
		}
	}
	want := map[string]Verdict{
		// Not rejected: answered 200.
		"parsing/two-different-content-length-values-are-rejected-with-400":                              Fail,
		"parsing/a-content-length-that-is-not-a-number-is-rejected-with-400":                             Fail,
		"parsing/a-transfer-encoding-that-does-not-end-in-chunked-is-rejected-and-the-connection-closed": Fail,
		"parsing/whitespace-between-a-field-name-and-its-colon-is-rejected-with-400":                     Fail,
		"parsing/a-request-with-no-host-field-is-rejected-with-400":                                      Fail,
		"parsing/a-request-with-two-host-fields-is-rejected-with-400":                                    Fail,
		"parsing/a-request-with-an-invalid-host-is-rejected-with-400":                                    Fail,
		// Not closed, or a second response where none may come.
		"parsing/a-request-with-both-content-length-and-transfer-encoding-is-answered-or-rejected-then-the-connection-is-closed": Fail,
		"parsing/a-chunk-size-too-large-for-64-bits-is-never-wrapped-around":                                                     Fail,
		"keep-alive/a-request-with-connection-close-is-answered-then-the-server-closes-the-connection":                           Fail,
		"keep-alive/an-http-1-0-request-without-keep-alive-is-answered-then-the-connection-closes":                               Fail,
		"keep-alive/a-request-pipelined-after-an-http-1-0-request-without-keep-alive-is-not-answered":                            Fail,
		"keep-alive/the-answer-to-a-request-with-connection-close-says-close-too":                                                Fail,
		"pipelining/requests-pipelined-after-one-with-connection-close-are-not-answered":                                         Fail,
		"pipelining/a-malformed-request-in-the-middle-of-a-pipeline-is-refused-and-ends-the-connection":                          Fail,
		// The HEAD response is read without a body, so the 200's "ok" is
		// taken for the start of the next response.
		"pipelining/a-head-request-inside-a-pipeline-gets-a-response-without-content": Fail,
		// Bodies not read: their bytes are taken for requests.
		"pipelining/a-request-pipelined-after-a-post-with-a-content-length-body-is-answered": Fail,
		"pipelining/a-request-pipelined-after-a-post-with-a-chunked-body-is-answered":        Fail,
		// Neither rejected nor answered: it waits for a CRLF CRLF.
		"parsing/a-request-whose-lines-end-in-bare-lf-is-either-rejected-or-read-as-if-they-ended-in-crlf": Fail,
		// A 100 Continue to an HTTP/1.0 request.
		"expect-continue/an-expectation-in-an-http-1-0-request-is-ignored": Fail,
		// A 200 with Content-Length, where a tunnel would begin.
		"connect/any-2xx-answer-to-connect-comes-without-body-framing": Fail,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scenarios that do not pass against a sloppy server (-want +got):\n%s", diff)
		for _, r := range results {
			if r.Verdict != Pass {
				t.Logf("%s: %s", r.ID, r.Reason)
			}
		}
	}
}
