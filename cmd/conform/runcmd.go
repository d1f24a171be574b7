package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conformhttp/conform/internal/engine"
	"github.com/conformhttp/conform/reports"
	"golang.org/x/term"
)

// defaultReportDir is where conform run and conform report write when not
// told otherwise (ignored by git).
const defaultReportDir = "reports/out"

// Names of the files written in a report directory.
const (
	reportHTML = "report.html"
	reportJSON = "results.json"
)

// selection is the check-selecting flags run and list share.
type selection struct {
	filter engine.Filter
	split  bool
}

// addSelectionFlags adds --suite, --only, --level and --split to fs.
func addSelectionFlags(fs *flagSet, s *selection) {
	fs.value("suite", strings.Join(engine.Suites(), ","), func(v string) error {
		for _, name := range splitList(v) {
			if !slices.Contains(engine.Suites(), name) {
				return fmt.Errorf("unknown suite %q; the suites are %s", name, strings.Join(engine.Suites(), ", "))
			}
			s.filter.Suites = append(s.filter.Suites, name)
		}
		return nil
	})
	fs.value("only", "ID-or-glob", func(v string) error {
		for _, p := range splitList(v) {
			if _, err := filepath.Match(p, ""); err != nil {
				return fmt.Errorf("bad pattern %q: %v; patterns use * ? and [...] as in shell globs", p, err)
			}
			s.filter.Only = append(s.filter.Only, p)
		}
		return nil
	})
	fs.value("level", "must,should,may,none", func(v string) error {
		for _, name := range splitList(v) {
			l, ok := map[string]reports.Level{"must": reports.Must, "should": reports.Should, "may": reports.May, "none": reports.NoLevel}[strings.ToLower(name)]
			if !ok {
				return fmt.Errorf("unknown level %q; the levels are must, should, may and none (checks without a level)", name)
			}
			s.filter.Levels = append(s.filter.Levels, l)
		}
		return nil
	})
	fs.boolean("split", &s.split)
}

// splitList splits a comma-separated flag value, dropping empty parts.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// selectChecks returns the checks a selection picks; none is a usage
// error that says what was asked.
func selectChecks(s selection) ([]*engine.Check, error) {
	all, err := engine.All(s.split)
	if err != nil {
		return nil, err
	}
	checks := engine.Select(all, s.filter)
	if len(checks) == 0 {
		return nil, usageErrorf("no check matches --suite %q --only %q --level %q; run \"conform list\" to see the checks",
			strings.Join(s.filter.Suites, ","), strings.Join(s.filter.Only, ","), levelNames(s.filter.Levels))
	}
	return checks, nil
}

func levelNames(ls []reports.Level) string {
	var names []string
	for _, l := range ls {
		if l == reports.NoLevel {
			names = append(names, "none")
		} else {
			names = append(names, strings.ToLower(string(l)))
		}
	}
	return strings.Join(names, ",")
}

// runOptions is a run command line, validated.
type runOptions struct {
	selection
	targets   []string // as given; "reference" is the embedded server
	mode      engine.Mode
	timeouts  engine.Timeouts // of live targets, for --timeouts real
	parallel  int
	reportDir string
	jsonFile  string
	junitFile string
}

func parseRunFlags(args []string) (*runOptions, error) {
	o := &runOptions{timeouts: engine.NodeTimeouts(), reportDir: defaultReportDir}
	fs := &flagSet{cmd: "run"}
	fs.value("target", "HOST:PORT", func(v string) error {
		if v != engine.ReferenceName {
			name, addr := splitTarget(v)
			if name == engine.ReferenceName {
				return fmt.Errorf("target name %q is the embedded server's; choose another name for %s", name, addr)
			}
			if err := checkAddr(addr); err != nil {
				return err
			}
		}
		if slices.Contains(o.targets, v) {
			return fmt.Errorf("target %s given twice", v)
		}
		o.targets = append(o.targets, v)
		return nil
	})
	addSelectionFlags(fs, &o.selection)
	fs.value("timeouts", "fast|real", func(v string) error {
		m, err := engine.ParseMode(v)
		o.mode = m
		return err
	})
	durationFlag := func(name string, p *time.Duration) {
		fs.value(name, "DURATION", func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 60s or 1m30s")
			}
			*p = d
			return nil
		})
	}
	durationFlag("headers-timeout", &o.timeouts.Headers)
	durationFlag("request-timeout", &o.timeouts.Request)
	durationFlag("keep-alive-timeout", &o.timeouts.KeepAlive)
	fs.value("parallel", "N", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("want a number of checks to run at once, 1 or more")
		}
		o.parallel = n
		return nil
	})
	fs.value("report", "DIR", func(v string) error { o.reportDir = v; return nil })
	fs.value("json", "FILE", func(v string) error { o.jsonFile = v; return nil })
	fs.value("junit", "FILE", func(v string) error { o.junitFile = v; return nil })
	rest, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usageErrorf("run takes no arguments, got %q; name targets with --target HOST:PORT", rest)
	}
	if o.reportDir == "" {
		return nil, usageErrorf("--report needs a directory, such as --report %s", defaultReportDir)
	}
	if len(o.targets) == 0 {
		o.targets = []string{engine.ReferenceName}
	}
	if o.parallel == 0 {
		o.parallel = engine.DefaultParallel()
	}
	return o, nil
}

// splitTarget splits a --target value NAME=HOST:PORT into its name and
// address; a plain HOST:PORT is its own name.
func splitTarget(v string) (name, addr string) {
	if n, a, ok := strings.Cut(v, "="); ok && n != "" {
		return n, a
	}
	return v, v
}

// checkAddr checks the address of a --target value.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%v; give the target as HOST:PORT, such as 127.0.0.1:8080, or \"reference\" for the embedded server", err)
	}
	if host == "" {
		return fmt.Errorf("no host; give the target as HOST:PORT, such as 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return nil
}

// runRun is "conform run".
func runRun(ctx context.Context, e *env, args []string) error {
	o, err := parseRunFlags(args)
	if err != nil {
		return helpOr(e, "run", err)
	}
	checks, err := selectChecks(o.selection)
	if err != nil {
		return err
	}
	var targets []engine.Target
	for _, name := range o.targets {
		if name != engine.ReferenceName {
			n, addr := splitTarget(name)
			desc := "live server at " + addr
			if n != addr {
				desc = n + ", live server at " + addr
			}
			targets = append(targets, engine.Target{Name: n, Addr: addr, Description: desc, Timeouts: o.timeouts})
			continue
		}
		t, stop, err := engine.StartReference(o.mode)
		if err != nil {
			return &ExitError{Code: ExitHarness, Err: fmt.Errorf("starting the reference server: %w", err)}
		}
		defer stop()
		targets = append(targets, t)
	}

	started := time.Now()
	prog := newProgress(e.stderr, started)
	results := engine.Run(ctx, checks, targets, engine.RunOptions{
		Config:   engine.Config{Mode: o.mode},
		Parallel: o.parallel,
		Progress: prog.update,
	})
	prog.finish()

	res := &reports.Results{Schema: reports.Schema, Checks: results}
	run := reports.Run{
		Tool:     "conform",
		Version:  versionLine(buildInfo(), platform()),
		Started:  started.UTC().Truncate(time.Millisecond),
		Duration: reports.Millis(time.Since(started)),
		Flags:    o.flagRecord(),
	}
	for _, t := range targets {
		res.Targets = append(res.Targets, engine.ReportTarget(t))
		run.Targets = append(run.Targets, t.Name)
	}
	res.Runs = []reports.Run{run}

	paths, err := writeOutputs(res, o.reportDir, o.jsonFile, o.junitFile)
	if err != nil {
		return &ExitError{Code: ExitHarness, Err: err}
	}
	printSummary(e, res, time.Since(started))
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	if err := ctx.Err(); err != nil {
		return &ExitError{Code: ExitHarness, Err: fmt.Errorf("interrupted (%v): the checks not run are marked skip in the report", err)}
	}
	if code := reports.ExitCode(res); code != reports.ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

func buildInfo() *debug.BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return info
}

// flagRecord is the run's options as the results file records them.
func (o *runOptions) flagRecord() map[string]string {
	m := map[string]string{
		"timeouts": o.mode.String(),
		"split":    strconv.FormatBool(o.split),
		"parallel": strconv.Itoa(o.parallel),
	}
	if len(o.filter.Suites) > 0 {
		m["suite"] = strings.Join(o.filter.Suites, ",")
	}
	if len(o.filter.Only) > 0 {
		m["only"] = strings.Join(o.filter.Only, ",")
	}
	if len(o.filter.Levels) > 0 {
		m["level"] = levelNames(o.filter.Levels)
	}
	if o.mode == engine.Real {
		m["headers-timeout"] = o.timeouts.Headers.String()
		m["request-timeout"] = o.timeouts.Request.String()
		m["keep-alive-timeout"] = o.timeouts.KeepAlive.String()
	}
	return m
}

// writeOutputs writes the HTML report and results JSON into dir, and the
// JSON and JUnit files when named; it returns the lines that tell the user
// where they are.
func writeOutputs(res *reports.Results, dir, jsonFile, junitFile string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the report directory: %w", err)
	}
	type output struct {
		label, path string
		write       func(*os.File, *reports.Results) error
	}
	outs := []output{
		{"report", filepath.Join(dir, reportHTML), func(f *os.File, r *reports.Results) error { return reports.WriteHTML(f, r) }},
		{"results", filepath.Join(dir, reportJSON), func(f *os.File, r *reports.Results) error { return reports.WriteJSON(f, r) }},
	}
	if jsonFile != "" {
		outs = append(outs, output{"results", jsonFile, func(f *os.File, r *reports.Results) error { return reports.WriteJSON(f, r) }})
	}
	if junitFile != "" {
		outs = append(outs, output{"junit", junitFile, func(f *os.File, r *reports.Results) error { return reports.WriteJUnit(f, r) }})
	}
	var lines []string
	for _, out := range outs {
		f, err := os.Create(out.path)
		if err != nil {
			return nil, err
		}
		err = out.write(f, res)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", out.path, err)
		}
		lines = append(lines, fmt.Sprintf("%-8s %s", out.label+":", displayPath(out.path)))
	}
	return lines, nil
}

// displayPath is p as the user can open it: absolute when it can be made
// so.
func displayPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// printSummary writes the verdict counts per target and one line per
// check that failed, warned or ended in error.
func printSummary(e *env, res *reports.Results, took time.Duration) {
	for _, s := range reports.Summarize(res) {
		fmt.Fprintf(e.stdout, "%s (%s): %s\n", s.Target.Name, s.Target.Address, countLine(s.Total))
	}
	for _, c := range res.Checks {
		switch c.Verdict {
		case reports.Fail, reports.Warn, reports.Error:
			target := ""
			if len(res.Targets) > 1 {
				target = " @ " + c.Target
			}
			fmt.Fprintf(e.stdout, "  %-5s %s%s: %s\n", c.Verdict, c.ID, target, c.Reason)
		}
	}
	fmt.Fprintf(e.stdout, "%d checks in %v\n", len(res.Checks), took.Round(time.Millisecond))
}

func countLine(c reports.Counts) string {
	var parts []string
	for _, v := range reports.Verdicts() {
		if n := c.Of(v); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	if len(parts) == 0 {
		return "no checks"
	}
	return strings.Join(parts, ", ")
}

// progress shows how a run advances on standard error: on a terminal one
// line, rewritten after each check (checks done/total, the family of the
// last one, time elapsed); otherwise a plain line at every tenth of the
// run.
type progress struct {
	w       io.Writer
	term    bool
	width   int
	start   time.Time
	printed int // tenths of the run reported, in plain mode
}

func newProgress(w io.Writer, start time.Time) *progress {
	p := &progress{w: w, start: start, width: 80}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.term = true
		if wd, _, err := term.GetSize(int(f.Fd())); err == nil && wd > 20 {
			p.width = wd
		}
	}
	return p
}

// update is engine.RunOptions.Progress.
func (p *progress) update(pr engine.Progress) {
	if p.term {
		line := fmt.Sprintf("conform run: %d/%d checks  %s/%s  %.1fs", pr.Done, pr.Total, pr.Check.Suite, pr.Check.Family, pr.Elapsed.Seconds())
		if len(line) >= p.width {
			line = line[:p.width-1]
		}
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		return
	}
	if tenth := pr.Done * 10 / max(pr.Total, 1); tenth > p.printed {
		p.printed = tenth
		fmt.Fprintf(p.w, "conform run: %d/%d checks, %.1fs\n", pr.Done, pr.Total, pr.Elapsed.Seconds())
	}
}

// finish clears the terminal line.
func (p *progress) finish() {
	if p.term {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
