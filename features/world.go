package features

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/cucumber/godog"
)

// world is one scenario's state. A new world is made for every scenario
// (godog calls the scenario initializer once per scenario) and filled in by
// the Before hook; nothing in it outlives the scenario.
type world struct {
	run *runState // the run's settings and results; shared, not scenario state

	ex      executor
	started time.Time // real clock, for the result's duration
	ctx     context.Context
	log     *wireLog

	ref *refEnv // the reference server, for the reference target
	tcp *tcpEnv // the address, for TCP targets
	mem *memEnv // an in-memory server, for this package's tests

	conns []*rawConn
	cur   *rawConn    // "the connection": the last one opened
	taken []*response // responses taken from the current connection, in order
	last  *response   // the response the last receiving step took

	floods []*flood // writers still sending pipelined requests

	agent *agentState

	// The first step that did not pass, for the result.
	failStatus godog.StepResultStatus
	failErr    error
	failStep   string
}

// harnessError marks a failure of the harness rather than of the target:
// the target could not be reached, a step was written wrongly. Its
// scenario's verdict is "error".
type harnessError struct{ err error }

func (e *harnessError) Error() string { return e.err.Error() }
func (e *harnessError) Unwrap() error { return e.err }

func harness(format string, args ...any) error {
	return &harnessError{fmt.Errorf(format, args...)}
}

// skipf skips the scenario with a reason.
func skipf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", godog.ErrSkip, fmt.Sprintf(format, args...))
}

// initScenario builds the world of one scenario and registers the steps
// and hooks bound to it.
func initScenario(sc *godog.ScenarioContext, rs *runState) {
	w := &world{run: rs}
	sc.Before(w.before)
	sc.StepContext().After(w.afterStep)
	sc.After(w.after)
	w.registerSteps(sc)
}

func (w *world) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	w.started = time.Now()
	w.ctx = ctx
	if err := ctx.Err(); err != nil {
		return ctx, skipf("the run was cancelled: %v", err)
	}
	mt, inMemory := w.run.target.(*memTarget)
	if w.run.bubbles != nil && (inMemory || w.run.target.reference()) {
		w.ex = newBubbleExec(w.run.bubbles)
	} else {
		w.ex = directExec{grace: w.run.grace}
	}
	err := w.ex.do(func() error {
		w.log = newWireLog(time.Now())
		switch {
		case w.run.target.reference():
			w.ref = newRefEnv(w.scaled)
		case inMemory:
			serve, stop := mt.start()
			w.mem = &memEnv{serve: serve, stop: stop}
		default:
			w.tcp = &tcpEnv{addr: w.run.target.(tcpTarget).dialAddr()}
		}
		return nil
	})
	return ctx, err
}

func (w *world) afterStep(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
	if w.failStep == "" && status != godog.StepPassed {
		w.failStatus, w.failErr, w.failStep = status, err, st.Text
	}
	return ctx, nil
}

func (w *world) after(ctx context.Context, sc *godog.Scenario, _ error) (context.Context, error) {
	var cleanupErr error
	if w.ex != nil {
		cleanupErr = w.ex.do(w.cleanup)
		if err := w.ex.end(); err != nil && cleanupErr == nil {
			cleanupErr = err
		}
	}
	w.run.record(w, sc, cleanupErr)
	return ctx, cleanupErr
}

// cleanup closes everything the scenario opened and waits for the
// goroutines it started.
func (w *world) cleanup() error {
	var errs []error
	if w.agent != nil {
		errs = append(errs, w.agent.close())
	}
	for _, c := range w.conns {
		c.close("scenario ended")
	}
	for _, f := range w.floods {
		f.wg.Wait()
	}
	if w.ref != nil {
		errs = append(errs, w.ref.close(w.ex.fake(), 10*time.Second))
	}
	if w.mem != nil {
		w.mem.close()
	}
	return errors.Join(errs...)
}

// step registers a step whose function runs through the executor, where
// the scenario's objects live. f must return only an error.
func (w *world) step(sc *godog.ScenarioContext, expr string, f any) {
	fv := reflect.ValueOf(f)
	ft := fv.Type()
	if ft.Kind() != reflect.Func || ft.NumOut() != 1 || ft.Out(0) != reflect.TypeFor[error]() {
		panic(fmt.Sprintf("step %q: function must return only an error", expr))
	}
	wrapped := reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
		err := w.ex.do(func() error {
			out := fv.Call(args)
			err, _ := out[0].Interface().(error)
			return err
		})
		ev := reflect.New(reflect.TypeFor[error]()).Elem()
		if err != nil {
			ev.Set(reflect.ValueOf(err))
		}
		return []reflect.Value{ev}
	})
	sc.Step(expr, wrapped.Interface())
}

// Clock.

// fakePatience is how long a step waits on the fake clock. Waiting costs
// nothing there, but it must end before the reference server's default
// headers timeout (60 s), so that a server stuck waiting for bytes is not
// taken to have answered when its 408 comes.
const fakePatience = 30 * time.Second

// patience is how long a step waits for something the target should do.
func (w *world) patience() time.Duration {
	if w.ex.fake() {
		return fakePatience
	}
	return w.run.patience
}

func (w *world) deadline() time.Time { return time.Now().Add(w.patience()) }

// scaled converts a duration a scenario names into the duration to use:
// itself on the fake clock and against live targets, multiplied by the
// run's time scale for the reference target on the real clock.
func (w *world) scaled(d time.Duration) time.Duration {
	if w.ref != nil && !w.ex.fake() {
		return time.Duration(float64(d) * w.run.timeScale)
	}
	return d
}

// pass lets d of scenario time pass.
func (w *world) pass(d time.Duration) {
	w.log.note(fmt.Sprintf("%v pass", d))
	time.Sleep(w.scaled(d))
}

// needRef returns the reference server, or an error for other targets.
func (w *world) needRef() (*refEnv, error) {
	if w.ref == nil {
		return nil, skipf("%v; the target is %s", errNotReference, w.run.target.Name())
	}
	return w.ref, nil
}
