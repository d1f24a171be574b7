package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Exit statuses, as the package documentation lists them.
const (
	ExitOK      = 0 // success: conformant
	ExitHarness = 1 // conform could not do its job
	ExitUsage   = 2 // the command line was wrong
	ExitFound   = 3 // non-conformance found, or a parse error reported
)

// ExitError is the error Run returns for every outcome but success. Code is
// the process's exit status. Run has already written Err's message (if any)
// to standard error; Err is kept for callers in the same process, and is nil
// when the command explained itself in its own words on standard error.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return "exit status " + strconv.Itoa(e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// usageErrorf returns an ExitUsage error; the message should say how to
// fix the call.
func usageErrorf(format string, args ...any) *ExitError {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// env is what a command may touch of the outside world.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Run runs conform with args (without the program name) and returns nil on
// success or an *ExitError carrying the exit status. Everything meant for
// the user has been written to stdout or stderr when Run returns.
//
// A nil stdin reads as empty; a nil stdout or stderr discards.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	out := &trackingWriter{w: stdout}
	e := &env{stdin: stdin, stdout: out, stderr: stderr}
	prefix := "conform"
	var err error
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, overview())
		err = usageErrorf("no command given; run \"conform help\" for the list")
	case isHelpFlag(args[0]):
		err = runHelp(ctx, e, args[1:])
	case strings.HasPrefix(args[0], "-"):
		err = usageErrorf("flag %s before the command; flags go after the command name (conform <command> [flags]); run \"conform help\" for the commands", args[0])
	default:
		cmd, ok := lookupCommand(args[0])
		if !ok {
			err = unknownCommand(args[0])
			break
		}
		prefix += " " + cmd.name
		err = cmd.run(ctx, e, args[1:])
		if out.err != nil {
			err = &ExitError{Code: ExitHarness, Err: fmt.Errorf("writing output: %w", out.err)}
		}
	}
	return report(stderr, prefix, err)
}

// report writes err's message to stderr after prefix and returns the
// *ExitError that stands for it.
func report(stderr io.Writer, prefix string, err error) error {
	if err == nil {
		return nil
	}
	var xe *ExitError
	if !errors.As(err, &xe) {
		xe = &ExitError{Code: ExitHarness, Err: err}
	}
	if xe.Err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, xe.Err)
	}
	return xe
}

// unknownCommand is the usage error for a command name not in the table,
// with a suggestion when the name is close to one.
func unknownCommand(name string) error {
	for _, c := range commands() {
		if editDistance(name, c.name) <= 2 {
			return usageErrorf("unknown command %q; did you mean %q? The commands are %s", name, c.name, strings.Join(commandNames(), ", "))
		}
	}
	return usageErrorf("unknown command %q; the commands are %s (run \"conform help\" for more)", name, strings.Join(commandNames(), ", "))
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "--h"
}

// trackingWriter remembers the first write error, so that a command whose
// output could not be written does not report success.
type trackingWriter struct {
	w   io.Writer
	err error
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.w.Write(p)
	if err != nil {
		t.err = err
	}
	return n, err
}

// lineWriter buffers output lines and flushes them before anything goes to
// stderr, so that the two streams interleave in order on a terminal.
type lineWriter struct {
	buf    *bufio.Writer
	stderr io.Writer
}

func newLineWriter(e *env) *lineWriter {
	return &lineWriter{buf: bufio.NewWriter(e.stdout), stderr: e.stderr}
}

// out writes one line to stdout.
func (l *lineWriter) out(line string) {
	l.buf.WriteString(line)
	l.buf.WriteByte('\n')
}

// note writes one line to stderr after flushing stdout.
func (l *lineWriter) note(format string, args ...any) {
	l.buf.Flush()
	fmt.Fprintf(l.stderr, format+"\n", args...)
}

// flush writes what is buffered and returns the first write error.
func (l *lineWriter) flush() error { return l.buf.Flush() }
