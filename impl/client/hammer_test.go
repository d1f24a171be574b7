package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestHammer has many goroutines share one Agent with tight limits over
// three keys, mixing methods, bodies, early closes and cancellations. The
// pool's invariants are checked after every change (newTestAgent); at the
// end every request must have been answered exactly once, with its own
// answer, or have failed for a reason the test caused. Run it with -race.
func TestHammer(t *testing.T) {
	var served atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		b, _ := io.ReadAll(r.Body)
		if r.URL.Query().Has("big") {
			io.WriteString(w, strings.Repeat("x", 20_000)) // chunked, several reads
		}
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.Path, b)
	})
	var urls []string
	for range 3 {
		srv := httptest.NewServer(handler)
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxSockets: 2, MaxTotalSockets: 4, MaxFreeSockets: 1})

	const workers, perWorker = 24, 40
	var answered, canceled, closedEarly atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range perWorker {
				path := fmt.Sprintf("/w%d/r%d", w, i)
				req := &Request{URL: urls[rng.IntN(len(urls))] + path}
				wantBody := "GET " + path + " "
				switch rng.IntN(4) {
				case 0:
					req.Method = "POST"
					req.Body = strings.NewReader("body-" + path)
					req.ContentLength = int64(len("body-" + path))
					wantBody = "POST " + path + " body-" + path
				case 1:
					req.Method = "HEAD"
					wantBody = ""
				case 2:
					req.URL += "?big"
					wantBody = strings.Repeat("x", 20_000) + wantBody
				}
				ctx, cancel := context.WithCancel(context.Background())
				cancelAt := rng.IntN(8) // 0: cancel before sending; 1: while reading the body
				if cancelAt == 0 {
					cancel()
				}
				res, err := a.Do(ctx, req)
				if err != nil {
					cancel()
					if cancelAt == 0 && errors.Is(err, context.Canceled) {
						canceled.Add(1)
						continue
					}
					t.Errorf("%s: %v", path, err)
					continue
				}
				var body []byte
				switch {
				case cancelAt == 1:
					cancel()
					_, err = io.ReadAll(res.Body)
					if err != nil && !errors.Is(err, context.Canceled) {
						t.Errorf("%s: body after cancel: %v", path, err)
					}
					canceled.Add(1)
					continue
				case cancelAt == 2:
					res.Body.Close()
					closedEarly.Add(1)
					cancel()
					continue
				}
				body, err = io.ReadAll(res.Body)
				cancel()
				if err != nil {
					t.Errorf("%s: body: %v", path, err)
					continue
				}
				if string(body) != wantBody {
					t.Errorf("%s: got another answer: %.60q", path, body)
				}
				answered.Add(1)
			}
		})
	}
	wg.Wait()
	total := answered.Load() + canceled.Load() + closedEarly.Load()
	if total != workers*perWorker {
		t.Errorf("%d requests accounted for, want %d", total, workers*perWorker)
	}
	if served.Load() < answered.Load()+closedEarly.Load() {
		t.Errorf("server answered %d requests, fewer than the %d the clients got", served.Load(), answered.Load()+closedEarly.Load())
	}
	s := a.Snapshot()
	if s.InUse != 0 || s.Waiting != 0 || s.Free > 3 {
		t.Errorf("pool after the run: %+v; want nothing in use or waiting, at most one free per key", s)
	}
	t.Logf("answered %d, canceled %d, closed early %d; %+v", answered.Load(), canceled.Load(), closedEarly.Load(), s.Stats)
}
