package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// WriteJSON writes r as indented JSON, fields in the order of the Go
// structs (see README.md), Schema set to the package's. <, > and & are
// written as themselves, not as \u003c and so on: the file is data, not
// HTML.
func WriteJSON(w io.Writer, r *Results) error {
	out := *r
	out.Schema = Schema
	if out.Runs == nil {
		out.Runs = []Run{}
	}
	if out.Targets == nil {
		out.Targets = []Target{}
	}
	if out.Checks == nil {
		out.Checks = []Check{}
	}
	for i := range out.Checks {
		if out.Checks[i].RFC == nil {
			c := &out.Checks[i]
			c.RFC = []Ref{}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ReadJSON reads results written by WriteJSON and checks them with
// Validate. name labels errors (a file name). Fields this version does not
// know are ignored, so that a later conform may add optional ones without
// changing the schema number.
func ReadJSON(name string, r io.Reader) (*Results, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var head struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err))
	}
	switch {
	case head.Schema == nil:
		return nil, fmt.Errorf("%s: no \"schema\" field; is this a conform results file (conform run --json FILE writes one)?", name)
	case *head.Schema != Schema:
		return nil, fmt.Errorf("%s: results schema %d, but this conform reads schema %d; re-render it with the conform that wrote it", name, *head.Schema, Schema)
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonError(data, err))
	}
	if err := res.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &res, nil
}

// ReadFile reads one results file with ReadJSON.
func ReadFile(path string) (*Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadJSON(path, f)
}

// jsonError places a decoding error at a line and column of data.
func jsonError(data []byte, err error) string {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err.Error()
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// Validate checks what the schema promises beyond JSON syntax: known
// verdicts, levels, event kinds and closers; every check's target listed
// in Targets; target names unique; each (target, id) pair once. The error
// names the check by index and id.
func (r *Results) Validate() error {
	var errs []error
	targets := map[string]bool{}
	for i, t := range r.Targets {
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("targets[%d]: empty name", i))
		}
		if targets[t.Name] {
			errs = append(errs, fmt.Errorf("targets[%d]: name %q appears twice", i, t.Name))
		}
		targets[t.Name] = true
	}
	seen := map[[2]string]int{}
	for i := range r.Checks {
		c := &r.Checks[i]
		where := fmt.Sprintf("checks[%d] (id %q, target %q)", i, c.ID, c.Target)
		if c.ID == "" {
			errs = append(errs, fmt.Errorf("checks[%d]: empty id", i))
		}
		if !targets[c.Target] {
			errs = append(errs, fmt.Errorf("%s: target not listed in \"targets\"", where))
		}
		key := [2]string{c.Target, c.ID}
		if j, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: same id and target as checks[%d]", where, j))
		}
		seen[key] = i
		if !c.Verdict.Valid() {
			errs = append(errs, fmt.Errorf("%s: unknown verdict %q (want %s)", where, c.Verdict, verdictList()))
		}
		if !c.Level.Valid() {
			errs = append(errs, fmt.Errorf("%s: unknown level %q (want MUST, MUST NOT, SHOULD, SHOULD NOT, MAY or empty)", where, c.Level))
		}
		if c.Wire != nil {
			if !c.Wire.ClosedBy.valid() {
				errs = append(errs, fmt.Errorf("%s: unknown closed_by %q (want target, target-reset, probe or not-connected)", where, c.Wire.ClosedBy))
			}
			for j, e := range c.Wire.Events {
				if !e.Kind.valid() {
					errs = append(errs, fmt.Errorf("%s: wire event %d: unknown kind %q (want send, recv, eof, reset, close, error or note)", where, j, e.Kind))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func verdictList() string {
	var names []string
	for _, v := range Verdicts() {
		names = append(names, string(v))
	}
	return strings.Join(names, ", ")
}

// Merge joins several results into one, for a matrix of every target they
// hold: runs, targets and checks are concatenated in argument order. A
// target name that comes again names the same column, unless the later
// results hold a check id that column already has; then the later target
// is renamed "NAME (2)", "NAME (3)", ... so that no check is lost. sources
// label the runs' Source fields; it may be nil or shorter than rs.
func Merge(rs []*Results, sources []string) *Results {
	out := &Results{Schema: Schema}
	ids := map[string]map[string]bool{} // target name -> check ids in out
	for i, r := range rs {
		rename := map[string]string{}
		for _, t := range r.Targets {
			name := t.Name
			for n := 2; ids[name] != nil && clashes(ids[name], r.Checks, t.Name); n++ {
				name = fmt.Sprintf("%s (%d)", t.Name, n)
			}
			rename[t.Name] = name
			if ids[name] == nil {
				ids[name] = map[string]bool{}
				t.Name = name
				out.Targets = append(out.Targets, t)
			}
		}
		for _, run := range r.Runs {
			if i < len(sources) {
				run.Source = sources[i]
			}
			var names []string
			for _, n := range run.Targets {
				names = append(names, renamed(rename, n))
			}
			run.Targets = names
			out.Runs = append(out.Runs, run)
		}
		for _, c := range r.Checks {
			c.Target = renamed(rename, c.Target)
			if ids[c.Target] == nil {
				ids[c.Target] = map[string]bool{}
			}
			ids[c.Target][c.ID] = true
			out.Checks = append(out.Checks, c)
		}
	}
	return out
}

func renamed(m map[string]string, name string) string {
	if n, ok := m[name]; ok {
		return n
	}
	return name
}

// clashes reports whether a check of target in checks has an id in have.
func clashes(have map[string]bool, checks []Check, target string) bool {
	for _, c := range checks {
		if c.Target == target && have[c.ID] {
			return true
		}
	}
	return false
}
