package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
)

// benchBody is what the benchmark server answers.
var benchBody = []byte("hello, world\n")

// BenchmarkAgent compares keep-alive GETs through an Agent with
// net/http's Transport against the same net/http server in the same run,
// with 1 and 16 concurrent callers.
//
//	go test -run '^$' -bench BenchmarkAgent -benchmem ./impl/client
func BenchmarkAgent(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(benchBody)))
		w.Write(benchBody)
	}))
	defer srv.Close()
	url := srv.URL + "/bench"

	for _, callers := range []int{1, 16} {
		b.Run("conform/callers="+strconv.Itoa(callers), func(b *testing.B) {
			a := NewAgent(AgentOptions{KeepAlive: true})
			defer a.Close()
			run(b, callers, func(buf []byte) {
				res, err := a.Do(context.Background(), &Request{URL: url})
				if err != nil {
					b.Fatal(err)
				}
				drain(b, res.Body, buf)
			})
			if s := a.Snapshot(); s.Dials > callers {
				b.Errorf("dialed %d sockets for %d callers", s.Dials, callers)
			}
		})
		b.Run("nethttp/callers="+strconv.Itoa(callers), func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: callers, DisableCompression: true}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr}
			run(b, callers, func(buf []byte) {
				res, err := c.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				drain(b, res.Body, buf)
			})
		})
	}
}

// run calls get b.N times from callers goroutines and reports requests
// per second.
func run(b *testing.B, callers int, get func(buf []byte)) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	b.ResetTimer()
	if callers == 1 {
		buf := make([]byte, 512)
		for b.Loop() {
			get(buf)
		}
	} else {
		// RunParallel starts GOMAXPROCS × parallelism goroutines.
		b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			buf := make([]byte, 512)
			for pb.Next() {
				get(buf)
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func drain(b *testing.B, body io.ReadCloser, buf []byte) {
	n := 0
	for {
		m, err := body.Read(buf)
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	body.Close()
	if n != len(benchBody) {
		b.Fatalf("body of %d bytes, want %d", n, len(benchBody))
	}
}
