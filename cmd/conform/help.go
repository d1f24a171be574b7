package main

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
)

// docSource is doc.go itself: its package comment is the user
// documentation, and help prints it. It is never written.
//
//go:embed doc.go
var docSource string

// commandHeading begins the heading of the section of doc.go that
// documents a command: "# conform parse".
const commandHeading = "conform "

// manual is doc.go's package comment as plain text: the overview (every
// section that is not about one command) and one section per command,
// without its heading.
type manual struct {
	overview string
	sections map[string]string
}

// readManual takes the package comment apart. The comment ends at the
// "package" clause; its lines lose their "//" and one following space, and
// headings lose their "# ".
func readManual() manual {
	m := manual{sections: make(map[string]string)}
	var over, sec strings.Builder
	name := "" // the command whose section is being read; "" for the overview
	endSection := func() {
		if name != "" {
			m.sections[name] = strings.Trim(sec.String(), "\n") + "\n"
		}
		sec.Reset()
	}
	for line := range strings.Lines(docSource) {
		if strings.HasPrefix(line, "package ") {
			break
		}
		text, ok := strings.CutPrefix(line, "//")
		if !ok {
			continue
		}
		text = strings.TrimPrefix(text, " ")
		if heading, ok := strings.CutPrefix(text, "# "); ok {
			endSection()
			if cmd, ok := strings.CutPrefix(heading, commandHeading); ok {
				name = strings.TrimSpace(cmd)
				continue
			}
			name = ""
			text = heading
		}
		if name != "" {
			sec.WriteString(text)
		} else {
			over.WriteString(text)
		}
	}
	endSection()
	m.overview = strings.Trim(over.String(), "\n") + "\n"
	return m
}

// overview returns the text "conform help" prints.
func overview() string { return readManual().overview }

// commandHelp returns the documentation of the named command.
func commandHelp(name string) (string, bool) {
	s, ok := readManual().sections[name]
	return s, ok
}

// runHelp prints the overview, or one command's documentation.
func runHelp(ctx context.Context, e *env, args []string) error {
	switch len(args) {
	case 0:
		fmt.Fprint(e.stdout, overview())
		return nil
	case 1:
		if isHelpFlag(args[0]) {
			return printCommandHelp(e, "help")
		}
		if _, ok := lookupCommand(args[0]); !ok {
			return unknownCommand(args[0])
		}
		return printCommandHelp(e, args[0])
	}
	return usageErrorf("help takes at most one command name, got %d arguments: conform help [command]", len(args))
}

// printCommandHelp writes a command's documentation to stdout.
func printCommandHelp(e *env, name string) error {
	s, ok := commandHelp(name)
	if !ok {
		return &ExitError{Code: ExitHarness, Err: fmt.Errorf("no documentation for command %q in doc.go", name)}
	}
	fmt.Fprint(e.stdout, s)
	return nil
}
