package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/conformhttp/conform/differential"
	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/reports"
)

// diffOptions is a diff command line, validated.
type diffOptions struct {
	oracles []string    // "nethttp", "node", in the order given
	named   bool        // --oracle was given: a missing node is an error
	typ     parser.Type // Both: detect from each input's first bytes
	json    bool
	corpus  bool
	finish  bool
	escapes bool
	head    bool

	// known loads the known-differences list; tests replace it.
	known func() (*differential.KnownList, error)
}

// oracleNames are the oracles diff knows, in default order.
var oracleNames = []string{"nethttp", "node"}

func diffFlags(o *diffOptions) *flagSet {
	fs := &flagSet{cmd: "diff"}
	fs.value("oracle", "nethttp,node", func(s string) error {
		for _, name := range strings.Split(s, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(oracleNames, name) {
				return fmt.Errorf("unknown oracle %q; the oracles are nethttp (Go's net/http) and node (Node.js's llhttp)", name)
			}
			if !slices.Contains(o.oracles, name) {
				o.oracles = append(o.oracles, name)
			}
		}
		o.named = true
		return nil
	})
	fs.value("type", "request|response", func(s string) error {
		switch s {
		case "request":
			o.typ = parser.Request
		case "response":
			o.typ = parser.Response
		default:
			return errors.New("want request or response (without --type, an input that starts with \"HTTP/\" holds responses)")
		}
		return nil
	})
	fs.boolean("json", &o.json)
	fs.boolean("corpus", &o.corpus)
	fs.boolean("finish", &o.finish)
	fs.boolean("escapes", &o.escapes)
	fs.boolean("head", &o.head)
	return fs
}

func parseDiffFlags(args []string) (diffOptions, []string, error) {
	o := diffOptions{known: differential.LoadKnown}
	files, err := diffFlags(&o).parse(args)
	if err != nil {
		return o, nil, err
	}
	if len(o.oracles) == 0 {
		o.oracles = oracleNames
	}
	switch {
	case o.corpus && len(files) > 0:
		return o, nil, usageErrorf("--corpus reads the corpus cases, so FILE arguments (%s) have no place: drop them or drop --corpus", strings.Join(files, " "))
	case o.corpus && (o.finish || o.escapes || o.head):
		return o, nil, usageErrorf("--finish, --escapes and --head describe FILE inputs; corpus cases say these things themselves: drop them with --corpus")
	case o.head && o.typ == parser.Request:
		return o, nil, usageErrorf("--head says how to read responses, but --type request reads only requests: drop --head, or use --type response")
	}
	return o, files, nil
}

// runDiff is "conform diff".
func runDiff(ctx context.Context, e *env, args []string) error {
	o, files, err := parseDiffFlags(args)
	if err != nil {
		return helpOr(e, "diff", err)
	}
	return diff(ctx, e, o, files)
}

// diff runs a validated diff command line.
func diff(ctx context.Context, e *env, o diffOptions, files []string) error {
	inputs, err := diffInputs(e, o, files)
	if err != nil {
		return err
	}
	known, err := o.known()
	if err != nil {
		return &ExitError{Code: ExitHarness, Err: fmt.Errorf("the known-differences list: %w", err)}
	}
	lw := newLineWriter(e)
	oracles, skipped, err := startOracles(o)
	if err != nil {
		return &ExitError{Code: ExitHarness, Err: err}
	}
	defer func() {
		for _, or := range oracles {
			or.Close()
		}
	}()
	for _, s := range skipped {
		lw.note("conform diff: %s", s)
	}
	if len(oracles) == 0 {
		lw.flush()
		return &ExitError{Code: ExitHarness, Err: errors.New("no oracle to compare with")}
	}

	started := time.Now()
	d := &differential.Differ{Others: oracles, Known: known}
	var all []differential.Result
	tallies := map[string]*differential.Tally{}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			lw.flush()
			return &ExitError{Code: ExitHarness, Err: fmt.Errorf("stopped before %s: %w", in.Name, err)}
		}
		results, err := d.Check(ctx, in)
		if err != nil {
			lw.flush()
			return &ExitError{Code: ExitHarness, Err: err}
		}
		for _, r := range results {
			if tallies[r.Oracle] == nil {
				tallies[r.Oracle] = &differential.Tally{}
			}
			tallies[r.Oracle].Add(r)
			if !o.json {
				printDiffResult(lw, r, known)
			}
		}
		all = append(all, results...)
	}
	unknown := 0
	for _, t := range tallies {
		unknown += t.Unknown
	}
	if o.json {
		res := diffResults(all, oracles, known, o, started)
		if err := lw.flush(); err != nil {
			return &ExitError{Code: ExitHarness, Err: err}
		}
		if err := reports.WriteJSON(e.stdout, res); err != nil {
			return &ExitError{Code: ExitHarness, Err: fmt.Errorf("writing the results: %w", err)}
		}
	} else {
		lw.out("")
		for _, or := range oracles {
			if t := tallies[or.Name()]; t != nil {
				lw.out(fmt.Sprintf("%s: %s", or.Name(), t))
			}
		}
	}
	if err := lw.flush(); err != nil {
		return &ExitError{Code: ExitHarness, Err: fmt.Errorf("writing the results: %w", err)}
	}
	if unknown > 0 {
		lw.note("conform diff: %d comparison(s) found a disagreement that is not on the known list (differential/known.txt)", unknown)
		return &ExitError{Code: ExitFound}
	}
	return nil
}

// diffInputs gathers the inputs: the corpus cases (of --type, if given),
// or the files, or standard input.
func diffInputs(e *env, o diffOptions, files []string) ([]differential.Input, error) {
	if o.corpus {
		all, err := differential.CorpusInputs()
		if err != nil {
			return nil, &ExitError{Code: ExitHarness, Err: fmt.Errorf("loading the corpus: %w", err)}
		}
		var out []differential.Input
		for _, in := range all {
			if o.typ == parser.Both || in.Type == o.typ {
				out = append(out, in)
			}
		}
		return out, nil
	}
	raw, err := readInputs(e.stdin, files, o.escapes)
	if err != nil {
		return nil, err
	}
	out := make([]differential.Input, 0, len(raw))
	seen := map[string]int{}
	for _, in := range raw {
		name := in.name
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s#%d", name, seen[name])
		}
		di := differential.Input{Name: name, Type: o.typ, Data: in.data, EOF: o.finish}.Resolve()
		if o.head && di.Type == parser.Response {
			di.Methods = []string{"HEAD"}
		}
		out = append(out, di)
	}
	return out, nil
}

// startOracles builds the oracles of o. A node that is not installed is
// skipped with a note, unless --oracle named it: then it is an error.
func startOracles(o diffOptions) (oracles []differential.Oracle, skipped []string, err error) {
	for _, name := range o.oracles {
		switch name {
		case "nethttp":
			oracles = append(oracles, differential.NetHTTP{})
		case "node":
			n, err := differential.StartNode()
			if errors.Is(err, differential.ErrNoNode) && !o.named {
				skipped = append(skipped, err.Error())
				continue
			}
			if err != nil {
				for _, or := range oracles {
					or.Close()
				}
				return nil, nil, fmt.Errorf("--oracle node: %w", err)
			}
			oracles = append(oracles, n)
		}
	}
	return oracles, skipped, nil
}

// printDiffResult prints one comparison: a line with the input, the
// oracle, the class and what covers it; for a disagreement, each side's
// reading and every difference.
func printDiffResult(lw *lineWriter, r differential.Result, known *differential.KnownList) {
	head := fmt.Sprintf("%s  %s  %s", r.Input.Name, r.Oracle, r.Class)
	if r.Danger != differential.DangerNone {
		head += ", danger " + r.Danger.String()
	}
	unknown := r.Unknown()
	switch {
	case len(unknown) > 0:
		head += "  NOT ON THE KNOWN LIST"
	case len(r.KnownIDs()) > 0:
		head += "  known: " + strings.Join(r.KnownIDs(), ", ")
	}
	lw.out(head)
	if !r.Class.Disagrees() && len(r.Differences) == 0 {
		return
	}
	w := max(len("ours"), len(r.Oracle)) + 1
	lw.out(fmt.Sprintf("\t%-*s %s", w, "ours:", r.Ours))
	lw.out(fmt.Sprintf("\t%-*s %s", w, r.Oracle+":", r.Theirs))
	for _, d := range r.Differences {
		line := fmt.Sprintf("\t%s: ours %s, %s %s (%s", d.Path, d.Ours, r.Oracle, d.Theirs, d.Danger)
		if d.Known != "" {
			line += "; known: " + d.Known
		}
		lw.out(line + ")")
	}
	for _, id := range r.KnownIDs() {
		if k, ok := known.Lookup(id); ok {
			lw.out(fmt.Sprintf("\t%s: right: %s (%s)", k.ID, k.Right, refsString(k.RFC)))
		}
	}
}

func refsString(refs []reports.Ref) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// diffResults is the results model of a diff run: one target per oracle,
// one check per input and oracle.
func diffResults(all []differential.Result, oracles []differential.Oracle, known *differential.KnownList, o diffOptions, started time.Time) *reports.Results {
	res := &reports.Results{Schema: reports.Schema}
	run := reports.Run{
		Tool:     "conform",
		Version:  versionLine(buildInfo(), platform()),
		Started:  started.UTC().Truncate(time.Millisecond),
		Duration: reports.Millis(time.Since(started)),
		Flags:    map[string]string{"oracle": strings.Join(o.oracles, ","), "corpus": fmt.Sprint(o.corpus)},
	}
	for _, or := range oracles {
		res.Targets = append(res.Targets, reports.Target{
			Name:        or.Name(),
			Address:     "in-process",
			Description: differential.Describe(or),
		})
		run.Targets = append(run.Targets, or.Name())
	}
	res.Runs = []reports.Run{run}
	for _, r := range all {
		res.Checks = append(res.Checks, r.Check(known))
	}
	return res
}
