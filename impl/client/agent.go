package client

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// Scheduling picks which free socket a request gets (Node's
// agent.scheduling).
type Scheduling uint8

const (
	// LIFO takes the most recently used free socket, Node's default: the
	// fewest sockets stay warm and the rest can time out.
	LIFO Scheduling = iota
	// FIFO takes the free socket that has been idle longest, spreading
	// requests over all sockets.
	FIFO
)

func (s Scheduling) String() string {
	if s == FIFO {
		return "fifo"
	}
	return "lifo"
}

// idleWatchDelay is how long a free socket waits before a goroutine
// starts watching it for the server's close. Reusing a socket within it
// costs nothing; after it, a close is noticed at once, as Node does.
const idleWatchDelay = time.Millisecond

// DefaultMaxFreeSockets is Node's default maxFreeSockets.
const DefaultMaxFreeSockets = 256

// DefaultKeepAlivePeriod is Node's default keepAliveMsecs.
const DefaultKeepAlivePeriod = time.Second

// AgentOptions configure an Agent, as the options of Node's http.Agent.
type AgentOptions struct {
	// KeepAlive keeps sockets in the free list after their response for
	// later requests and enables TCP keep-alive on them. Without it a
	// socket is still handed straight to a request waiting for its key
	// when MaxSockets is set, as in Node, but never kept free.
	KeepAlive bool
	// KeepAlivePeriod is the TCP keep-alive initial delay (Node's
	// keepAliveMsecs) set on new TCP sockets when KeepAlive is on. Zero
	// means DefaultKeepAlivePeriod; negative leaves TCP keep-alive off.
	KeepAlivePeriod time.Duration
	// MaxSockets bounds the sockets per key (in use, dialing or free).
	// Zero or negative means no limit (Node's Infinity).
	MaxSockets int
	// MaxTotalSockets bounds the sockets of all keys together. Zero or
	// negative means no limit. When it is reached and another key has a
	// free socket, the one idle longest is closed to make room (Node
	// instead lets the request wait for that socket's timeout).
	MaxTotalSockets int
	// MaxFreeSockets bounds the free sockets per key. Zero means
	// DefaultMaxFreeSockets; negative means none are kept.
	MaxFreeSockets int
	// Scheduling is LIFO (the default) or FIFO.
	Scheduling Scheduling
	// Timeout is the socket idle timeout (Node's agent timeout): a free
	// socket idle that long is destroyed, and a request without its own
	// Timeout fails with ErrTimeout after that long without socket
	// activity. Zero or negative means none.
	Timeout time.Duration
	// Dialer opens connections; nil means NetDialer{}.
	Dialer Dialer
	// MaxHeaderSize and Lenient configure the response parser (see
	// parser.Config): zero MaxHeaderSize is the parser's default, Lenient
	// zero is strict.
	MaxHeaderSize int
	Lenient       parser.Lenient
}

// Agent pools connections per key, as Node's http.Agent: for each key
// (Target.Name) the sockets in use, the free sockets and the requests
// waiting for a socket. It is safe for concurrent use. Close it to
// release its sockets and goroutines.
type Agent struct {
	opts       AgentOptions
	dialer     Dialer
	maxSockets int
	maxTotal   int
	maxFree    int
	// sendKeepAlive is whether requests ask for keep-alive: Node's
	// ClientRequest does unless the agent neither keeps sockets nor limits
	// them.
	sendKeepAlive bool

	mu     sync.Mutex
	pools  map[string]*keyPool // guarded by mu
	total  int                 // guarded by mu: sockets of all keys, any state but closed
	closed bool                // guarded by mu
	stats  Stats               // guarded by mu

	// watchers counts idle watchers running or scheduled to start.
	watchers sync.WaitGroup
	// watchDelay is how long a socket stays free before a watcher starts
	// reading it (idleWatchDelay; tests change it).
	watchDelay time.Duration
	bufs       sync.Pool // *[]byte, for copying request bodies

	// onStep, when set (by tests), runs under mu after every change.
	onStep func()
}

// keyPool is one key's three lists (Node's sockets, freeSockets and
// requests under one name). Guarded by Agent.mu.
type keyPool struct {
	name    string
	active  []*pconn  // in use or being dialed
	free    []*pconn  // oldest first
	waiting []*waiter // first come, first served
}

// waiter is a request queued for a socket.
type waiter struct {
	fresh bool       // wants a new socket (a retry)
	ch    chan grant // buffered; receives exactly one grant
}

// grant is what a waiter gets: a socket handed over, a reserved slot to
// dial (pc in stDialing), or an error.
type grant struct {
	pc   *pconn
	dial bool
	err  error
}

// NewAgent returns an Agent configured by opts.
func NewAgent(opts AgentOptions) *Agent {
	a := &Agent{opts: opts, pools: make(map[string]*keyPool), watchDelay: idleWatchDelay}
	a.dialer = opts.Dialer
	if a.dialer == nil {
		a.dialer = NetDialer{}
	}
	a.maxSockets = limit(opts.MaxSockets)
	a.maxTotal = limit(opts.MaxTotalSockets)
	switch {
	case opts.MaxFreeSockets == 0:
		a.maxFree = DefaultMaxFreeSockets
	case opts.MaxFreeSockets < 0:
		a.maxFree = 0
	default:
		a.maxFree = opts.MaxFreeSockets
	}
	if a.opts.KeepAlivePeriod == 0 {
		a.opts.KeepAlivePeriod = DefaultKeepAlivePeriod
	}
	a.sendKeepAlive = opts.KeepAlive || a.maxSockets != math.MaxInt
	return a
}

func limit(n int) int {
	if n <= 0 {
		return math.MaxInt
	}
	return n
}

// Stats are an Agent's cumulative counters.
type Stats struct {
	Dials     int // sockets dialed (attempts)
	DialFails int // dials that failed
	Reuses    int // requests that got a socket used before
	Destroyed int // sockets closed by the Agent or found closed
	Detached  int // sockets handed over as tunnels
}

// Snapshot is the state of an Agent's pool at one moment.
type Snapshot struct {
	Keys    []KeySnapshot // keys with any socket or waiting request, by name
	InUse   int           // sockets in use or being dialed, all keys
	Free    int           // free sockets, all keys
	Waiting int           // requests waiting for a socket, all keys
	Stats
}

// KeySnapshot is one key's counts.
type KeySnapshot struct {
	Name    string
	InUse   int
	Free    int
	Waiting int
}

// Snapshot returns the pool's counts.
func (a *Agent) Snapshot() Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Snapshot{Stats: a.stats}
	for _, kp := range a.pools {
		k := KeySnapshot{Name: kp.name, InUse: len(kp.active), Free: len(kp.free), Waiting: len(kp.waiting)}
		s.Keys = append(s.Keys, k)
		s.InUse += k.InUse
		s.Free += k.Free
		s.Waiting += k.Waiting
	}
	slices.SortFunc(s.Keys, func(x, y KeySnapshot) int {
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
	return s
}

// Close destroys every socket, fails waiting and running requests with
// ErrAgentClosed, and returns when the Agent's goroutines have ended
// (Node's agent.destroy). Later requests fail with ErrAgentClosed.
func (a *Agent) Close() error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		for _, kp := range a.pools {
			for _, pc := range kp.free {
				a.stopIdleTimerLocked(pc)
				pc.state = stClosed
				pc.conn.Close()
				a.total--
				a.stats.Destroyed++
			}
			kp.free = nil
			for _, pc := range kp.active {
				if pc.conn != nil {
					// The request using it fails and hands it back.
					pc.conn.Close()
				}
			}
			for _, w := range kp.waiting {
				w.ch <- grant{err: ErrAgentClosed}
			}
			kp.waiting = nil
			a.dropIfEmpty(kp)
		}
		a.step()
	}
	a.mu.Unlock()
	a.watchers.Wait()
	return nil
}

func (a *Agent) step() {
	if a.onStep != nil {
		a.onStep()
	}
}

// pool returns the keyPool for name, creating it.
func (a *Agent) pool(name []byte) *keyPool {
	if kp := a.pools[string(name)]; kp != nil {
		return kp
	}
	kp := &keyPool{name: string(name)}
	a.pools[kp.name] = kp
	return kp
}

// count returns the sockets of key name.
func (a *Agent) count(name []byte) int {
	if kp := a.pools[string(name)]; kp != nil {
		return len(kp.active) + len(kp.free)
	}
	return 0
}

func (a *Agent) dropIfEmpty(kp *keyPool) {
	if len(kp.active) == 0 && len(kp.free) == 0 && len(kp.waiting) == 0 {
		delete(a.pools, kp.name)
	}
}

// connInfo is how a request got its socket.
type connInfo struct {
	reused, wasIdle bool
	idle            time.Duration
}

// acquire gets a socket for a request to key name, as Node's addRequest:
// a free socket if there is one (unless fresh), else a new one within the
// limits, else a place in the queue.
func (a *Agent) acquire(ctx context.Context, t *target, name []byte, fresh bool, tr *ClientTrace) (*pconn, connInfo, error) {
	a.mu.Lock()
	for {
		if a.closed {
			a.mu.Unlock()
			return nil, connInfo{}, ErrAgentClosed
		}
		kp := a.pools[string(name)]
		if kp != nil && len(kp.free) > 0 && !fresh {
			var pc *pconn
			if a.opts.Scheduling == FIFO {
				pc = kp.free[0]
				kp.free = slices.Delete(kp.free, 0, 1)
			} else {
				pc = kp.free[len(kp.free)-1]
				kp.free = kp.free[:len(kp.free)-1]
			}
			pc.state = stActive
			// The idle timer stays armed (see armIdleTimerLocked).
			watched := pc.watching
			pc.watchTaken = watched
			kp.active = append(kp.active, pc)
			idle := time.Since(pc.idleAt)
			a.step()
			a.mu.Unlock()
			if !watched || pc.unwatch() {
				a.mu.Lock()
				a.stats.Reuses++
				a.mu.Unlock()
				return pc, connInfo{reused: true, wasIdle: true, idle: idle}, nil
			}
			// It died while free: forget it and look again.
			a.mu.Lock()
			a.destroyLocked(pc, false)
			continue
		}
		if kp != nil && fresh && len(kp.free) > 0 {
			a.destroyLocked(kp.free[0], false) // may drop kp: looked up again below
		}
		if a.count(name) < a.maxSockets && a.total >= a.maxTotal {
			a.evictLocked()
		}
		// The pool is made (or found again) only now, so that no step sees
		// an empty pool and no destroy above leaves kp stale.
		kp = a.pool(name)
		if len(kp.active)+len(kp.free) < a.maxSockets && a.total < a.maxTotal {
			pc := a.reserveLocked(kp)
			a.step()
			a.mu.Unlock()
			return a.dial(ctx, pc, t, tr)
		}
		w := &waiter{fresh: fresh, ch: make(chan grant, 1)}
		kp.waiting = append(kp.waiting, w)
		pos := len(kp.waiting)
		a.step()
		a.mu.Unlock()
		if tr != nil && tr.ConnQueued != nil {
			tr.ConnQueued(kp.name, pos)
		}
		var g grant
		select {
		case g = <-w.ch:
		case <-ctx.Done():
			a.mu.Lock()
			if i := slices.Index(kp.waiting, w); i >= 0 {
				kp.waiting = slices.Delete(kp.waiting, i, i+1)
				a.dropIfEmpty(kp)
				a.step()
				a.mu.Unlock()
				return nil, connInfo{}, fmt.Errorf("client: waiting for a socket to %s: %w", kp.name, context.Cause(ctx))
			}
			a.mu.Unlock()
			// A grant is on its way: give it back.
			g = <-w.ch
			if g.pc != nil {
				a.mu.Lock()
				if g.dial {
					a.destroyLocked(g.pc, true)
				} else {
					a.putLocked(g.pc)
				}
				a.mu.Unlock()
			}
			return nil, connInfo{}, fmt.Errorf("client: waiting for a socket to %s: %w", kp.name, context.Cause(ctx))
		}
		switch {
		case g.err != nil:
			return nil, connInfo{}, g.err
		case g.dial:
			return a.dial(ctx, g.pc, t, tr)
		}
		a.mu.Lock()
		a.stats.Reuses++
		a.mu.Unlock()
		return g.pc, connInfo{reused: true}, nil
	}
}

// reserveLocked adds a socket being dialed to kp.
func (a *Agent) reserveLocked(kp *keyPool) *pconn {
	pc := newPconn(a, kp)
	pc.state = stDialing
	kp.active = append(kp.active, pc)
	a.total++
	a.stats.Dials++
	return pc
}

// dial connects a reserved socket.
func (a *Agent) dial(ctx context.Context, pc *pconn, t *target, tr *ClientTrace) (*pconn, connInfo, error) {
	network, addr := t.Network(), t.Address()
	if tr != nil && tr.ConnectStart != nil {
		tr.ConnectStart(network, addr)
	}
	conn, err := a.dialer.DialTarget(ctx, t.Target)
	if tr != nil && tr.ConnectDone != nil {
		tr.ConnectDone(network, addr, err)
	}
	if err != nil {
		a.mu.Lock()
		a.stats.DialFails++
		a.destroyLocked(pc, true)
		a.mu.Unlock()
		return nil, connInfo{}, fmt.Errorf("client: dial %s %s: %w", network, addr, err)
	}
	if ka, ok := conn.(keepAliveSetter); ok && a.opts.KeepAlive && a.opts.KeepAlivePeriod > 0 {
		ka.SetKeepAlive(true)
		ka.SetKeepAlivePeriod(a.opts.KeepAlivePeriod)
	}
	a.mu.Lock()
	pc.conn = conn
	if a.closed {
		a.destroyLocked(pc, false)
		a.mu.Unlock()
		return nil, connInfo{}, ErrAgentClosed
	}
	pc.state = stActive
	a.step()
	a.mu.Unlock()
	return pc, connInfo{}, nil
}

// evictLocked closes the free socket idle longest, of any key, to make
// room under MaxTotalSockets.
func (a *Agent) evictLocked() {
	var oldest *pconn
	for _, kp := range a.pools {
		if len(kp.free) > 0 && (oldest == nil || kp.free[0].idleAt.Before(oldest.idleAt)) {
			oldest = kp.free[0]
		}
	}
	if oldest != nil {
		a.destroyLocked(oldest, false)
	}
}

// destroyLocked closes pc and removes it from whichever list holds it
// (Node's removeSocket). With regrant, the slot it leaves goes to a
// waiting request: of its own key first, else of another key that is
// held back only by MaxTotalSockets.
func (a *Agent) destroyLocked(pc *pconn, regrant bool) {
	kp := pc.kp
	if pc.state == stClosed {
		return
	}
	if i := slices.Index(kp.free, pc); i >= 0 {
		kp.free = slices.Delete(kp.free, i, i+1)
	} else if i := slices.Index(kp.active, pc); i >= 0 {
		kp.active = slices.Delete(kp.active, i, i+1)
	}
	a.stopIdleTimerLocked(pc)
	pc.state = stClosed
	if pc.conn != nil {
		pc.conn.Close()
		a.stats.Destroyed++
	}
	a.total--
	if regrant {
		a.regrantLocked(kp)
	}
	a.dropIfEmpty(kp)
	a.step()
}

// regrantLocked gives a free slot to a waiting request.
func (a *Agent) regrantLocked(kp *keyPool) {
	if a.closed || a.total >= a.maxTotal {
		return
	}
	if len(kp.waiting) > 0 && len(kp.active)+len(kp.free) < a.maxSockets {
		a.grantDialLocked(kp)
		return
	}
	for _, other := range a.pools {
		if len(other.waiting) > 0 && len(other.active)+len(other.free) < a.maxSockets {
			a.grantDialLocked(other)
			return
		}
	}
}

func (a *Agent) grantDialLocked(kp *keyPool) {
	w := kp.waiting[0]
	kp.waiting = slices.Delete(kp.waiting, 0, 1)
	w.ch <- grant{pc: a.reserveLocked(kp), dial: true}
}

// otherKeyWaitingLocked reports whether a key other than kp has a
// request waiting that only MaxTotalSockets holds back.
func (a *Agent) otherKeyWaitingLocked(kp *keyPool) bool {
	for _, other := range a.pools {
		if other != kp && len(other.waiting) > 0 && len(other.active)+len(other.free) < a.maxSockets {
			return true
		}
	}
	return false
}

// detach removes pc from the Agent without closing it: it has become a
// tunnel owned by the caller (Node's 'agentRemove').
func (a *Agent) detach(pc *pconn) {
	a.mu.Lock()
	kp := pc.kp
	if i := slices.Index(kp.active, pc); i >= 0 {
		kp.active = slices.Delete(kp.active, i, i+1)
	}
	a.stopIdleTimerLocked(pc)
	pc.state = stClosed
	a.total--
	a.stats.Detached++
	a.regrantLocked(kp)
	a.dropIfEmpty(kp)
	a.step()
	a.mu.Unlock()
}

// release takes pc back after a response ended. keep says whether the
// connection may carry another request (why, when not). It returns nil
// when the socket was kept, else why it was destroyed.
func (a *Agent) release(pc *pconn, keep bool, why error, freeTimeout time.Duration) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !keep {
		a.destroyLocked(pc, true)
		return why
	}
	pc.freeTimeout = freeTimeout
	return a.putLocked(pc)
}

// putLocked hands a reusable socket to the next waiting request of its
// key, else keeps it free, else destroys it (Node's 'free' handler).
func (a *Agent) putLocked(pc *pconn) error {
	kp := pc.kp
	if a.closed {
		a.destroyLocked(pc, false)
		return ErrAgentClosed
	}
	if len(kp.waiting) > 0 {
		w := kp.waiting[0]
		kp.waiting = slices.Delete(kp.waiting, 0, 1)
		if w.fresh {
			// A retry wants a new socket: this one makes room for it.
			// Reserve first, so that the key's pool never looks empty
			// (and is never dropped from the Agent) in between; both
			// happen under a.mu, so no one sees one socket too many.
			np := a.reserveLocked(kp)
			a.destroyLocked(pc, false)
			w.ch <- grant{pc: np, dial: true}
			a.step()
			return ErrSlotNeeded
		}
		w.ch <- grant{pc: pc}
		a.step()
		return nil
	}
	var why error
	switch {
	case !a.opts.KeepAlive:
		why = ErrNotKeepAlive
	case len(kp.free) >= a.maxFree:
		why = ErrTooManyFree
	case a.total >= a.maxTotal && a.otherKeyWaitingLocked(kp):
		// Keeping it free would hold back a request to another key.
		why = ErrSlotNeeded
	default:
		if i := slices.Index(kp.active, pc); i >= 0 {
			kp.active = slices.Delete(kp.active, i, i+1)
		}
		kp.free = append(kp.free, pc)
		pc.state = stIdle
		pc.idleAt = time.Now()
		pc.idleTimeout = a.opts.Timeout
		if pc.freeTimeout > 0 && (pc.idleTimeout <= 0 || pc.freeTimeout < pc.idleTimeout) {
			pc.idleTimeout = pc.freeTimeout
		}
		// The watcher starts after watchDelay: a socket reused sooner (the
		// common case under load) costs no goroutine and no syscall.
		a.armIdleTimerLocked(pc)
		a.step()
		return nil
	}
	a.destroyLocked(pc, true)
	return why
}

// armIdleTimerLocked makes sure the timer that starts pc's watcher is
// armed. The timer is lazy: taking the socket from the free list does not
// stop it, and putting it back does not move it, because on a busy socket
// that would cost two timer operations per request (each may wake the
// thread that sleeps in the network poller). When it fires, startWatch
// looks at how long the socket has really been free.
func (a *Agent) armIdleTimerLocked(pc *pconn) {
	if pc.timerArmed {
		return
	}
	pc.timerArmed = true
	a.watchers.Add(1)
	if pc.idleTimer == nil {
		pc.idleTimer = time.AfterFunc(a.watchDelay, pc.startWatch)
	} else {
		pc.idleTimer.Reset(a.watchDelay)
	}
}

// stopIdleTimerLocked cancels a pending watcher start; a start it
// prevents will not balance its watchers.Add, so this does.
func (a *Agent) stopIdleTimerLocked(pc *pconn) {
	if pc.timerArmed && pc.idleTimer.Stop() {
		pc.timerArmed = false
		a.watchers.Done()
	}
}
