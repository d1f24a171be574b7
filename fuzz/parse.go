package fuzz

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// AllocsFunc measures the average allocations of f over runs calls, as
// testing.AllocsPerRun does.
type AllocsFunc func(runs int, f func()) float64

// MeasureAllocs is an AllocsFunc: it calls f once to warm up, then runs
// times with one P, and returns the mallocs counted meanwhile divided by
// runs (rounded down). The fuzz targets use it instead of
// testing.AllocsPerRun because libFuzzer builds of them replace package
// testing with a shim in which AllocsPerRun panics.
func MeasureAllocs(runs int, f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64((after.Mallocs - before.Mallocs) / uint64(runs))
}

// Drive parses c's input with p (which must report to c.Callbacks()) as a
// stream that ends after the input: one Execute call, then Finish. Besides
// the event invariants c checks, it checks what Execute and Finish
// return: all the input consumed without an error; with an error, an
// *parser.Error whose offset lies inside the input, at the byte where
// Execute stopped (or, when the fault lies in an earlier input, with
// nothing consumed); ErrPausedUpgrade exactly when a message switched
// protocols; errors sticky (Execute after an error returns the same error,
// consumes nothing and fires no callback; Finish returns it too);
// ErrInvalidEOFState from Finish exactly when the stream ends inside a
// message. It returns the error that stopped the parser. Drive does not
// allocate beyond what the parser does.
func (c *Checker) Drive(p *parser.Parser) error {
	n, err := p.Execute(c.in)
	c.afterCall(0, len(c.in), n, err)
	if err != nil {
		c.sticky(p, err, n)
		return err
	}
	c.finishing = true
	ferr := p.Finish()
	c.finishing = false
	end := int64(len(c.in))
	switch {
	case ferr == nil && c.ph != phIdle:
		c.fail("Finish returned no error inside a message", end)
	case ferr == nil && c.upgraded:
		c.fail("Finish returned no error after a message that switched protocols", end)
	case ferr != nil:
		c.afterCall(end, 0, 0, ferr)
		if errors.Is(ferr, parser.ErrInvalidEOFState) && c.ph == phIdle {
			c.fail("Finish reported EOF inside a message between messages", end)
		}
		c.sticky(p, ferr, 0)
	}
	return ferr
}

// afterCall checks the result of an Execute of in bytes that began at
// base (or of Finish, with in zero).
func (c *Checker) afterCall(base int64, in, n int, err error) {
	if n < 0 || n > in {
		c.failValues("Execute consumed a count outside its input", base, int64(n), int64(in))
		return
	}
	if err == nil {
		if n != in {
			c.failValues("Execute returned no error without consuming its input", base+int64(n), int64(n), int64(in))
		}
		if c.upgraded {
			c.fail("no ErrPausedUpgrade after a message that switched protocols", base+int64(n))
		}
		return
	}
	// A type assertion, not errors.As, which would allocate.
	e, ok := err.(*parser.Error)
	if !ok || e == nil {
		c.fail("error is not a *parser.Error", base)
		return
	}
	switch {
	case e.Offset < 0 || e.Offset > int64(len(c.in)):
		c.failValues("error offset outside the input", e.Offset, e.Offset, int64(len(c.in)))
	case e.Offset < c.lastOff:
		c.failValues("error offset before the last event", e.Offset, e.Offset, c.lastOff)
	case e.Offset >= base && e.Offset != base+int64(n):
		c.failValues("error offset is not where Execute stopped", e.Offset, e.Offset, base+int64(n))
	case e.Offset < base && n != 0:
		c.failValues("error in an earlier input, yet Execute consumed bytes", e.Offset, int64(n), 0)
	case e.Reason == "":
		c.fail("error without a reason", e.Offset)
	case !errors.Is(err, e.Code):
		c.fail("error does not match its own code with errors.Is", e.Offset)
	case e.Code == parser.ErrPaused:
		c.fail("ErrPaused although no callback paused", e.Offset)
	case (e.Code == parser.ErrPausedUpgrade) != c.upgraded:
		c.fail("ErrPausedUpgrade differs from whether a message switched protocols", e.Offset)
	}
}

// sticky checks that err, returned when the parser had consumed n bytes of
// the last input, stays: Execute of the rest and of nothing, and Finish,
// return it again without consuming bytes or firing callbacks.
func (c *Checker) sticky(p *parser.Parser, err error, n int) {
	events := c.events
	rest := c.in[min(int(c.lastPos(err, n)), len(c.in)):]
	if n2, err2 := p.Execute(rest); n2 != 0 || !sameError(err, err2) {
		c.fail("error not sticky: Execute after it returned something else", c.lastOff)
	}
	if n2, err2 := p.Execute(nil); n2 != 0 || !sameError(err, err2) {
		c.fail("error not sticky: Execute(nil) after it returned something else", c.lastOff)
	}
	if err2 := p.Finish(); !sameError(err, err2) {
		c.fail("error not sticky: Finish after it returned something else", c.lastOff)
	}
	if c.events != events {
		c.failValues("callbacks fired after a sticky error", c.lastOff, int64(c.events), int64(events))
	}
}

// lastPos returns where the bytes after an error begin: the error's offset
// for an upgrade (the tunnel), else the count consumed.
func (c *Checker) lastPos(err error, n int) int64 {
	if e, ok := err.(*parser.Error); ok && e.Code == parser.ErrPausedUpgrade {
		return e.Offset
	}
	return int64(n)
}

func sameError(a, b error) bool {
	x, ok1 := a.(*parser.Error)
	y, ok2 := b.(*parser.Error)
	if !ok1 || !ok2 {
		return false
	}
	return x.Code == y.Code && x.Offset == y.Offset && x.Reason == y.Reason
}

// CheckParse is the body of the parse fuzz targets: in is an options
// prefix (see Options; the type is typ, whatever the prefix says) and the
// bytes of a stream of messages. It parses the stream with a Checker
// (every event invariant, and Drive's checks of Execute and Finish), then
// parses it again, reusing the parser and checker through Reset, under
// allocs: a parse that ends without an error must not allocate, one that
// ends with an error only that error, whatever the input's size.
func CheckParse(typ parser.Type, in []byte, allocs AllocsFunc) error {
	opts, msg := DecodeOptions(in)
	cfg := opts.Config(typ)
	c := NewChecker(msg, opts)
	p := parser.New(cfg, c.Callbacks())
	err := c.Drive(p)
	if v := c.Err(); v != nil {
		return explain(cfg, opts, msg, v)
	}
	if allocs == nil {
		return nil
	}
	want := 0.0
	if err != nil {
		want = 1 // the *parser.Error
	}
	got := allocs(4, func() {
		p.Reset()
		c.Reset()
		c.Drive(p)
	})
	if got > want {
		return explain(cfg, opts, msg, fmt.Errorf("parsing allocates %v times; want at most %v (the error value)", got, want))
	}
	return nil
}

// explain wraps a violation with what a reader needs to reproduce it: the
// configuration, the input and the strict merged trace.
func explain(cfg parser.Config, opts Options, msg []byte, why error) error {
	events, err := parser.Trace(cfg, msg, parser.TraceOptions{Finish: true, Decide: deciderFor(opts)})
	var b strings.Builder
	fmt.Fprintf(&b, "%v\nconfig: type=%s lenient=%q max-header-size=%d decide=%v\ninput: %q\ntrace:\n",
		why, cfg.Type, cfg.Lenient.String(), cfg.MaxHeaderSize, opts.Decide, msg)
	for _, l := range parser.Lines(events) {
		b.WriteString("  ")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "error: %v", err)
	return errors.New(b.String())
}

// deciderFor returns a Decide function that answers heads as opts says.
func deciderFor(opts Options) func(p *parser.Parser) parser.HeadersDecision {
	return func(p *parser.Parser) parser.HeadersDecision {
		return opts.decision(p.Type(), p.Messages()-1)
	}
}
