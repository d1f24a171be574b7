package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"github.com/conformhttp/conform/internal/serve"
)

// runServe runs the reference server until ctx ends (SIGINT or SIGTERM).
func runServe(ctx context.Context, e *env, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if isHelpFlag(a) {
			return printCommandHelp(e, "serve")
		}
	}
	err := serve.Main(ctx, args, e.stdout, e.stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return nil
	case errors.Is(err, serve.ErrUsage):
		// serve.Main has said what is wrong and how to fix it.
		return &ExitError{Code: ExitUsage}
	}
	return &ExitError{Code: ExitHarness, Err: errors.New(strings.TrimPrefix(err.Error(), "conform serve: "))}
}
