package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gateServer is a net/http server on loopback. A request for /wait/NAME
// (or /wait/NAME/...) waits until the test opens the gate NAME; /hangup/NAME waits likewise,
// then closes the connection without answering; /close answers with
// Connection: close. Every other path is answered with the path itself.
type gateServer struct {
	*httptest.Server
	arrived chan string // request paths, in order of arrival

	mu    sync.Mutex
	gates map[string]chan struct{}
}

func newGateServer(t testing.TB) *gateServer {
	gs := &gateServer{arrived: make(chan string, 10000), gates: map[string]chan struct{}{}}
	gs.Server = httptest.NewServer(http.HandlerFunc(gs.serve))
	t.Cleanup(func() {
		gs.mu.Lock()
		for _, g := range gs.gates {
			select {
			case <-g:
			default:
				close(g)
			}
		}
		gs.mu.Unlock()
		gs.Close()
	})
	return gs
}

func (gs *gateServer) gate(name string) chan struct{} {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	g := gs.gates[name]
	if g == nil {
		g = make(chan struct{})
		gs.gates[name] = g
	}
	return g
}

// open lets the requests waiting at gate name go on.
func (gs *gateServer) open(name string) { close(gs.gate(name)) }

func (gs *gateServer) serve(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	gs.arrived <- r.URL.Path
	dir, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	name, _, _ = strings.Cut(name, "/") // /wait/NAME/anything waits at NAME
	switch dir {
	case "wait":
		<-gs.gate(name)
	case "hangup":
		<-gs.gate(name)
		c, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			c.Close()
		}
		return
	case "close":
		w.Header().Set("Connection", "close")
	}
	io.WriteString(w, r.URL.Path)
}

// waitArrived waits until the server has seen the given paths, in any
// order.
func (gs *gateServer) waitArrived(t testing.TB, paths ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	for len(want) > 0 {
		p := <-gs.arrived
		if !want[p] {
			t.Errorf("unexpected request for %s", p)
		}
		delete(want, p)
	}
}

// waitPool waits until cond holds for a's pool; it wakes on every change
// to the pool rather than polling.
func waitPool(t testing.TB, a *Agent, cond func(Snapshot) bool) {
	t.Helper()
	ch := make(chan struct{}, 1)
	a.mu.Lock()
	prev := a.onStep
	a.onStep = func() {
		prev()
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.onStep = prev
		a.mu.Unlock()
	}()
	for !cond(a.Snapshot()) {
		<-ch
	}
}

// get sends GET url and returns the body, failing the test on error.
func get(t testing.TB, a *Agent, url string, tr *ClientTrace) string {
	t.Helper()
	res, err := a.Do(context.Background(), &Request{URL: url, Trace: tr})
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return ""
	}
	return readAll(t, res)
}

func TestReuseCounts(t *testing.T) {
	tests := []struct {
		name       string
		reason     string
		opts       AgentOptions
		path       string
		wantReused []bool
		wantDials  int
	}{
		{"keep-alive", "one socket carries every request", AgentOptions{KeepAlive: true}, "/a", []bool{false, true, true, true}, 1},
		{"no keep-alive", "Node's default agent: Connection: close, a socket per request", AgentOptions{}, "/a", []bool{false, false, false, false}, 4},
		{"limited, not keep-alive", "without KeepAlive a finished socket is kept only for a waiting request", AgentOptions{MaxSockets: 1}, "/a", []bool{false, false, false, false}, 4},
		{"server closes", "Connection: close from the server ends reuse", AgentOptions{KeepAlive: true}, "/close", []bool{false, false, false, false}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := newGateServer(t)
			a := newTestAgent(t, tc.opts)
			var reused []bool
			tr := &ClientTrace{GotConn: func(i GotConnInfo) {
				reused = append(reused, i.Reused)
				if i.Reused != i.WasIdle {
					t.Errorf("sequential request: Reused %v but WasIdle %v", i.Reused, i.WasIdle)
				}
			}}
			for range tc.wantReused {
				if got := get(t, a, gs.URL+tc.path, tr); got != tc.path {
					t.Errorf("body %q, want %q", got, tc.path)
				}
			}
			if diff := cmp.Diff(tc.wantReused, reused); diff != "" {
				t.Errorf("reuse (-want +got):\n%s\n(%s)", diff, tc.reason)
			}
			if s := a.Snapshot(); s.Dials != tc.wantDials || s.Reuses != len(tc.wantReused)-tc.wantDials {
				t.Errorf("stats %+v, want %d dials and %d reuses (%s)", s.Stats, tc.wantDials, len(tc.wantReused)-tc.wantDials, tc.reason)
			}
		})
	}
}

// TestMaxSocketsQueue checks that requests over MaxSockets wait in
// arrival order and each gets the socket straight from the one before.
func TestMaxSocketsQueue(t *testing.T) {
	gs := newGateServer(t)
	a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxSockets: 1})
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]GotConnInfo{}
	start := func(path string) {
		queued := make(chan int, 1)
		wg.Go(func() {
			tr := &ClientTrace{
				ConnQueued: func(_ string, pos int) { queued <- pos },
				GotConn: func(i GotConnInfo) {
					mu.Lock()
					got[path] = i
					mu.Unlock()
				},
			}
			get(t, a, gs.URL+path, tr)
		})
		if path != "/wait/first" {
			<-queued
		}
	}
	start("/wait/first")
	gs.waitArrived(t, "/wait/first")
	for _, p := range []string{"/b", "/c", "/d"} {
		start(p)
	}
	if s := a.Snapshot(); s.InUse != 1 || s.Waiting != 3 {
		t.Fatalf("pool %+v, want 1 in use and 3 waiting", s)
	}
	gs.open("first")
	wg.Wait()
	var order []string
	for range 3 {
		order = append(order, <-gs.arrived)
	}
	if diff := cmp.Diff([]string{"/b", "/c", "/d"}, order); diff != "" {
		t.Errorf("order served (-want +got):\n%s", diff)
	}
	for _, p := range []string{"/b", "/c", "/d"} {
		if i := got[p]; !i.Reused || i.WasIdle {
			t.Errorf("%s: GotConn %+v, want Reused straight from the previous request (not idle)", p, i)
		}
	}
	if s := a.Snapshot(); s.Dials != 1 || s.Free != 1 {
		t.Errorf("pool %+v, want one socket dialed, now free", s)
	}
}

// concurrent sends GETs for paths at once and returns when the server
// has seen them all; the returned wait function waits for the requests.
func concurrent(t *testing.T, a *Agent, gs *gateServer, tr func(path string) *ClientTrace, paths ...string) (wait func()) {
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Go(func() { get(t, a, gs.URL+p, tr(p)) })
	}
	gs.waitArrived(t, paths...)
	return wg.Wait
}

func TestMaxFreeSockets(t *testing.T) {
	gs := newGateServer(t)
	a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxFreeSockets: 1})
	var mu sync.Mutex
	var put []error
	tr := func(string) *ClientTrace {
		return &ClientTrace{PutIdleConn: func(err error) {
			mu.Lock()
			put = append(put, err)
			mu.Unlock()
		}}
	}
	wait := concurrent(t, a, gs, tr, "/wait/x", "/wait/x/2", "/wait/x/3")
	gs.open("x")
	wait()
	kept, evicted := 0, 0
	for _, err := range put {
		switch {
		case err == nil:
			kept++
		case errors.Is(err, ErrTooManyFree):
			evicted++
		default:
			t.Errorf("PutIdleConn(%v)", err)
		}
	}
	if kept != 1 || evicted != 2 {
		t.Errorf("kept %d, evicted %d; want 1 and 2 (MaxFreeSockets 1)", kept, evicted)
	}
	if s := a.Snapshot(); s.Free != 1 || s.Destroyed != 2 {
		t.Errorf("pool %+v, want 1 free and 2 destroyed", s)
	}
}

func TestScheduling(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		sched  Scheduling
		want   []int // which of sockets 1..3 the next two requests get
	}{
		{"lifo", "Node's default: the most recently freed socket first", LIFO, []int{3, 3}},
		{"fifo", "the longest idle socket first, then the next", FIFO, []int{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := newGateServer(t)
			a := newTestAgent(t, AgentOptions{KeepAlive: true, Scheduling: tc.sched})
			var mu sync.Mutex
			local := map[string]string{} // path -> local address
			tr := func(p string) *ClientTrace {
				return &ClientTrace{GotConn: func(i GotConnInfo) {
					mu.Lock()
					local[p] = i.Conn.LocalAddr().String()
					mu.Unlock()
				}}
			}
			done := map[string]chan struct{}{"1": make(chan struct{}), "2": make(chan struct{}), "3": make(chan struct{})}
			for g, ch := range done {
				go func() {
					defer close(ch)
					get(t, a, gs.URL+"/wait/"+g, tr(g))
				}()
			}
			gs.waitArrived(t, "/wait/1", "/wait/2", "/wait/3")
			for _, g := range []string{"1", "2", "3"} { // free them in this order
				gs.open(g)
				<-done[g]
			}
			var got []int
			for i, p := range []string{"/next", "/after"} {
				get(t, a, gs.URL+p, tr(p))
				for n, g := range []string{"1", "2", "3"} {
					if local[p] == local[g] {
						got = append(got, n+1)
					}
				}
				if len(got) != i+1 {
					t.Fatalf("%s used none of the three sockets", p)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sockets taken (-want +got):\n%s\n(%s)", diff, tc.reason)
			}
		})
	}
}

// TestServerCloseInUse: a socket the server closes mid-request is removed
// and the request waiting for a socket gets a new one.
func TestServerCloseInUse(t *testing.T) {
	gs := newGateServer(t)
	a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxSockets: 1})
	errc := make(chan error, 1)
	go func() {
		_, err := a.Do(context.Background(), &Request{URL: gs.URL + "/hangup/h"})
		errc <- err
	}()
	gs.waitArrived(t, "/hangup/h")
	queued := make(chan int, 1)
	var info GotConnInfo
	done := make(chan string)
	go func() {
		done <- get(t, a, gs.URL+"/waiter", &ClientTrace{
			ConnQueued: func(_ string, pos int) { queued <- pos },
			GotConn:    func(i GotConnInfo) { info = i },
		})
	}()
	<-queued
	gs.open("h")
	if err := <-errc; !errors.Is(err, ErrConnClosed) {
		t.Errorf("request on the closed socket: %v, want ErrConnClosed", err)
	}
	if body := <-done; body != "/waiter" {
		t.Errorf("waiting request got %q", body)
	}
	if info.Reused {
		t.Errorf("waiting request got a reused socket; want a new one")
	}
	if s := a.Snapshot(); s.Dials != 2 || s.Destroyed != 1 {
		t.Errorf("pool %+v, want 2 dials and 1 destroyed", s)
	}
}

// TestServerCloseIdle: a free socket the server closes leaves the free
// list on its own, and the next request dials.
func TestServerCloseIdle(t *testing.T) {
	gs := newGateServer(t)
	a := newTestAgent(t, AgentOptions{KeepAlive: true})
	get(t, a, gs.URL+"/a", nil)
	<-gs.arrived
	gs.CloseClientConnections()
	waitPool(t, a, func(s Snapshot) bool { return s.Free == 0 })
	if s := a.Snapshot(); s.Destroyed != 1 || len(s.Keys) != 0 {
		t.Errorf("pool %+v, want the socket destroyed and its key gone", s)
	}
	var info GotConnInfo
	get(t, a, gs.URL+"/b", &ClientTrace{GotConn: func(i GotConnInfo) { info = i }})
	if info.Reused {
		t.Errorf("request after the close reused a socket")
	}
}

// TestMaxTotalSockets: the limit holds across keys, and a free socket of
// one key gives way to a request for another.
func TestMaxTotalSockets(t *testing.T) {
	gsA, gsB := newGateServer(t), newGateServer(t)
	a := newTestAgent(t, AgentOptions{KeepAlive: true, MaxTotalSockets: 1})

	// A free socket of A is closed so that B can dial. (Should B be
	// queued instead, the agent is closed to end the test at once.)
	failIfQueued := &ClientTrace{ConnQueued: func(string, int) {
		t.Errorf("B queued behind A's free socket")
		go a.Close()
	}}
	get(t, a, gsA.URL+"/a", nil)
	get(t, a, gsB.URL+"/b", failIfQueued)
	if s := a.Snapshot(); s.Dials != 2 || s.Destroyed != 1 || s.Free != 1 {
		t.Errorf("pool %+v, want A's free socket closed for B", s)
	}

	// B waits while A's socket is in use; when A's response ends, its
	// socket is closed rather than kept, and B dials.
	var putA error
	errc := make(chan error, 1)
	go func() {
		res, err := a.Do(context.Background(), &Request{URL: gsA.URL + "/wait/a", Trace: &ClientTrace{PutIdleConn: func(err error) { putA = err }}})
		if err == nil {
			_, err = io.ReadAll(res.Body)
		}
		errc <- err
	}()
	<-gsA.arrived
	<-gsB.arrived
	<-gsA.arrived
	queued := make(chan int, 1)
	done := make(chan string)
	go func() {
		done <- get(t, a, gsB.URL+"/b2", &ClientTrace{ConnQueued: func(_ string, p int) { queued <- p }})
	}()
	<-queued
	gsA.open("a")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(putA, ErrSlotNeeded) {
		t.Errorf("A's socket: PutIdleConn(%v), want ErrSlotNeeded", putA)
		a.Close() // B would wait for ever
	}
	if body := <-done; body != "/b2" {
		t.Errorf("B got %q", body)
	}
}

func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("no unix sockets here: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host+r.URL.Path)
	})}}
	srv.Start()
	defer srv.Close()
	a := newTestAgent(t, AgentOptions{KeepAlive: true})
	var keys []string
	tr := &ClientTrace{GetConn: func(k string) { keys = append(keys, k) }}
	for range 2 {
		res, err := a.Do(context.Background(), &Request{URL: "http://unix.test/u", SocketPath: path, Trace: tr})
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, res); got != "unix.test/u" {
			t.Errorf("body %q, want unix.test/u", got)
		}
	}
	want := "unix.test:80::" + path
	if diff := cmp.Diff([]string{want, want}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if s := a.Snapshot(); s.Dials != 1 || s.Reuses != 1 {
		t.Errorf("stats %+v, want one socket reused", s.Stats)
	}
}

func TestTargetName(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		want   string
	}{
		{"host and port", Target{Host: "example.test", Port: 80}, "example.test:80:"},
		{"local address", Target{Host: "h", Port: 1, LocalAddr: "127.0.0.2"}, "h:1:127.0.0.2"},
		{"family", Target{Host: "h", Port: 1, Family: 6}, "h:1::6"},
		{"family 0 omitted", Target{Host: "h", Port: 1, Family: 0}, "h:1:"},
		{"socket path", Target{Host: "h", Port: 80, SocketPath: "/run/s"}, "h:80::/run/s"},
		{"everything", Target{Host: "h", Port: 8, LocalAddr: "::1", Family: 4, SocketPath: "/s"}, "h:8:::1:4:/s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.target.Name(); got != tc.want {
				t.Errorf("Name() = %q, want %q (Node's getName)", got, tc.want)
			}
		})
	}
}
