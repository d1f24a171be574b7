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

// diffOracleNames are the oracles diff knows; defaultOracles those it
// uses without --oracle.
func diffOracleNames() []string { return []string{"nethttp", "node", "servers"} }
func defaultOracles() []string  { return []string{"nethttp", "node"} }

func diffFlags(o *diffOptions) *flagSet {
	fs := &flagSet{cmd: "diff"}
	fs.value("oracle", "nethttp,node,servers", func(s string) error {
		for _, name := range strings.Split(s, ",") {
			name = strings.TrimSpace(name)
			if !slices.Contains(diffOracleNames(), name) {
				return fmt.Errorf("unknown oracle %q; the oracles are nethttp (Go's net/http), node (Node.js's llhttp) and servers (conform's server and a net/http server on loopback)", name)
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
		o.oracles = defaultOracles()
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
	or, err := startOracles(o)
	if err != nil {
		return &ExitError{Code: ExitHarness, Err: err}
	}
	defer or.close()
	for _, s := range or.skipped {
		lw.note("conform diff: %s", s)
	}
	if len(or.names) == 0 {
		lw.flush()
		return &ExitError{Code: ExitHarness, Err: errors.New("no oracle to compare with")}
	}

	started := time.Now()
	d := &differential.Differ{Others: or.parsers, Known: known}
	var all []differential.Result
	tallies := map[string]*differential.Tally{}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			lw.flush()
			return &ExitError{Code: ExitHarness, Err: fmt.Errorf("stopped before %s: %w", in.Name, err)}
		}
		results, err := d.Check(ctx, in)
		if err == nil && or.servers != nil && in.Type == parser.Request {
			var rs []differential.Result
			rs, err = or.servers.Check(ctx, in, known)
			results = append(results, rs...)
		}
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
		res := diffResults(all, or.names, known, o, started)
		if err := lw.flush(); err != nil {
			return &ExitError{Code: ExitHarness, Err: err}
		}
		if err := reports.WriteJSON(e.stdout, res); err != nil {
			return &ExitError{Code: ExitHarness, Err: fmt.Errorf("writing the results: %w", err)}
		}
	} else {
		lw.out("")
		for _, name := range or.names {
			if t := tallies[name]; t != nil {
				lw.out(fmt.Sprintf("%s: %s", name, t))
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

// oracleSet is what a diff run compares with.
type oracleSet struct {
	parsers []differential.Oracle
	servers *differential.Servers
	names   []string // the oracle names of the results, in report order
	skipped []string // notes on oracles left out
}

func (s *oracleSet) close() {
	for _, o := range s.parsers {
		o.Close()
	}
	if s.servers != nil {
		s.servers.Close()
	}
}

// startOracles starts the oracles of o. A node that is not installed is
// skipped with a note, unless --oracle named it: then it is an error.
func startOracles(o diffOptions) (*oracleSet, error) {
	s := &oracleSet{}
	for _, name := range o.oracles {
		switch name {
		case "nethttp":
			s.parsers = append(s.parsers, differential.NetHTTP{})
			s.names = append(s.names, name)
		case "node":
			n, err := differential.StartNode()
			if errors.Is(err, differential.ErrNoNode) && !o.named {
				s.skipped = append(s.skipped, err.Error())
				continue
			}
			if err != nil {
				s.close()
				return nil, fmt.Errorf("--oracle node: %w", err)
			}
			s.parsers = append(s.parsers, n)
			s.names = append(s.names, name)
		case "servers":
			srv, err := differential.StartServers()
			if err != nil {
				s.close()
				return nil, fmt.Errorf("--oracle servers: %w", err)
			}
			s.servers = srv
			s.names = append(s.names, differential.OursServerOracle, differential.NetHTTPServerOracle, differential.ServersOracle)
		}
	}
	return s, nil
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
	x, y := r.Sides()
	w := max(len(x), len(y)) + 1
	lw.out(fmt.Sprintf("\t%-*s %s", w, x+":", r.Ours))
	lw.out(fmt.Sprintf("\t%-*s %s", w, y+":", r.Theirs))
	for _, d := range r.Differences {
		line := fmt.Sprintf("\t%s: %s %s, %s %s (%s", d.Path, x, d.Ours, y, d.Theirs, d.Danger)
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
func diffResults(all []differential.Result, names []string, known *differential.KnownList, o diffOptions, started time.Time) *reports.Results {
	res := &reports.Results{Schema: reports.Schema}
	run := reports.Run{
		Tool:     "conform",
		Version:  versionLine(buildInfo(), platform()),
		Started:  started.UTC().Truncate(time.Millisecond),
		Duration: reports.Millis(time.Since(started)),
		Flags:    map[string]string{"oracle": strings.Join(o.oracles, ","), "corpus": fmt.Sprint(o.corpus)},
	}
	for _, name := range names {
		res.Targets = append(res.Targets, reports.Target{
			Name:        name,
			Address:     "in-process",
			Description: differential.DescribeOracle(name),
		})
		run.Targets = append(run.Targets, name)
	}
	res.Runs = []reports.Run{run}
	for _, r := range all {
		res.Checks = append(res.Checks, r.Check(known))
	}
	return res
}
