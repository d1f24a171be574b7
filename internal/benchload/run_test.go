package benchload

import (
	"flag"
	"net"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHarnesses runs each harness as a benchmark (testing.Benchmark, at a
// fixed 50 iterations) against a server that answers properly and one
// that does not: the first must complete with its metrics, the second
// must fail (testing.Benchmark then returns a zero result).
func TestHarnesses(t *testing.T) {
	f := flag.Lookup("test.benchtime")
	if f == nil {
		t.Fatal("flag test.benchtime is not registered")
	}
	saved := f.Value.String()
	if err := f.Value.Set("50x"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(saved) })

	notFound := NetHTTPPeer(http.NotFoundHandler())
	tests := []struct {
		name    string
		reason  string
		harness func(*testing.B, Peer, int)
		peer    Peer
		batch   int
		wantN   int
	}{
		{"loopback net-http pipelined", "net/http answers every request", Loopback, NetHTTPPeer(http.HandlerFunc(helloHandler)), 16, 50},
		{"loopback raw-floor sequential", "the floor answers every request", Loopback, RawFloorPeer(), 1, 50},
		{"in-memory net-http pipelined", "net/http runs unchanged on the in-memory listener", InMemory, NetHTTPPeer(http.HandlerFunc(helloHandler)), 16, 50},
		{"in-memory net-http sequential", "batch 1 works too", InMemory, NetHTTPPeer(http.HandlerFunc(helloHandler)), 1, 50},
		{"in-memory raw-floor pipelined", "the floor runs on the in-memory listener too", InMemory, RawFloorPeer(), 16, 50},
		{"loopback 404", "a status other than 200 fails the benchmark", Loopback, notFound, 16, 0},
		{"in-memory 404", "a status other than 200 fails the benchmark", InMemory, notFound, 16, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testing.Benchmark(func(b *testing.B) { tt.harness(b, tt.peer, tt.batch) })
			if r.N != tt.wantN {
				t.Fatalf("%s: %d iterations, want %d", tt.reason, r.N, tt.wantN)
			}
			if tt.wantN == 0 {
				return
			}
			got := map[string]bool{}
			for _, m := range []string{"req/s", "cpu-ns/req"} {
				got[m] = r.Extra[m] > 0
			}
			if diff := cmp.Diff(map[string]bool{"req/s": true, "cpu-ns/req": true}, got); diff != "" {
				t.Errorf("%s: metrics reported as positive (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestServeRawFloorStops checks that ServeRawFloor returns once its
// listener is closed, closing the connections it still serves.
func TestServeRawFloorStops(t *testing.T) {
	l := NewMemListener()
	done := make(chan struct{})
	go func() { defer close(done); ServeRawFloor(l) }()
	mc, err := l.Dial()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mc.RoundTrip([]byte(Request+Request), 2); err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	l.Close()
	<-done
	if _, err := mc.RoundTrip([]byte(Request), 1); err == nil {
		t.Errorf("RoundTrip after ServeRawFloor returned succeeded, want an error")
	}
	if _, err := l.Accept(); err == nil {
		t.Errorf("Accept after Close succeeded")
	}
	var _ net.Listener = l
}
