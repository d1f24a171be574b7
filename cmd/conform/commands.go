package main

import "context"

// command is one subcommand of conform. Adding a command is one entry in
// commands and one section "# conform NAME" in doc.go (a test checks that
// both exist and agree).
type command struct {
	name    string
	summary string // as in the overview's command list
	run     func(ctx context.Context, e *env, args []string) error
}

// commands returns the command table, in the order the overview lists it.
func commands() []command {
	return []command{
		{name: "run", summary: "run the conformance checks against servers and write a report", run: runRun},
		{name: "list", summary: "list the checks conform run would run", run: runList},
		{name: "report", summary: "re-render saved results, several files as one matrix", run: runReport},
		{name: "serve", summary: "run the reference server with the routes conformance tools need", run: runServe},
		{name: "parse", summary: "print the parser's event trace for raw HTTP/1.x bytes", run: runParse},
		{name: "diff", summary: "compare how conform's parser and other implementations read the same bytes", run: runDiff},
		{name: "help", summary: "print this overview, or a command's documentation", run: runHelp},
		{name: "version", summary: "print conform's version and how it was built", run: runVersion},
	}
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}
