package fuzz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	fuzzheaders "github.com/AdaLogics/go-fuzz-headers"

	"github.com/conformhttp/conform/impl/client"
	"github.com/conformhttp/conform/impl/parser"
)

// AgentPlan is a run of the client Agent as the agent target builds it:
// the Agent's options, requests on a few keys started at chosen times,
// what the fake server does with each, and which dials fail.
type AgentPlan struct {
	KeepAlive       int // 1: AgentOptions.KeepAlive
	MaxSockets      int // 0: no limit
	MaxTotalSockets int // 0: no limit
	MaxFreeSockets  int // 0: default; 1: none kept (-1); n: n-1
	FIFO            int // 1: FIFO scheduling
	Timeout         int // seconds; 0: none
	DialFails       int // bit i: the i-th dial (counted from 0) fails
	Ops             []AgentOp
}

// AgentOp is one request: its key (host "kN"), method, body, when it
// starts (milliseconds on the bubble's clock), what the server does with
// it (actXxx), how long the server waits before that (milliseconds), the
// body it answers with, and whether the client reads the response body
// to its end or closes it at once.
type AgentOp struct {
	Key      int
	Method   int // index into agentMethods
	Body     []byte
	Start    int
	Action   int
	Delay    int
	Answer   []byte
	Chunked  int // 1: the answer is chunked
	CloseNow int // 1: the client closes the response body unread
}

// Server actions.
const (
	actAnswer     = iota // answer and keep the connection
	actClose             // answer with Connection: close, then close
	actHangup            // close without answering (the first copy of the request), after Delay*10 ms
	actHint              // answer with Keep-Alive: timeout=1
	actGarbage           // answer, then send bytes nobody asked for, keep the connection
	actAnswerSlow        // answer after Delay*10 ms
	actCount
)

func agentMethods() []string { return []string{"GET", "POST", "HEAD", "PUT"} }

const (
	maxAgentOps  = 8
	maxAgentKeys = 3
)

func (ap *AgentPlan) walk(c chooser) {
	c.choice(&ap.KeepAlive, 2)
	c.choice(&ap.MaxSockets, 4)
	c.choice(&ap.MaxTotalSockets, 5)
	c.choice(&ap.MaxFreeSockets, 5)
	c.choice(&ap.FIFO, 2)
	c.choice(&ap.Timeout, 4)
	c.choice(&ap.DialFails, 256)
	n := count(c, len(ap.Ops), maxAgentOps)
	ap.Ops = resize(ap.Ops, n)
	for i := range ap.Ops {
		op := &ap.Ops[i]
		c.choice(&op.Key, maxAgentKeys)
		c.choice(&op.Method, len(agentMethods()))
		c.raw(&op.Body, 16)
		c.choice(&op.Start, 256)
		c.choice(&op.Action, actCount)
		c.choice(&op.Delay, 256)
		c.raw(&op.Answer, 32)
		c.choice(&op.Chunked, 2)
		c.choice(&op.CloseNow, 2)
	}
}

// DecodeAgentPlan builds the plan the fuzz input data describes, with
// go-fuzz-headers.
func DecodeAgentPlan(data []byte) *AgentPlan {
	ap := &AgentPlan{}
	ap.walk(decoder{fuzzheaders.NewConsumer(data)})
	return ap
}

// Encode returns the fuzz input that DecodeAgentPlan builds ap from.
func (ap *AgentPlan) Encode() []byte {
	e := &encoder{}
	c := *ap
	c.Ops = append([]AgentOp(nil), ap.Ops...)
	c.walk(e)
	return e.out
}

func (ap *AgentPlan) options(d client.Dialer) client.AgentOptions {
	o := client.AgentOptions{
		KeepAlive:       ap.KeepAlive == 1,
		MaxSockets:      ap.MaxSockets,
		MaxTotalSockets: ap.MaxTotalSockets,
		Timeout:         time.Duration(ap.Timeout) * time.Second,
		Dialer:          d,
	}
	switch {
	case ap.MaxFreeSockets == 1:
		o.MaxFreeSockets = -1
	case ap.MaxFreeSockets > 1:
		o.MaxFreeSockets = ap.MaxFreeSockets - 1
	}
	if ap.FIFO == 1 {
		o.Scheduling = client.FIFO
	}
	return o
}

// calm reports whether nothing in the plan should make a request fail:
// no dial fails, the server answers everything at once and keeps its
// connections, and no timeout is set.
func (ap *AgentPlan) calm() bool {
	if ap.DialFails != 0 || ap.Timeout != 0 {
		return false
	}
	for _, op := range ap.Ops {
		if op.Action != actAnswer && op.Action != actAnswerSlow {
			return false
		}
	}
	return true
}

// fakeNet is the Agent's Dialer: each dial is a net.Pipe whose far end a
// fake server serves as the plan says. It checks the Agent's limits at
// every dial and counts the connections the Agent has not closed.
type fakeNet struct {
	plan  *AgentPlan
	agent *client.Agent // set before the first request
	opts  client.AgentOptions

	mu       sync.Mutex
	dials    int            // guarded by mu
	open     int            // guarded by mu: client ends not closed
	openKey  map[string]int // guarded by mu: the same, per host
	ends     []net.Conn     // guarded by mu: the server ends, for a teardown
	received map[int]int    // guarded by mu: op index -> times the server read it
	answered map[int]string // guarded by mu: op index -> body the server sent
	faults   []string       // guarded by mu
	servers  sync.WaitGroup
}

func (n *fakeNet) fault(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.faults = append(n.faults, fmt.Sprintf(format, args...))
}

// checkLimits checks the Agent's pool against its options.
func (n *fakeNet) checkLimits(when string) {
	s := n.agent.Snapshot()
	maxFree := n.opts.MaxFreeSockets
	switch {
	case maxFree == 0:
		maxFree = client.DefaultMaxFreeSockets
	case maxFree < 0:
		maxFree = 0
	}
	if n.opts.MaxTotalSockets > 0 && s.InUse+s.Free > n.opts.MaxTotalSockets {
		n.fault("%s: %d sockets in use and %d free; MaxTotalSockets is %d", when, s.InUse, s.Free, n.opts.MaxTotalSockets)
	}
	for _, k := range s.Keys {
		if n.opts.MaxSockets > 0 && k.InUse+k.Free > n.opts.MaxSockets {
			n.fault("%s: key %s has %d sockets in use and %d free; MaxSockets is %d", when, k.Name, k.InUse, k.Free, n.opts.MaxSockets)
		}
		if k.Free > maxFree || !n.opts.KeepAlive && k.Free > 0 {
			n.fault("%s: key %s has %d free sockets; MaxFreeSockets is %d, KeepAlive %v", when, k.Name, k.Free, maxFree, n.opts.KeepAlive)
		}
	}
}

// errDialRefused is the error of a dial the plan makes fail.
var errDialRefused = errors.New("fake dial refused by the fuzz plan")

// DialTarget implements client.Dialer.
func (n *fakeNet) DialTarget(ctx context.Context, t client.Target) (net.Conn, error) {
	n.checkLimits("at a dial")
	n.mu.Lock()
	i := n.dials
	n.dials++
	fail := i < 8 && n.plan.DialFails&(1<<i) != 0
	// The Agent closes a socket before it gives its slot to another, so
	// the connections it has not closed never exceed its limits.
	if n.opts.MaxSockets > 0 && n.openKey[t.Host] >= n.opts.MaxSockets {
		n.faults = append(n.faults, fmt.Sprintf("dial %d to %s while %d connections to it are open; MaxSockets is %d", i, t.Host, n.openKey[t.Host], n.opts.MaxSockets))
	}
	if n.opts.MaxTotalSockets > 0 && n.open >= n.opts.MaxTotalSockets {
		n.faults = append(n.faults, fmt.Sprintf("dial %d while %d connections are open; MaxTotalSockets is %d", i, n.open, n.opts.MaxTotalSockets))
	}
	if fail {
		n.mu.Unlock()
		return nil, errDialRefused
	}
	n.open++
	n.openKey[t.Host]++
	c, s := net.Pipe()
	n.ends = append(n.ends, s)
	n.mu.Unlock()
	n.servers.Add(1)
	go n.serve(s)
	return &countedConn{Conn: c, net: n, host: t.Host}, nil
}

// countedConn counts its first Close.
type countedConn struct {
	net.Conn
	net  *fakeNet
	host string
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.net.mu.Lock()
		c.net.open--
		c.net.openKey[c.host]--
		c.net.mu.Unlock()
	})
	return c.Conn.Close()
}

// teardown closes every server end, so that whatever of the Agent still
// reads a connection returns; used when something hangs, to report it
// instead of deadlocking.
func (n *fakeNet) teardown() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.ends {
		c.Close()
	}
}

// serve is the fake server of one connection: it reads requests with our
// parser and does what the plan says for each (the op index is in the
// X-Op field).
func (n *fakeNet) serve(conn net.Conn) {
	defer n.servers.Done()
	// One goroutine writes to the connection, so that writes never wait
	// on each other (net.Pipe's writers queue on a mutex, which a
	// synctest bubble cannot see through) and the server goes on reading
	// while a write waits for the Agent to read.
	// The writer closes the connection once it has written everything
	// the server queued, so that a response is not cut off by the close
	// that follows it.
	out := make(chan []byte, 16)
	n.servers.Add(1)
	go func() {
		defer n.servers.Done()
		defer conn.Close()
		for b := range out {
			if _, err := conn.Write(b); err != nil {
				for range out {
				}
				return
			}
		}
	}()
	defer close(out)
	var (
		ops         []int
		cur         = -1
		name, value []byte
	)
	cb := &parser.Callbacks{
		OnHeaderField: func(_ *parser.Parser, b []byte) error { name = append(name, b...); return nil },
		OnHeaderValue: func(_ *parser.Parser, b []byte) error { value = append(value, b...); return nil },
		OnHeaderValueComplete: func(*parser.Parser) error {
			if strings.EqualFold(string(name), "x-op") {
				if i, err := strconv.Atoi(strings.TrimSpace(string(value))); err == nil {
					cur = i
				}
			}
			name, value = name[:0], value[:0]
			return nil
		},
		// Answer once the whole request is read: net.Pipe has no buffer,
		// so answering while the client still writes its body would
		// block both.
		OnMessageComplete: func(*parser.Parser) error {
			ops = append(ops, cur)
			cur = -1
			return nil
		},
	}
	p := parser.New(parser.Config{Type: parser.Request}, cb)
	buf := make([]byte, 256)
	for {
		m, err := conn.Read(buf)
		if m > 0 {
			if _, perr := p.Execute(buf[:m]); perr != nil {
				n.fault("the fake server cannot read a request: %v (%q)", perr, buf[:m])
				return
			}
		}
		if err != nil {
			return
		}
		for len(ops) > 0 {
			i := ops[0]
			ops = ops[1:]
			if i < 0 || i >= len(n.plan.Ops) {
				n.fault("the fake server got a request for op %d, which the plan does not have", i)
				return
			}
			if !n.answer(out, i) {
				return
			}
		}
	}
}

// answer does what the plan says for op i, writing through out; it
// reports whether the connection stays open.
func (n *fakeNet) answer(out chan<- []byte, i int) bool {
	op := n.plan.Ops[i]
	n.mu.Lock()
	n.received[i]++
	if op.Action == actHangup && n.received[i] > 1 {
		// The server hangs up on the first copy only: a retry is
		// answered, as when a server closed an idle connection just as
		// the request arrived.
		op.Action = actAnswer
	}
	n.mu.Unlock()
	n.checkLimits(fmt.Sprintf("when the server got op %d", i))
	if op.Action == actAnswerSlow || op.Action == actHangup {
		time.Sleep(time.Duration(op.Delay) * 10 * time.Millisecond)
	}
	if op.Action == actHangup {
		return false
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 200 OK\r\nX-Op: %d\r\n", i)
	switch op.Action {
	case actClose:
		b.WriteString("Connection: close\r\n")
	case actHint:
		b.WriteString("Keep-Alive: timeout=1\r\n")
	}
	head := agentMethods()[op.Method] == "HEAD"
	switch {
	case head:
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(op.Answer))
	case op.Chunked == 1:
		b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		if len(op.Answer) > 0 {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", len(op.Answer), op.Answer)
		}
		b.WriteString("0\r\n\r\n")
	default:
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(op.Answer))
		b.Write(op.Answer)
	}
	n.mu.Lock()
	n.answered[i] = string(op.Answer)
	n.mu.Unlock()
	out <- b.Bytes()
	if op.Action == actGarbage {
		out <- []byte("unasked bytes")
	}
	return op.Action != actClose
}

// agentResult is what one request got.
type agentResult struct {
	op     int
	status int
	xop    string
	body   string
	err    error
}

// CheckAgent is the body of the agent target; call it inside a
// testing/synctest bubble (the Agent's timeouts and the plan's delays run
// on its clock, and a hang or a goroutine left behind fails the test).
// It runs the plan's requests concurrently through one Agent over fake
// connections and checks: the pool never exceeds MaxSockets per key,
// MaxTotalSockets overall, or MaxFreeSockets free per key (none without
// KeepAlive), at every dial and every request the server reads; every
// request gets exactly one outcome; a response answers its own request
// (the X-Op the server echoes) with the body the server sent for it; the
// server read a request at most twice (Do's one retry); when nothing in
// the plan makes a request fail, none fails; after every response is
// consumed no socket is in use and no request waits; after Close every
// connection the Agent dialed is closed.
func CheckAgent(data []byte) error { return checkAgent(data, hangLimit) }

// hangLimit is how long, on the bubble's clock, the check waits for the
// requests and for Agent.Close before it reports a hang. The plan's
// delays and timeouts are seconds at most; in a bubble the wait passes
// as soon as everything else is blocked.
const hangLimit = time.Hour

// checkAgent is CheckAgent with limit in place of hangLimit.
func checkAgent(data []byte, limit time.Duration) error {
	ap := DecodeAgentPlan(data)
	n := &fakeNet{plan: ap, received: map[int]int{}, answered: map[int]string{}, openKey: map[string]int{}}
	n.opts = ap.options(n)
	n.agent = client.NewAgent(n.opts)
	results := make(chan agentResult, len(ap.Ops))
	var wg sync.WaitGroup
	for i, op := range ap.Ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(op.Start) * time.Millisecond)
			results <- runOp(n.agent, i, op)
		}()
	}
	var faults []string
	if !returnsWithin(limit, wg.Wait) {
		faults = append(faults, fmt.Sprintf("requests still running after %v", limit))
		n.teardown()
		wg.Wait()
	}
	close(results)
	got := map[int]agentResult{}
	for r := range results {
		if _, dup := got[r.op]; dup {
			faults = append(faults, fmt.Sprintf("op %d has two outcomes", r.op))
		}
		got[r.op] = r
	}
	s := n.agent.Snapshot()
	if s.InUse != 0 || s.Waiting != 0 {
		faults = append(faults, fmt.Sprintf("after every response: %d sockets in use, %d requests waiting; want none", s.InUse, s.Waiting))
	}
	n.checkLimits("after every response")
	if !returnsWithin(limit, func() { n.agent.Close() }) {
		faults = append(faults, fmt.Sprintf("Agent.Close has not returned after %v", limit))
		n.teardown()
	}
	n.servers.Wait()
	n.mu.Lock()
	defer n.mu.Unlock()
	faults = append(faults, n.faults...)
	if n.open != 0 {
		faults = append(faults, fmt.Sprintf("after Close, %d connections the Agent dialed are not closed", n.open))
	}
	for i := range ap.Ops {
		r, ok := got[i]
		switch {
		case !ok:
			faults = append(faults, fmt.Sprintf("op %d has no outcome", i))
		case n.received[i] > 2:
			faults = append(faults, fmt.Sprintf("the server read op %d %d times; Do retries once", i, n.received[i]))
		case r.err == nil && r.xop != strconv.Itoa(i):
			faults = append(faults, fmt.Sprintf("op %d got the response to op %q", i, r.xop))
		case r.err == nil && r.status != 200:
			faults = append(faults, fmt.Sprintf("op %d got status %d; the server sends 200", i, r.status))
		case r.err == nil && ap.Ops[i].CloseNow == 0 && agentMethods()[ap.Ops[i].Method] != "HEAD" && r.body != n.answered[i]:
			faults = append(faults, fmt.Sprintf("op %d got the body %q; the server sent %q", i, r.body, n.answered[i]))
		case r.err != nil && ap.calm():
			faults = append(faults, fmt.Sprintf("op %d failed although nothing in the plan makes it fail: %v", i, r.err))
		}
	}
	if len(faults) == 0 {
		return nil
	}
	return fmt.Errorf("agent: %s\nplan: %s", strings.Join(faults, "\n  "), ap)
}

// runOp sends op i through a and reads its response.
func runOp(a *client.Agent, i int, op AgentOp) agentResult {
	method := agentMethods()[op.Method]
	req := &client.Request{
		Method: method,
		URL:    fmt.Sprintf("http://k%d/op/%d", op.Key, i),
		Header: client.Header{{Name: "X-Op", Value: strconv.Itoa(i)}},
	}
	if len(op.Body) > 0 {
		body := op.Body
		req.Body = bytes.NewReader(body)
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.Reader, error) { return bytes.NewReader(body), nil }
	}
	res, err := a.Do(context.Background(), req)
	if err != nil {
		return agentResult{op: i, err: err}
	}
	r := agentResult{op: i, status: res.Status, xop: res.Header.Get("X-Op")}
	if op.CloseNow == 1 {
		res.Body.Close()
		return r
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	r.body, r.err = string(b), err
	return r
}

func (ap *AgentPlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keep-alive %d, max sockets %d, max total %d, max free %d, fifo %d, timeout %ds, dial fails %08b",
		ap.KeepAlive, ap.MaxSockets, ap.MaxTotalSockets, ap.MaxFreeSockets, ap.FIFO, ap.Timeout, ap.DialFails)
	for i, op := range ap.Ops {
		fmt.Fprintf(&b, "\n  op %d: key k%d %s body %q at %dms; server action %d after %dms, answer %q chunked %d; client closes body %d",
			i, op.Key, agentMethods()[op.Method], op.Body, op.Start, op.Action, op.Delay*10, op.Answer, op.Chunked, op.CloseNow)
	}
	return b.String()
}

// returnsWithin runs f and reports whether it returned within d; when it did
// not, f is still running.
func returnsWithin(d time.Duration, f func()) bool {
	done := make(chan struct{})
	go func() {
		f()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
