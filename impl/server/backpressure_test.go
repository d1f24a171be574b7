package server

import (
	"bytes"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// TestBackPressure: a client that pipelines without reading makes the
// server stop reading, and everything is answered, in order, once the
// client reads.
func TestBackPressure(t *testing.T) {
	// The reader checks the marks before each request it parses, but the
	// handlers of requests parsed from one read have not answered yet; so
	// at most HighWaterMark/response-size + PipelineLimit (+1 for the
	// request that crosses the mark) handlers start.
	tests := []struct {
		name, reason string
		srv          *Server
		body         int // response body size
		gated        bool
		requests     int
		maxStarted   int64 // handlers started while the client does not read
	}{
		{
			name:       "high-water mark",
			reason:     "with 1 KiB responses the server stops reading soon after 64 KiB (the default mark) are buffered",
			body:       1 << 10,
			requests:   2000,
			maxStarted: 64 + 128 + 1,
		},
		{
			name:       "lowered high-water mark",
			reason:     "HighWaterMark sets where reading stops",
			srv:        &Server{HighWaterMark: 8 << 10, PipelineLimit: 16},
			body:       1 << 10,
			requests:   2000,
			maxStarted: 8 + 16 + 1,
		},
		{
			name:       "pipeline limit",
			reason:     "with handlers that have not answered, at most PipelineLimit requests are read",
			srv:        &Server{PipelineLimit: 4},
			gated:      true,
			requests:   2000,
			maxStarted: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var started atomic.Int64
				g := newGate()
				srv := orNew(tt.srv)
				body := strings.Repeat("x", tt.body)
				srv.Handler = HandlerFunc(func(w ResponseWriter, r *Request) {
					started.Add(1)
					if tt.gated {
						<-g.ch
					}
					w.WriteString(r.Target + body)
				})
				c := pipeClient(t, srv)
				var req strings.Builder
				for i := range tt.requests {
					req.WriteString(get("/" + itoa(i)))
				}
				sent := c.sendAsync(req.String())
				synctest.Wait()
				if n := started.Load(); n > tt.maxStarted {
					t.Errorf("%s: %d handlers started while the client did not read, want at most %d", tt.reason, n, tt.maxStarted)
				}
				select {
				case <-sent:
					t.Fatalf("%s: the client wrote all %d requests although it read nothing", tt.reason, tt.requests)
				default:
				}
				g.release()
				got := c.read(tt.requests)
				for i, r := range got {
					if want := "/" + itoa(i) + body; r.Body != want {
						t.Fatalf("response %d: body %.20q…, want %.20q…", i, r.Body, want)
					}
				}
				<-sent
			})
		})
	}
}

// TestStreamingBackPressure: a handler streaming to a client that does
// not read blocks in Write instead of buffering its whole body.
func TestStreamingBackPressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var written atomic.Int64
		const total = 8 << 20
		chunk := bytes.Repeat([]byte("y"), 4<<10)
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			for written.Load() < total {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				written.Add(int64(len(chunk)))
			}
		})}
		c := pipeClient(t, srv)
		c.send(get("/", "Connection: close"))
		synctest.Wait()
		if n := written.Load(); n > 512<<10 {
			t.Errorf("handler wrote %d bytes to a client that reads nothing; want it blocked after a bounded amount", n)
		}
		got := c.readToEOF()
		if len(got) != 1 || len(got[0].Body) != total {
			t.Errorf("got %d responses, body %d bytes; want 1 of %d", len(got), len(got[0].Body), total)
		}
	})
}

// TestPipelinedHeapBounded: a client pipelining 100,000 requests without
// reading raises the server's heap by less than 32 MiB.
func TestPipelinedHeapBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 requests")
	}
	synctest.Test(t, func(t *testing.T) {
		const n = 100_000
		var handled atomic.Int64
		srv := &Server{Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			handled.Add(1)
			w.WriteString("hello, world")
		})}
		cli, sc := net.Pipe()
		served := make(chan struct{})

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)

		go func() {
			defer close(served)
			srv.ServeConn(sc)
		}()
		// The client writes requests from a small buffer, never reads.
		wrote := make(chan int, 1)
		go func() {
			req := []byte(get("/hello"))
			var batch []byte
			for range 64 {
				batch = append(batch, req...)
			}
			sent := 0
			for sent < n {
				if _, err := cli.Write(batch); err != nil {
					break
				}
				sent += 64
			}
			wrote <- sent
		}()
		synctest.Wait()

		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		t.Logf("heap growth %d KiB with %d requests handled while the client did not read", growth>>10, handled.Load())
		if growth >= 32<<20 {
			t.Errorf("heap grew by %d MiB, want < 32 MiB", growth>>20)
		}
		if h := handled.Load(); h >= n {
			t.Errorf("all %d requests were handled although the client read nothing", h)
		}
		cli.Close()
		<-wrote
		<-served
	})
}
