package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// The roles facts speak of; every one must be mapped to a target.
const (
	roleReference = "reference"
	roleNginx     = "nginx"
	roleNode      = "node"
)

// roles lists the roles in the order they are reported.
func roles() []string { return []string{roleReference, roleNginx, roleNode} }

// options are the parsed command line.
type options struct {
	results   string
	recheck   string // results of a second run of the undecided fact checks
	dom       string
	undecided bool              // print the undecided fact checks and stop
	targets   map[string]string // role -> target name in the results
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "checkresults: %v\n", err)
		return 2
	}
	res, err := loadResults(o.results)
	if err != nil {
		fmt.Fprintf(stderr, "checkresults: %v\n", err)
		return 2
	}
	for _, role := range roles() {
		if _, ok := res.target(o.targets[role]); !ok {
			fmt.Fprintf(stderr, "checkresults: -target %s=%s: %s has no target named %q (it has %s)\n",
				role, o.targets[role], o.results, o.targets[role], strings.Join(res.targetNames(), ", "))
			return 2
		}
	}
	if o.undecided {
		fmt.Fprintln(stdout, strings.Join(undecidedFacts(res, o.targets), ","))
		return 0
	}
	var recheck *results
	if o.recheck != "" {
		if recheck, err = loadResults(o.recheck); err != nil {
			fmt.Fprintf(stderr, "checkresults: -recheck: %v\n", err)
			return 2
		}
	}
	var dom string
	if o.dom != "" {
		b, err := os.ReadFile(o.dom)
		if err != nil {
			fmt.Fprintf(stderr, "checkresults: -dom: %v\n", err)
			return 2
		}
		dom = string(b)
	}

	known, err := knownReferenceIssues()
	if err != nil {
		fmt.Fprintf(stderr, "checkresults: %v\n", err)
		return 2
	}

	printSummary(stdout, res, o.targets)
	failed := 0
	fmt.Fprintln(stdout, "\nfacts:")
	for _, out := range checkFacts(res, recheck, o.targets, known) {
		failed += printOutcome(stdout, out)
	}
	if o.dom != "" {
		fmt.Fprintf(stdout, "\nreport DOM (%s):\n", o.dom)
		for _, out := range checkDOM(dom, res) {
			failed += printOutcome(stdout, out)
		}
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d check(s) did not hold\n", failed)
		return 1
	}
	fmt.Fprintln(stdout, "\nevery check held")
	return 0
}

// parseArgs reads the flags; every role must be given once.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	o := options{targets: map[string]string{}}
	fs := flag.NewFlagSet("checkresults", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.results, "results", "", "the conform results JSON `FILE`")
	fs.StringVar(&o.recheck, "recheck", "", "results of conform run --only on the checks -undecided listed (`FILE`): they decide facts that ended in error")
	fs.BoolVar(&o.undecided, "undecided", false, "print the ids of the fact checks that ended in error, comma-separated for conform run --only, and exit")
	fs.StringVar(&o.dom, "dom", "", "the report's DOM as Chromium's --dump-dom wrote it (`FILE`)")
	fs.Func("target", "`ROLE=NAME`: the results' target NAME plays ROLE ("+strings.Join(roles(), ", ")+"); give each role once", func(v string) error {
		role, name, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return fmt.Errorf("want ROLE=NAME, such as nginx=127.0.0.1:18080, got %q", v)
		}
		if !slices.Contains(roles(), role) {
			return fmt.Errorf("unknown role %q in %q; the roles are %s", role, v, strings.Join(roles(), ", "))
		}
		if _, dup := o.targets[role]; dup {
			return fmt.Errorf("role %s given twice", role)
		}
		o.targets[role] = name
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q; every input is a flag (-results, -target, -recheck, -dom)", fs.Args())
	}
	if o.results == "" {
		return o, errors.New("-results FILE is required")
	}
	var missing []string
	for _, role := range roles() {
		if _, ok := o.targets[role]; !ok {
			missing = append(missing, role)
		}
	}
	if len(missing) > 0 {
		return o, fmt.Errorf("no -target for %s; give -target ROLE=NAME for each of %s", strings.Join(missing, ", "), strings.Join(roles(), ", "))
	}
	return o, nil
}

// outcome is one fact or DOM check and whether it held.
type outcome struct {
	name   string
	ok     bool
	detail string // what was seen (always) and, on failure, what was wanted
	why    string // why the fact is expected to hold; empty for DOM checks
}

// printOutcome prints one outcome and returns 1 if it failed, else 0.
func printOutcome(w io.Writer, o outcome) int {
	mark := "ok  "
	if !o.ok {
		mark = "FAIL"
	}
	fmt.Fprintf(w, "  %s %s: %s\n", mark, o.name, o.detail)
	if o.why != "" && !o.ok {
		fmt.Fprintf(w, "       expected because %s\n", o.why)
	}
	if o.ok {
		return 0
	}
	return 1
}

// printSummary writes one line of verdict counts per target, in the
// results' order, naming the role each plays.
func printSummary(w io.Writer, res *results, mapped map[string]string) {
	roleOf := map[string]string{}
	for role, name := range mapped {
		roleOf[name] = role
	}
	fmt.Fprintf(w, "%d checks over %d targets:\n", len(res.Checks), len(res.Targets))
	for _, t := range res.Targets {
		c := res.counts(t.Name)
		label := t.Name
		if r := roleOf[t.Name]; r != "" && r != t.Name {
			label = r + " (" + t.Name + ")"
		}
		fmt.Fprintf(w, "  %-28s", label)
		for _, v := range verdicts() {
			fmt.Fprintf(w, " %4d %s", c[v], v)
		}
		fmt.Fprintf(w, "   (MUST broken: %d)\n", res.mustFailures(t.Name))
	}
}
