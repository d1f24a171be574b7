package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// parseOptions is a parse command line, validated.
type parseOptions struct {
	cfg      parser.Config
	finish   bool
	head     bool
	split    int // bytes per Execute call; 0: the whole input at once
	splitAll bool
	escapes  bool

	// trace is parser.Trace; tests replace it to make split parses diverge.
	trace func(parser.Config, []byte, parser.TraceOptions) ([]parser.Event, error)
}

// input is one input of the parse command.
type input struct {
	name string // the file name, or "<stdin>"
	text []byte // as read
	data []byte // the bytes to parse: text, decoded with --escapes
	src  []int  // with --escapes, the offset in text of each byte of data
}

// where shows offset off of data as "name:line:column" in text.
func (in *input) where(off int64) string {
	at := int(min(max(off, 0), int64(len(in.data))))
	if in.src != nil {
		if at < len(in.src) {
			at = in.src[at]
		} else {
			at = len(in.text)
		}
	}
	line, col := lineCol(in.text, at)
	return fmt.Sprintf("%s:%d:%d", in.name, line, col)
}

// stdinName names standard input in output.
const stdinName = "<stdin>"

// runParse is "conform parse".
func runParse(ctx context.Context, e *env, args []string) error {
	o, files, err := parseParseFlags(args)
	if err != nil {
		return helpOr(e, "parse", err)
	}
	inputs, err := readInputs(e.stdin, files, o.escapes)
	if err != nil {
		return err
	}
	lw := newLineWriter(e)
	failed := 0
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			lw.flush()
			return &ExitError{Code: ExitHarness, Err: fmt.Errorf("stopped before %s: %w", in.name, err)}
		}
		if len(inputs) > 1 {
			lw.out("== " + in.name)
		}
		ok, err := parseOne(ctx, lw, in, o)
		if err != nil {
			lw.flush()
			return err
		}
		if !ok {
			failed++
		}
	}
	if err := lw.flush(); err != nil {
		return &ExitError{Code: ExitHarness, Err: fmt.Errorf("writing the trace: %w", err)}
	}
	if failed > 0 {
		return &ExitError{Code: ExitFound}
	}
	return nil
}

// parseParseFlags reads the parse command line.
func parseParseFlags(args []string) (parseOptions, []string, error) {
	o := parseOptions{cfg: parser.Config{Type: parser.Both}, trace: parser.Trace}
	files, err := parseFlags(&o).parse(args)
	if err != nil {
		return o, nil, err
	}
	if o.head && o.cfg.Type == parser.Request {
		return o, nil, usageErrorf("--head says how to read responses, but --type request reads only requests: drop --head, or use --type response or both")
	}
	return o, files, nil
}

// parseFlags returns the flags of the parse command, which set o.
func parseFlags(o *parseOptions) *flagSet {
	fs := &flagSet{cmd: "parse"}
	fs.value("type", "request|response|both", func(s string) error {
		t, err := parser.ParseType(s)
		if err != nil {
			return errors.New("want request, response or both")
		}
		o.cfg.Type = t
		return nil
	})
	fs.value("lenient", "FLAG,...|all", func(s string) error {
		l, err := parser.ParseLenient(s)
		if err != nil {
			return err
		}
		o.cfg.Lenient |= l
		return nil
	})
	fs.value("max-header-size", "N", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want a whole number of bytes (0: the default, %d; negative: no limit)", parser.DefaultMaxHeaderSize)
		}
		o.cfg.MaxHeaderSize = n
		return nil
	})
	fs.boolean("finish", &o.finish)
	fs.boolean("head", &o.head)
	fs.value("split", "N|all", func(s string) error {
		if s == "all" {
			o.split, o.splitAll = 0, true
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return errors.New("want a number of bytes, 1 or more, or \"all\" for every split size")
		}
		o.split, o.splitAll = n, false
		return nil
	})
	fs.boolean("escapes", &o.escapes)
	return fs
}

// readInputs reads every file ("-": standard input; none: standard input)
// before anything is parsed, so that a missing file is reported before any
// output.
func readInputs(stdin io.Reader, files []string, escapes bool) ([]input, error) {
	if len(files) == 0 {
		files = []string{"-"}
	}
	stdinUsed := false
	inputs := make([]input, 0, len(files))
	for _, f := range files {
		var in input
		var err error
		if f == "-" {
			if stdinUsed {
				return nil, usageErrorf("standard input (\"-\") given twice: it can be read only once")
			}
			stdinUsed = true
			in.name = stdinName
			in.text, err = io.ReadAll(stdin)
			if err != nil {
				err = fmt.Errorf("reading standard input: %w", err)
			}
		} else {
			in.name = f
			in.text, err = os.ReadFile(f)
		}
		if err != nil {
			return nil, &ExitError{Code: ExitHarness, Err: err}
		}
		in.data = in.text
		if escapes {
			in.data, in.src, err = decodeEscapes(in.text)
			var ee *escapeError
			if errors.As(err, &ee) {
				line, col := lineCol(in.text, ee.Off)
				return nil, usageErrorf("%s:%d:%d: %s (--escapes reads the input as visible-escape text)", in.name, line, col, ee.Msg)
			}
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// traceOptions returns the parser.TraceOptions for o at split size split.
func (o parseOptions) traceOptions(split int) parser.TraceOptions {
	topt := parser.TraceOptions{Split: split, Finish: o.finish}
	if o.head {
		topt.Decide = func(p *parser.Parser) parser.HeadersDecision {
			if p.Type() == parser.Response {
				return parser.SkipBody
			}
			return parser.Proceed
		}
	}
	return topt
}

// parseOne prints the trace of one input and what ended it. It reports
// false when the parser found an error or a split parse diverged.
func parseOne(ctx context.Context, lw *lineWriter, in input, o parseOptions) (bool, error) {
	events, perr := o.trace(o.cfg, in.data, o.traceOptions(o.split))
	for _, line := range parser.Lines(events) {
		lw.out(line)
	}
	ok := true
	var pe *parser.Error
	switch {
	case perr == nil:
	case errors.As(perr, &pe) && pe.Code == parser.ErrPausedUpgrade:
		lw.note("%s: the protocol switches at offset %d; %s for the tunnel, not parsed as HTTP",
			in.where(pe.Offset), pe.Offset, plural(int64(len(in.data))-pe.Offset, "byte follows", "bytes follow"))
	case errors.As(perr, &pe) && pe.Code == parser.ErrPausedH2Upgrade:
		lw.note("%s: the stream switches to HTTP/2 (connection preface) at offset %d; %s, not parsed as HTTP/1",
			in.where(pe.Offset), pe.Offset, plural(int64(len(in.data))-pe.Offset, "byte follows", "bytes follow"))
	case pe != nil:
		lw.note("%s: %s at offset %d: %s", in.where(pe.Offset), pe.Code, pe.Offset, pe.Reason)
		ok = false
	default:
		return false, &ExitError{Code: ExitHarness, Err: fmt.Errorf("%s: the parser failed without an error code: %w", in.name, perr)}
	}
	if o.splitAll {
		same, err := checkSplits(ctx, lw, in, o, parser.Lines(events))
		if err != nil {
			return false, err
		}
		ok = ok && same
	}
	return ok, nil
}

// checkSplits parses in at every split size from 1 to its length and
// reports on stderr the sizes whose trace differs from want, the trace of
// the whole-input parse. It reports whether every trace matched.
func checkSplits(ctx context.Context, lw *lineWriter, in input, o parseOptions, want []string) (bool, error) {
	if len(in.data) == 0 {
		lw.note("%s: the input is empty; there is nothing to split", in.name)
		return true, nil
	}
	var diverging []int
	for split := 1; split <= len(in.data); split++ {
		if err := ctx.Err(); err != nil {
			return false, &ExitError{Code: ExitHarness, Err: fmt.Errorf("%s: stopped at split size %d: %w", in.name, split, err)}
		}
		events, _ := o.trace(o.cfg, in.data, o.traceOptions(split))
		got := parser.Lines(events)
		i, differs := firstDifference(want, got)
		if !differs {
			continue
		}
		if len(diverging) == 0 {
			lw.note("%s: at split size %d the trace differs from the whole-input parse at line %d:\n\twhole: %s\n\tsplit: %s",
				in.name, split, i+1, lineOrEnd(want, i), lineOrEnd(got, i))
		}
		diverging = append(diverging, split)
	}
	if len(diverging) > 0 {
		lw.note("%s: %d of %d split sizes diverge: %s", in.name, len(diverging), len(in.data), ranges(diverging))
		return false, nil
	}
	lw.note("%s: the trace is the same at every split size from 1 to %d", in.name, len(in.data))
	return true, nil
}

// firstDifference returns the index of the first line where a and b
// differ, and whether they differ at all.
func firstDifference(a, b []string) (int, bool) {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i, true
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b)), true
	}
	return 0, false
}

func lineOrEnd(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of trace)"
}

// ranges renders ascending numbers compactly: "1-3, 7, 9-10".
func ranges(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(ns[i]))
		} else {
			parts = append(parts, strconv.Itoa(ns[i])+"-"+strconv.Itoa(ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// plural renders "1 byte follows" or "3 bytes follow".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}
