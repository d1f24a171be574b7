package fuzz

import (
	"fmt"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// Plan says how to feed an input to the parser: in pieces of the lengths
// Pieces, used in turn and again from the first when they run out (one
// byte at a time when Pieces is empty), and pausing the parser from inside
// every PauseEvery-th callback (never when zero).
type Plan struct {
	Pieces     []int
	PauseEvery int
}

// maxPieces is the most piece lengths a plan holds.
const maxPieces = 8

// DecodePlan reads a plan from the front of b: a count byte (modulo
// maxPieces+1), a pause byte, then that many bytes each giving a piece
// length of one to 256. It returns the plan and the bytes after it.
func DecodePlan(b []byte) (Plan, []byte) {
	var pl Plan
	if len(b) < 2 {
		return pl, b[len(b):]
	}
	n := int(b[0]) % (maxPieces + 1)
	pl.PauseEvery = int(b[1])
	b = b[2:]
	for i := 0; i < n && len(b) > 0; i++ {
		pl.Pieces = append(pl.Pieces, int(b[0])+1)
		b = b[1:]
	}
	return pl, b
}

// Encode returns the bytes DecodePlan reads back as pl (piece lengths
// clamped to 1..256, at most maxPieces of them).
func (pl Plan) Encode() []byte {
	pieces := pl.Pieces[:min(len(pl.Pieces), maxPieces)]
	out := []byte{byte(len(pieces)), byte(pl.PauseEvery)}
	for _, n := range pieces {
		out = append(out, byte(min(max(n, 1), 256)-1))
	}
	return out
}

// Run is the outcome of parsing an input: the merged trace (pauses left
// out), the error that stopped the parser, the bytes consumed and the
// messages begun.
type Run struct {
	Events   []parser.Event
	Err      error
	Consumed int64
	Messages int
	// Livelock says the parser fired more events than any input of this
	// length holds and RunPlan stopped it.
	Livelock bool
}

// eventLimit bounds the events of an input of n bytes: a few per byte, and
// some for the end.
func eventLimit(n int) int { return 16*n + 64 }

// RunPlan parses msg with cfg and the decisions of opts, fed and paused
// as pl says (pl nil: the whole input in one Execute, no pauses), then
// calls Finish. After a pause it resumes at once and calls Execute with
// the rest of the piece (even when nothing is left), as the parser's
// contract says.
func RunPlan(cfg parser.Config, opts Options, msg []byte, pl *Plan) Run {
	rec := &parser.Recorder{Decide: deciderFor(opts)}
	cb := rec.Callbacks()
	if pl != nil && pl.PauseEvery > 0 {
		cb = pausing(cb, pl.PauseEvery)
	}
	p := parser.New(cfg, cb)
	var r Run
	next := 0
	limit := eventLimit(len(msg))
	for pos := 0; pos < len(msg) && r.Err == nil && !r.Livelock; {
		size := len(msg) - pos
		if pl != nil {
			size = 1
			if len(pl.Pieces) > 0 {
				size = pl.Pieces[next%len(pl.Pieces)]
				next++
			}
			size = min(size, len(msg)-pos)
		}
		piece := msg[pos : pos+size]
		pos += size
		for {
			n, err := p.Execute(piece)
			r.Consumed += int64(n)
			if len(rec.Events) > limit {
				r.Livelock = true
				break
			}
			if e, ok := err.(*parser.Error); ok && e.Code == parser.ErrPaused {
				// Resume, then Execute the rest, even when nothing is
				// left: the parser may owe events (a complete event
				// after the span callback that paused).
				p.Resume()
				piece = piece[n:]
				continue
			}
			r.Err = err
			break
		}
	}
	if r.Err == nil && !r.Livelock {
		r.Err = p.Finish()
	}
	rec.RecordError(r.Err)
	r.Events = parser.Merge(rec.Events)
	r.Messages = p.Messages()
	return r
}

// pausing returns callbacks that call those of cb and pause the parser
// from inside every every-th of them.
func pausing(cb *parser.Callbacks, every int) *parser.Callbacks {
	n := 0
	tick := func(p *parser.Parser) {
		n++
		if n%every == 0 {
			p.Pause()
		}
	}
	sp := func(f func(*parser.Parser, []byte) error) func(*parser.Parser, []byte) error {
		if f == nil {
			return nil
		}
		return func(p *parser.Parser, b []byte) error { err := f(p, b); tick(p); return err }
	}
	ev := func(f func(*parser.Parser) error) func(*parser.Parser) error {
		if f == nil {
			return nil
		}
		return func(p *parser.Parser) error { err := f(p); tick(p); return err }
	}
	out := &parser.Callbacks{
		OnMessageBegin:                ev(cb.OnMessageBegin),
		OnMethod:                      sp(cb.OnMethod),
		OnMethodComplete:              ev(cb.OnMethodComplete),
		OnURL:                         sp(cb.OnURL),
		OnURLComplete:                 ev(cb.OnURLComplete),
		OnProtocol:                    sp(cb.OnProtocol),
		OnProtocolComplete:            ev(cb.OnProtocolComplete),
		OnVersion:                     sp(cb.OnVersion),
		OnVersionComplete:             ev(cb.OnVersionComplete),
		OnStatus:                      sp(cb.OnStatus),
		OnStatusComplete:              ev(cb.OnStatusComplete),
		OnHeaderField:                 sp(cb.OnHeaderField),
		OnHeaderFieldComplete:         ev(cb.OnHeaderFieldComplete),
		OnHeaderValue:                 sp(cb.OnHeaderValue),
		OnHeaderValueComplete:         ev(cb.OnHeaderValueComplete),
		OnBody:                        sp(cb.OnBody),
		OnChunkHeader:                 ev(cb.OnChunkHeader),
		OnChunkExtensionName:          sp(cb.OnChunkExtensionName),
		OnChunkExtensionNameComplete:  ev(cb.OnChunkExtensionNameComplete),
		OnChunkExtensionValue:         sp(cb.OnChunkExtensionValue),
		OnChunkExtensionValueComplete: ev(cb.OnChunkExtensionValueComplete),
		OnChunkComplete:               ev(cb.OnChunkComplete),
		OnMessageComplete:             ev(cb.OnMessageComplete),
		OnReset:                       ev(cb.OnReset),
	}
	if f := cb.OnHeadersComplete; f != nil {
		out.OnHeadersComplete = func(p *parser.Parser) (parser.HeadersDecision, error) {
			d, err := f(p)
			tick(p)
			return d, err
		}
	}
	return out
}

// CheckSplit is the body of the split-invariance target: in is an options
// prefix (type included), a plan (see DecodePlan), then the bytes of a
// stream. The stream parsed whole and parsed as the plan says (pieces and
// pauses) must give the same merged trace, the same error (code, offset
// and reason), the same number of messages and, unless an error other
// than an upgrade stopped the parser (Execute consumes up to the byte at
// fault, which depends on where the input was cut), the same count of
// bytes consumed.
func CheckSplit(in []byte) error {
	opts, rest := DecodeOptions(in)
	pl, msg := DecodePlan(rest)
	cfg := opts.Config(opts.Type)
	whole := RunPlan(cfg, opts, msg, nil)
	cut := RunPlan(cfg, opts, msg, &pl)
	a, b := strings.Join(parser.Lines(whole.Events), "\n"), strings.Join(parser.Lines(cut.Events), "\n")
	var why string
	switch {
	case whole.Livelock || cut.Livelock:
		why = fmt.Sprintf("the parser fires events without end (more than %d for %d bytes; whole %v, split %v)",
			eventLimit(len(msg)), len(msg), whole.Livelock, cut.Livelock)
	case a != b:
		why = "the merged trace changes"
	case (whole.Err == nil) != (cut.Err == nil) || whole.Err != nil && !sameError(whole.Err, cut.Err):
		why = fmt.Sprintf("the error changes: %v, then %v", whole.Err, cut.Err)
	case whole.Messages != cut.Messages:
		why = fmt.Sprintf("the message count changes: %d, then %d", whole.Messages, cut.Messages)
	case whole.Consumed != cut.Consumed && (whole.Err == nil || errorCode(whole.Err) == parser.ErrPausedUpgrade):
		why = fmt.Sprintf("the bytes consumed change: %d, then %d", whole.Consumed, cut.Consumed)
	default:
		return nil
	}
	return fmt.Errorf("split invariance: %s\nconfig: type=%s lenient=%q max-header-size=%d decide=%v\nplan: pieces %v, pause every %d\ninput: %q\nwhole:\n%s\nsplit:\n%s",
		why, cfg.Type, cfg.Lenient.String(), cfg.MaxHeaderSize, opts.Decide, pl.Pieces, pl.PauseEvery, msg, a, b)
}

// errorCode returns err's parser error code, or OK.
func errorCode(err error) parser.Errno {
	if e, ok := err.(*parser.Error); ok {
		return e.Code
	}
	return parser.OK
}
