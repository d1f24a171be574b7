package features

import (
	"fmt"
	"runtime/debug"
	"testing"
	"testing/synctest"
	"time"
)

// An executor runs a scenario's steps. godog calls step functions on its
// own goroutine; the executor decides where they run and on which clock.
type executor interface {
	// do runs f where the scenario's objects live and returns its error;
	// a panic in f becomes an error.
	do(f func() error) error
	// fake reports whether time is a testing/synctest bubble's fake clock.
	fake() bool
	// settle lets every other goroutine of the scenario run until it
	// blocks (synctest.Wait); on the real clock it waits a short while.
	settle()
	// end stops the executor; do must not be called afterwards. It
	// reports goroutines of the scenario that outlived it.
	end() error
}

// protect runs f, turning a panic into an error.
func protect(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("step panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return f()
}

// directExec runs steps on godog's goroutine on the real clock: for live
// targets, net/http, and library runs without a *testing.T.
type directExec struct {
	grace time.Duration
}

func (directExec) do(f func() error) error { return protect(f) }
func (directExec) fake() bool              { return false }
func (d directExec) settle()               { time.Sleep(d.grace) }
func (directExec) end() error              { return nil }

// bubbleExec runs steps inside a testing/synctest bubble, one per
// scenario: a goroutine in the bubble takes the step functions from a
// channel made outside it. While it waits for the next step it is not
// durably blocked, so the bubble's clock stands still between steps; it
// moves only when a step waits (for bytes, or for time to pass) and
// everything else in the bubble is blocked too. A 60-second timeout then
// takes no real time, and nothing fires early because a step was slow.
//
// Every object the scenario creates (connections, the server, the Agent)
// is created inside the bubble, and only touched from step functions run
// by do, as synctest requires.
type bubbleExec struct {
	calls chan func()
	done  chan struct{}
	err   error // set before done is closed
}

func newBubbleExec(t *testing.T) *bubbleExec {
	b := &bubbleExec{calls: make(chan func()), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		defer func() {
			// synctest panics when every goroutine of the bubble is
			// blocked for good: during a step (a deadlock), or after the
			// scenario's cleanup (goroutines left behind).
			if v := recover(); v != nil {
				b.err = fmt.Errorf("synctest: %v", v)
			}
		}()
		synctest.Test(t, func(*testing.T) {
			for f := range b.calls {
				f()
			}
		})
	}()
	return b
}

func (b *bubbleExec) do(f func() error) error {
	res := make(chan error, 1)
	select {
	case b.calls <- func() { res <- protect(f) }:
	case <-b.done:
		return fmt.Errorf("the scenario's bubble has ended: %v", b.err)
	}
	select {
	case err := <-res:
		return err
	case <-b.done:
		// synctest found every goroutine of the scenario blocked, with no
		// timer to wake one: the step waits for something that cannot
		// happen.
		return fmt.Errorf("the step can never finish: %v", b.err)
	}
}

func (*bubbleExec) fake() bool { return true }

// settle must be called from inside do.
func (*bubbleExec) settle() { synctest.Wait() }

func (b *bubbleExec) end() error {
	select {
	case <-b.done:
		return b.err
	default:
	}
	close(b.calls)
	<-b.done
	return b.err
}
