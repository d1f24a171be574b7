package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
)

// results is the part of a schema-1 results file (reports/README.md) that
// the facts read. Fields the checker does not use are ignored, as the schema
// asks of readers.
type results struct {
	Schema  int      `json:"schema"`
	Targets []target `json:"targets"`
	Checks  []check  `json:"checks"`
}

type target struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

type check struct {
	ID      string `json:"id"`
	Target  string `json:"target"`
	Level   string `json:"level"`
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	Wire    *wire  `json:"wire"`
}

type wire struct {
	Events []event `json:"events"`
}

type event struct {
	Kind string `json:"kind"`
	Data string `json:"data"`
}

// verdicts lists the schema's verdicts in report order.
func verdicts() []string { return []string{"pass", "warn", "fail", "info", "skip", "error"} }

// loadResults reads and checks a results file: schema 1, unique target
// names, every check's target among them, known verdicts, and each
// (target, id) pair once.
func loadResults(path string) (*results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("-results: %w", err)
	}
	return parseResults(path, b)
}

func parseResults(path string, b []byte) (*results, error) {
	var res results
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("%s: not a results JSON object: %w", path, err)
	}
	if res.Schema != 1 {
		return nil, fmt.Errorf("%s: schema %d; this checker reads schema 1 (reports/README.md)", path, res.Schema)
	}
	names := map[string]bool{}
	for i, t := range res.Targets {
		if t.Name == "" || names[t.Name] {
			return nil, fmt.Errorf("%s: targets[%d]: name %q is empty or given twice", path, i, t.Name)
		}
		names[t.Name] = true
	}
	seen := map[[2]string]bool{}
	for i, c := range res.Checks {
		if !names[c.Target] {
			return nil, fmt.Errorf("%s: checks[%d] (%s): target %q is not in targets", path, i, c.ID, c.Target)
		}
		if !slices.Contains(verdicts(), c.Verdict) {
			return nil, fmt.Errorf("%s: checks[%d] (%s @ %s): unknown verdict %q", path, i, c.ID, c.Target, c.Verdict)
		}
		k := [2]string{c.Target, c.ID}
		if seen[k] {
			return nil, fmt.Errorf("%s: checks[%d]: %s @ %s appears twice", path, i, c.ID, c.Target)
		}
		seen[k] = true
	}
	return &res, nil
}

// target returns the target named name.
func (r *results) target(name string) (target, bool) {
	for _, t := range r.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return target{}, false
}

func (r *results) targetNames() []string {
	var names []string
	for _, t := range r.Targets {
		names = append(names, fmt.Sprintf("%q", t.Name))
	}
	return names
}

// check returns the check id run against the target named name.
func (r *results) check(name, id string) (check, bool) {
	for _, c := range r.Checks {
		if c.Target == name && c.ID == id {
			return c, true
		}
	}
	return check{}, false
}

// counts returns the number of checks per verdict for one target.
func (r *results) counts(name string) map[string]int {
	n := map[string]int{}
	for _, c := range r.Checks {
		if c.Target == name {
			n[c.Verdict]++
		}
	}
	return n
}

// mustFailures counts the target's failed MUST and MUST NOT checks.
func (r *results) mustFailures(name string) int {
	n := 0
	for _, c := range r.Checks {
		if c.Target == name && isMust(c.Level) && c.Verdict == "fail" {
			n++
		}
	}
	return n
}

// ids returns the set of check ids run against one target.
func (r *results) ids(name string) map[string]bool {
	s := map[string]bool{}
	for _, c := range r.Checks {
		if c.Target == name {
			s[c.ID] = true
		}
	}
	return s
}

func isMust(level string) bool { return level == "MUST" || level == "MUST NOT" }

// statusLine matches the start of an HTTP/1.x status line and captures the
// status code.
var statusLine = regexp.MustCompile(`^HTTP/1\.[0-9] ([0-9]{3}) `)

// firstStatus returns the status code of the first response the target
// sent in the check's wire log, or 0 when none can be read (nothing came,
// or the answer was not a status line).
func (c check) firstStatus() int {
	if c.Wire == nil {
		return 0
	}
	var recv []byte
	for _, e := range c.Wire.Events {
		if e.Kind == "recv" {
			recv = append(recv, e.Data...)
			if len(recv) >= 16 {
				break
			}
		}
	}
	m := statusLine.FindSubmatch(recv)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return 0
	}
	return n
}
