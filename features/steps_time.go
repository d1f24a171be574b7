package features

import "time"

func (w *world) secondsPass(n int) error {
	w.pass(time.Duration(n) * time.Second)
	return nil
}

// liveTimeout returns a timeout of the target a @slow scenario waits for:
// the run's LiveTimeouts for live targets. The reference target's are the
// ones its scenario configured, which @slow scenarios do not.
func (w *world) liveTimeout(what string, d time.Duration) (time.Duration, error) {
	if w.ref != nil {
		return 0, skipf("@slow scenarios wait for a live server's own %s timeout; the reference target runs its timeouts on a fake clock instead (timeouts.feature)", what)
	}
	if d <= 0 {
		return 0, skipf("the target's %s timeout is not known (set Options.Timeouts, or conform run's timeout flags)", what)
	}
	return d, nil
}

// idlePastKeepAlive waits the target's keep-alive timeout and a second
// more.
func (w *world) idlePastKeepAlive() error {
	d, err := w.liveTimeout("keep-alive", w.run.timeouts.KeepAlive)
	if err != nil {
		return err
	}
	w.pass(d + time.Second)
	return nil
}

// pastHeadersTimeout waits the target's headers timeout and a second
// more.
func (w *world) pastHeadersTimeout() error {
	d, err := w.liveTimeout("headers", w.run.timeouts.Headers)
	if err != nil {
		return err
	}
	w.pass(d + time.Second)
	return nil
}
