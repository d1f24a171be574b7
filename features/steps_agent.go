package features

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conformhttp/conform/impl/client"
	"github.com/conformhttp/conform/impl/parser"
)

// agentState is a scenario's Agent and what its requests did.
type agentState struct {
	agent *client.Agent
	ref   *refEnv
	log   *wireLog
	wg    sync.WaitGroup // requests running in their own goroutines

	mu      sync.Mutex
	reqs    []*agentReq      // guarded by mu; request n is reqs[n-1]
	sockets map[net.Conn]int // guarded by mu; socket -> its number, from 1 in dial order
	served  []int            // guarded by mu; requests in the order they got a socket
	kept    []error          // guarded by mu; what PutIdleConn said of each socket given back
}

// agentReq is one request the agent sent.
type agentReq struct {
	n    int
	url  string
	done chan struct{} // closed when the request has ended

	// Written by the request's goroutine before done is closed, except
	// those the trace hooks write under agentState.mu.
	socket   int  // the socket it got
	reused   bool // GotConn's Reused
	queuedAt int  // its position in the queue, 0 if it did not wait
	got100   bool
	status   int
	header   client.Header
	body     []byte
	err      error
}

// dialer gives the Agent connections to the reference server (or the
// scripted responder), whatever host the URL names, and numbers them.
type agentDialer struct{ st *agentState }

func (d agentDialer) DialTarget(ctx context.Context, t client.Target) (net.Conn, error) {
	st := d.st
	var c net.Conn
	if st.ref.script != nil {
		c = st.ref.dialScript()
	} else {
		c = st.ref.dial()
	}
	st.mu.Lock()
	n := len(st.sockets) + 1
	lc := &loggedConn{Conn: c, id: 100 + n, log: st.log}
	st.sockets[lc] = n
	st.mu.Unlock()
	st.log.add(lc.id, evNote, nil, fmt.Sprintf("agent socket %d dialed for key %q", n, t.Name()))
	return lc, nil
}

// loggedConn records an agent socket's bytes in the wire log; agent
// sockets are numbered from 101 there.
type loggedConn struct {
	net.Conn
	id  int
	log *wireLog
}

func (c *loggedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.log.add(c.id, evRecv, p[:n], "")
	}
	if errors.Is(err, io.EOF) {
		c.log.add(c.id, evEOF, nil, "")
	}
	return n, err
}

func (c *loggedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.log.add(c.id, evSend, p[:n], "")
	}
	return n, err
}

func (c *loggedConn) Close() error {
	c.log.add(c.id, evClose, nil, "agent closed the socket")
	return c.Conn.Close()
}

func (c *loggedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("cannot half-close")
}

func (st *agentState) close() error {
	err := st.agent.Close()
	st.wg.Wait()
	return err
}

// newAgent makes the scenario's Agent.
func (w *world) newAgent(opts client.AgentOptions) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	if w.agent != nil {
		return harness("the scenario already has an agent")
	}
	st := &agentState{ref: ref, log: w.log, sockets: map[net.Conn]int{}}
	opts.Dialer = agentDialer{st}
	st.agent = client.NewAgent(opts)
	w.agent = st
	return nil
}

func (w *world) agentKeepAlive() error   { return w.newAgent(client.AgentOptions{KeepAlive: true}) }
func (w *world) agentNoKeepAlive() error { return w.newAgent(client.AgentOptions{}) }

func (w *world) agentMaxSockets(n int) error {
	return w.newAgent(client.AgentOptions{KeepAlive: true, MaxSockets: n})
}

func (w *world) agentMaxFree(n int) error {
	return w.newAgent(client.AgentOptions{KeepAlive: true, MaxFreeSockets: n})
}

func (w *world) agentScheduling(s string) error {
	sched := client.LIFO
	if s == "fifo" {
		sched = client.FIFO
	}
	return w.newAgent(client.AgentOptions{KeepAlive: true, Scheduling: sched})
}

func (w *world) agentTimeout(seconds int) error {
	return w.newAgent(client.AgentOptions{KeepAlive: true, Timeout: w.scaled(time.Duration(seconds) * time.Second)})
}

func (w *world) agentLenient(names string) error {
	l, err := parser.ParseLenient(names)
	if err != nil {
		return harness("%v", err)
	}
	return w.newAgent(client.AgentOptions{KeepAlive: true, Lenient: l})
}

func (w *world) agentMaxHeader(n int) error {
	return w.newAgent(client.AgentOptions{KeepAlive: true, MaxHeaderSize: n})
}

func (w *world) needAgent() (*agentState, error) {
	if w.agent == nil {
		if _, err := w.needRef(); err != nil {
			return nil, err
		}
		return nil, harness("no agent; a step such as \"an agent that keeps sockets alive\" comes first")
	}
	return w.agent, nil
}

// begin starts request n of the agent in its own goroutine and returns
// once the request has a socket or a place in the queue (or has failed),
// so that requests begun one after another reach the agent in that order.
func (w *world) begin(st *agentState, method, url string, body string, header client.Header) *agentReq {
	st.mu.Lock()
	ar := &agentReq{n: len(st.reqs) + 1, url: url, done: make(chan struct{})}
	st.reqs = append(st.reqs, ar)
	st.mu.Unlock()
	placed := make(chan struct{})
	var once sync.Once
	place := func() { once.Do(func() { close(placed) }) }
	trace := &client.ClientTrace{
		ConnQueued: func(_ string, pos int) {
			st.mu.Lock()
			ar.queuedAt = pos
			st.mu.Unlock()
			place()
		},
		GotConn: func(info client.GotConnInfo) {
			st.mu.Lock()
			ar.socket = st.sockets[info.Conn]
			ar.reused = info.Reused
			st.served = append(st.served, ar.n)
			st.mu.Unlock()
			place()
		},
		Got100Continue: func() { ar.got100 = true },
		PutIdleConn: func(err error) {
			st.mu.Lock()
			st.kept = append(st.kept, err)
			st.mu.Unlock()
		},
	}
	req := &client.Request{Method: method, URL: url, Header: header, Trace: trace}
	if body != "" {
		req.Body = strings.NewReader(body)
		req.ContentLength = int64(len(body))
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.patience())
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		defer cancel()
		defer close(ar.done)
		defer place()
		res, err := st.agent.Do(ctx, req)
		if err != nil {
			ar.err = err
			w.log.note(fmt.Sprintf("agent request %d (%s): %v", ar.n, url, err))
			return
		}
		ar.status, ar.header = res.Status, res.Header
		ar.body, ar.err = io.ReadAll(res.Body)
		res.Body.Close()
	}()
	<-placed
	return ar
}

// agentGet sends a request and waits for it to end.
func (w *world) agentGet(url string) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	<-w.begin(st, "GET", url, "", nil).done
	return nil
}

func (w *world) agentPostExpect(url, body string) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	h := client.Header{{Name: "Expect", Value: "100-continue"}}
	<-w.begin(st, "POST", url, body, h).done
	return nil
}

// agentStartMany begins requests one after another without waiting for
// their responses.
func (w *world) agentStartMany(list string) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	urls, err := parseList(list)
	if err != nil {
		return err
	}
	for _, u := range urls {
		w.begin(st, "GET", u, "", nil)
	}
	return nil
}

func (w *world) agentAllDone() error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	st.mu.Lock()
	reqs := slices.Clone(st.reqs)
	st.mu.Unlock()
	for _, ar := range reqs {
		<-ar.done
		if ar.err != nil {
			return fmt.Errorf("agent request %d (%s) failed: %v", ar.n, ar.url, ar.err)
		}
	}
	return nil
}

// req returns agent request n once it has ended.
func (w *world) req(n int) (*agentReq, error) {
	st, err := w.needAgent()
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	if n < 1 || n > len(st.reqs) {
		sent := len(st.reqs)
		st.mu.Unlock()
		return nil, harness("agent request %d: the agent has sent %d requests", n, sent)
	}
	ar := st.reqs[n-1]
	st.mu.Unlock()
	<-ar.done
	return ar, nil
}

// answered returns agent request n, which must have succeeded.
func (w *world) answered(n int) (*agentReq, error) {
	ar, err := w.req(n)
	if err != nil {
		return nil, err
	}
	if ar.err != nil {
		return nil, fmt.Errorf("agent request %d (%s) failed: %v", n, ar.url, ar.err)
	}
	return ar, nil
}

func (w *world) agentNewSocket(n int) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	if ar.reused {
		return fmt.Errorf("agent request %d reused socket %d", n, ar.socket)
	}
	return nil
}

func (w *world) agentReused(n, m int) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	prev, err := w.answered(m)
	if err != nil {
		return err
	}
	if !ar.reused || ar.socket != prev.socket {
		return fmt.Errorf("agent request %d got socket %d (reused: %v); request %d had socket %d", n, ar.socket, ar.reused, m, prev.socket)
	}
	return nil
}

func (w *world) agentNoReuse() error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	for n := 1; n <= len(st.reqs); n++ {
		if err := w.agentNewSocket(n); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) agentQueued(n, pos int) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	if ar.queuedAt != pos {
		if ar.queuedAt == 0 {
			return fmt.Errorf("agent request %d did not wait in the queue", n)
		}
		return fmt.Errorf("agent request %d waited at position %d, want %d", n, ar.queuedAt, pos)
	}
	return nil
}

func (w *world) agentOrder(list string) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	var want []int
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if f == "and" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return harness("%q is not a list of request numbers such as 1, 2, 3", list)
		}
		want = append(want, n)
	}
	if err := w.agentAllDone(); err != nil {
		return err
	}
	st.mu.Lock()
	got := slices.Clone(st.served)
	st.mu.Unlock()
	if !slices.Equal(got, want) {
		return fmt.Errorf("the agent gave sockets to the requests in the order %v, want %v", got, want)
	}
	return nil
}

func (w *world) agentDialed(n int) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	if got := st.agent.Snapshot().Dials; got != n {
		return fmt.Errorf("the agent dialed %d sockets, want %d", got, n)
	}
	return nil
}

func (w *world) agentFree(n int) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	// Let the agent's watchers notice what the server did.
	w.ex.settle()
	if got := st.agent.Snapshot().Free; got != n {
		return fmt.Errorf("the agent keeps %d free sockets, want %d (%+v)", got, n, st.agent.Snapshot())
	}
	return nil
}

func (w *world) agentClosedBecause(n int, why string) error {
	st, err := w.needAgent()
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	count := 0
	var reasons []string
	for _, e := range st.kept {
		if e == nil {
			reasons = append(reasons, "kept")
			continue
		}
		reasons = append(reasons, e.Error())
		if strings.Contains(e.Error(), why) {
			count++
		}
	}
	if count != n {
		return fmt.Errorf("%d sockets were closed because %q, want %d (what happened to each socket given back: %q)", count, why, n, reasons)
	}
	return nil
}

func (w *world) agentFailsWith(n int, code string) error {
	ar, err := w.req(n)
	if err != nil {
		return err
	}
	want, ok := parser.ErrnoByName(code)
	if !ok {
		return harness("%s is not a parser error code", code)
	}
	if ar.err == nil {
		return fmt.Errorf("agent request %d succeeded with status %d, want it to fail with %s", n, ar.status, code)
	}
	if !errors.Is(ar.err, want) {
		return fmt.Errorf("agent request %d failed with %v, want %s", n, ar.err, code)
	}
	return nil
}

func (w *world) agentStatus(n, code int) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	if ar.status != code {
		return fmt.Errorf("agent request %d got status %d, want %d", n, ar.status, code)
	}
	return nil
}

func (w *world) agentHeader(n int, name, value string) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	if got := ar.header.Values(name); !slices.Contains(got, value) {
		return fmt.Errorf("agent request %d: %s is %q, want %q", n, name, got, value)
	}
	return nil
}

func (w *world) agentContinueFirst(n int) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	if !ar.got100 {
		return fmt.Errorf("agent request %d got no 100 Continue", n)
	}
	return w.bodyAfterContinue(ar)
}

// bodyAfterContinue checks in the wire log that request ar's socket
// received the 100 before it sent anything after the head.
func (w *world) bodyAfterContinue(ar *agentReq) error {
	id := 100 + ar.socket
	sentHead, got100 := false, false
	for _, ev := range w.log.snapshot() {
		if ev.Conn != id {
			continue
		}
		switch ev.Kind {
		case evSend:
			data := ev.Data
			if !sentHead {
				end := strings.Index(string(data), "\r\n\r\n")
				if end < 0 {
					continue
				}
				sentHead = true
				data = data[end+4:]
			}
			if len(data) > 0 && !got100 {
				return fmt.Errorf("agent request %d sent %s before the 100 Continue arrived", ar.n, clip(data))
			}
		case evRecv:
			if strings.Contains(string(ev.Data), " 100 ") {
				got100 = true
			}
		}
	}
	return nil
}

func (w *world) agentNoContinue(n int) error {
	ar, err := w.answered(n)
	if err != nil {
		return err
	}
	if ar.got100 {
		return fmt.Errorf("agent request %d got a 100 Continue", n)
	}
	return nil
}
