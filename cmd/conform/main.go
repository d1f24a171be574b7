package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// main runs conform on the process's arguments and streams and turns the
// outcome into an exit status. Everything else happens in Run, so that
// tests drive the whole command in-process.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// exitCode maps Run's result to the process's exit status. Run has already
// explained an *ExitError on stderr; anything else is unexpected and is
// explained here.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var xe *ExitError
	if errors.As(err, &xe) {
		return xe.Code
	}
	fmt.Fprintln(os.Stderr, "conform:", err)
	return ExitHarness
}
