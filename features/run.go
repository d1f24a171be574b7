package features

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"
)

//go:embed *.feature
var featureFS embed.FS

// Defaults of Options.
const (
	// DefaultTimeScale is what the reference target's durations are
	// multiplied by on the real clock: a 10-second timeout takes 500 ms.
	DefaultTimeScale = 0.05
	// DefaultPatience is how long a step waits on the real clock for
	// something a target should do before it gives up.
	DefaultPatience = 10 * time.Second
	// DefaultGrace is how long a step on the real clock waits before it
	// concludes that something did not happen (a connection stayed open,
	// no response came) at a live target.
	DefaultGrace = 300 * time.Millisecond
	// DefaultReferenceGrace is that wait for the reference target on the
	// real clock, whose connections are in memory: short, since it adds
	// to the scaled durations of timing scenarios.
	DefaultReferenceGrace = 10 * time.Millisecond
)

// Options configure Run. The zero value runs every scenario but the @slow
// ones against a new reference target, with no formatter output.
type Options struct {
	// Target is the server to run against; nil means Reference().
	Target Target
	// Tags is a godog tag expression ("@live", "@must&&~@slow",
	// "@agent,@connect"), combined with the target's own selection: the
	// reference target runs everything but @slow, NetHTTP runs
	// "@live&&~@slow", a Live target "@live". Empty means the target's
	// selection alone.
	Tags string
	// Files limits the run to these feature files ("parsing.feature");
	// nil means all of them (see Files()).
	Files []string
	// Format lists godog formatters, comma-separated, each optionally
	// with ":FILE": "pretty", "progress", "cucumber:out.json",
	// "junit:out.xml". Empty means none.
	Format string
	// Output receives the output of formatters without a file; nil
	// discards it.
	Output io.Writer
	// T, when set, runs each scenario as a subtest of T (godog's
	// TestingT), and the reference target's scenarios inside
	// testing/synctest bubbles, where their timeouts take no real time.
	T *testing.T
	// TimeScale multiplies the durations the reference target's
	// scenarios name when T is nil (on the real clock); zero means
	// DefaultTimeScale. It has no effect under T or on other targets.
	TimeScale float64
	// Patience is how long a step waits on the real clock for a target;
	// zero means DefaultPatience.
	Patience time.Duration
	// Grace is how long a step on the real clock waits before it decides
	// that nothing more will happen; zero means DefaultGrace, or
	// DefaultReferenceGrace for the reference target.
	Grace time.Duration
	// Timeouts are a live target's timeouts, for the @slow scenarios
	// that wait for them; a zero value skips those scenarios.
	Timeouts LiveTimeouts

	// bubbles, set by this package's tests, runs in-memory targets in
	// testing/synctest bubbles like T does, without making scenarios
	// subtests (so that failing ones can be collected instead).
	bubbles *testing.T
}

// LiveTimeouts are the timeouts a live server is configured with; servers'
// defaults differ, so the @slow scenarios are told them.
type LiveTimeouts struct {
	// Headers is how long the server waits for a request head to
	// complete.
	Headers time.Duration
	// KeepAlive is how long the server keeps an idle connection open
	// between requests.
	KeepAlive time.Duration
}

// Verdict is the outcome of one scenario.
type Verdict string

// The verdicts a scenario can have. The results model of DESIGN.md also
// has warn and info: a caller grading by level turns a Fail of a SHOULD
// scenario into warn, and of a MAY scenario into info.
const (
	Pass  Verdict = "pass"  // every step passed
	Fail  Verdict = "fail"  // the target did not behave as a step requires
	Skip  Verdict = "skip"  // the scenario did not run (wrong target, cancelled, unknown timeouts)
	Error Verdict = "error" // the harness could not decide (target unreachable, undefined step)
)

// Ref is an RFC section a scenario tests, from its @rfcNNNN-S.S tag.
type Ref struct {
	RFC     int
	Section string
}

func (r Ref) String() string { return fmt.Sprintf("RFC %d §%s", r.RFC, r.Section) }

// Result is the outcome of one scenario against one target.
type Result struct {
	// ID is "<file stem>/<scenario slug>", unique in a run:
	// "pipelining/responses-come-back-in-request-order".
	ID string
	// File is the feature file ("pipelining.feature"); Feature its title.
	File, Feature string
	// Scenario is the scenario's name.
	Scenario string
	// Tags are the scenario's tags, with their "@".
	Tags []string
	// RFC are the sections named by @rfc tags.
	RFC []Ref
	// Level is "MUST", "SHOULD" or "MAY", from @must, @should, @may.
	Level string
	// Target is the target's Name.
	Target string
	// Verdict and Reason grade the scenario; Reason names the step that
	// did not pass and why.
	Verdict Verdict
	Reason  string
	// Wire is every byte sent and received, and what else happened, in
	// order.
	Wire []WireEvent
	// Duration is the real time the scenario took.
	Duration time.Duration
}

// Scenario describes one scenario without running it.
type Scenario struct {
	ID, File, Feature, Name string
	Tags                    []string
	RFC                     []Ref
	Level                   string
}

// runState is one run's settings and its results so far. Scenario worlds
// read the settings and add results.
type runState struct {
	target    Target
	bubbles   *testing.T // for synctest bubbles; nil runs on the real clock
	timeScale float64
	patience  time.Duration
	grace     time.Duration
	timeouts  LiveTimeouts
	titles    map[string]string // feature file -> feature title

	mu      sync.Mutex
	results []Result        // guarded by mu
	ids     map[string]bool // guarded by mu
}

// Files returns the names of the embedded feature files.
func Files() []string {
	ents, _ := fs.ReadDir(featureFS, ".")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// Source returns the text of an embedded feature file.
func Source(name string) ([]byte, error) {
	b, err := featureFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("no feature file %q (have %s)", name, strings.Join(Files(), ", "))
	}
	return b, nil
}

// Run runs the scenarios that opts select against opts.Target and returns
// one Result per scenario run, in the order they ran. It returns an error
// only when the run itself could not happen (bad options, a target that
// could not start); failing scenarios are Results.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	rs, gopts, stop, err := prepare(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer stop()
	status := godog.TestSuite{
		Name:                "features",
		ScenarioInitializer: func(sc *godog.ScenarioContext) { initScenario(sc, rs) },
		Options:             gopts,
	}.Run()
	if status == 2 {
		return rs.results, fmt.Errorf("features: godog rejected the options (format %q, tags %q)", opts.Format, gopts.Tags)
	}
	return rs.results, nil
}

func prepare(ctx context.Context, opts Options) (*runState, *godog.Options, func(), error) {
	target := opts.Target
	if target == nil {
		target = Reference()
	}
	tags, err := combineTags(target.defaultTags(), opts.Tags)
	if err != nil {
		return nil, nil, nil, err
	}
	files := opts.Files
	if files == nil {
		files = Files()
	}
	titles := map[string]string{}
	for _, f := range files {
		src, err := Source(f)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("features: %w", err)
		}
		titles[f] = featureTitle(src)
	}
	if err := checkFormat(opts.Format); err != nil {
		return nil, nil, nil, err
	}
	rs := &runState{
		target:    target,
		bubbles:   cmpOr(opts.bubbles, opts.T),
		timeScale: cmpOr(opts.TimeScale, DefaultTimeScale),
		patience:  cmpOr(opts.Patience, DefaultPatience),
		grace:     cmpOr(opts.Grace, DefaultGrace),
		timeouts:  opts.Timeouts,
		titles:    titles,
		ids:       map[string]bool{},
	}
	if opts.Grace == 0 && target.reference() {
		rs.grace = DefaultReferenceGrace
	}
	stop, err := target.startRun()
	if err != nil {
		return nil, nil, nil, err
	}
	out := opts.Output
	if out == nil {
		out = io.Discard
	}
	format := opts.Format
	if format == "" {
		// godog needs a formatter; "events" writes JSON lines nobody reads.
		format = "events"
		out = io.Discard
	}
	gopts := &godog.Options{
		Format:         format,
		Output:         out,
		NoColors:       true,
		Paths:          files,
		FS:             featureFS,
		Tags:           tags,
		Strict:         true,
		TestingT:       opts.T,
		Concurrency:    1,
		DefaultContext: ctx,
	}
	return rs, gopts, stop, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// checkFormat rejects formatter names godog does not know, with the list
// it does.
func checkFormat(format string) error {
	if format == "" {
		return nil
	}
	known := []string{}
	for name := range godog.AvailableFormatters() {
		known = append(known, name)
	}
	sort.Strings(known)
	for _, f := range strings.Split(format, ",") {
		name, _, _ := strings.Cut(f, ":")
		if !slices.Contains(known, name) {
			return fmt.Errorf("features: unknown formatter %q in %q (known: %s)", name, format, strings.Join(known, ", "))
		}
	}
	return nil
}

// tagTerm is one tag in a godog tag expression: "@live" or "~@slow".
var tagTerm = regexp.MustCompile(`^~?@[A-Za-z0-9_.:-]+$`)

// combineTags ANDs the target's selection into every alternative of the
// caller's expression. godog's expressions are alternatives separated by
// "," whose terms are joined by "&&".
func combineTags(base, user string) (string, error) {
	user = strings.TrimSpace(user)
	if user == "" {
		return base, nil
	}
	var alts []string
	for _, alt := range strings.Split(user, ",") {
		var terms []string
		for _, term := range strings.Split(alt, "&&") {
			term = strings.TrimSpace(term)
			if !tagTerm.MatchString(term) {
				return "", fmt.Errorf("features: tag expression %q: %q is not a tag such as @live or ~@slow (alternatives are separated by \",\", terms by \"&&\")", user, term)
			}
			terms = append(terms, term)
		}
		alts = append(alts, base+"&&"+strings.Join(terms, "&&"))
	}
	return strings.Join(alts, ","), nil
}

// featureTitle returns the text after "Feature:" in a feature file.
func featureTitle(src []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		if t, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Feature:"); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

// describe derives a scenario's id, RFC references and level.
func describe(file, name string, tags []string) Scenario {
	s := Scenario{File: file, Name: name, Tags: tags}
	s.ID = strings.TrimSuffix(file, ".feature") + "/" + slug(name)
	for _, t := range tags {
		switch t {
		case "@must":
			s.Level = "MUST"
		case "@should":
			s.Level = "SHOULD"
		case "@may":
			s.Level = "MAY"
		}
		if rest, ok := strings.CutPrefix(t, "@rfc"); ok {
			num, sec, _ := strings.Cut(rest, "-")
			if n, err := strconv.Atoi(num); err == nil {
				s.RFC = append(s.RFC, Ref{RFC: n, Section: sec})
			}
		}
	}
	return s
}

// slug makes an id from a scenario name: lower case, words joined by "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// record adds the result of a scenario that has ended.
func (rs *runState) record(w *world, sc *godog.Scenario, cleanupErr error) {
	var tags []string
	for _, t := range sc.Tags {
		tags = append(tags, t.Name)
	}
	file := strings.TrimPrefix(sc.Uri, "./")
	d := describe(file, sc.Name, tags)
	r := Result{
		ID: d.ID, File: file, Feature: rs.titles[file], Scenario: sc.Name,
		Tags: tags, RFC: d.RFC, Level: d.Level, Target: rs.target.Name(),
		Duration: time.Since(w.started),
	}
	if w.log != nil {
		r.Wire = w.log.snapshot()
	}
	r.Verdict, r.Reason = verdict(w, cleanupErr)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for n := 2; rs.ids[r.ID]; n++ {
		r.ID = d.ID + "-" + strconv.Itoa(n)
	}
	rs.ids[r.ID] = true
	rs.results = append(rs.results, r)
}

// verdict grades a scenario from its first step that did not pass.
func verdict(w *world, cleanupErr error) (Verdict, string) {
	err := w.failErr
	step := w.failStep
	if w.failStep == "" {
		if cleanupErr != nil {
			return Error, "after the scenario: " + cleanupErr.Error()
		}
		return Pass, "every step passed"
	}
	var he *harnessError
	switch {
	case w.failStatus == godog.StepSkipped || errors.Is(err, godog.ErrSkip):
		why := "skipped"
		if err != nil {
			why = err.Error()
		}
		return Skip, fmt.Sprintf("step %q: %s", step, why)
	case w.failStatus == godog.StepUndefined, w.failStatus == godog.StepPending, w.failStatus == godog.StepAmbiguous:
		return Error, fmt.Sprintf("step %q has no single definition (%v)", step, w.failStatus)
	case errors.As(err, &he):
		return Error, fmt.Sprintf("step %q: %v", step, err)
	}
	return Fail, fmt.Sprintf("step %q: %v", step, err)
}

// List describes the scenarios that opts.Files and opts.Tags select for
// opts.Target, without running them.
func List(opts Options) ([]Scenario, error) {
	target := opts.Target
	if target == nil {
		target = Reference()
	}
	tags, err := combineTags(target.defaultTags(), opts.Tags)
	if err != nil {
		return nil, err
	}
	files := opts.Files
	if files == nil {
		files = Files()
	}
	feats, err := godog.TestSuite{Options: &godog.Options{Paths: files, FS: featureFS, Tags: tags}}.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	var out []Scenario
	seen := map[string]bool{}
	for _, f := range feats {
		file := strings.TrimPrefix(f.Uri, "./")
		title := ""
		if f.GherkinDocument.Feature != nil {
			title = f.GherkinDocument.Feature.Name
		}
		for _, p := range f.Pickles {
			var tags []string
			for _, t := range p.Tags {
				tags = append(tags, t.Name)
			}
			s := describe(file, p.Name, tags)
			s.Feature = title
			base := s.ID
			for n := 2; seen[s.ID]; n++ {
				s.ID = base + "-" + strconv.Itoa(n)
			}
			seen[s.ID] = true
			out = append(out, s)
		}
	}
	return out, nil
}
