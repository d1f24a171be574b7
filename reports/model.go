package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Schema is the version of the results format this package writes and
// reads. Adding an optional field keeps the number; renaming or removing a
// field, or changing what one means, changes it.
const Schema = 1

// Results is the record of one or more conform runs: what ran, against
// which targets, and one Check per check and target.
type Results struct {
	// Schema is always the package's Schema when written.
	Schema int `json:"schema"`
	// Runs describes the runs the checks came from: one for the output of
	// "conform run", several after Merge.
	Runs []Run `json:"runs"`
	// Targets are the servers the checks ran against, in column order.
	// Their names are unique.
	Targets []Target `json:"targets"`
	// Checks are the graded checks, in the order they are reported.
	// Each (Target, ID) pair appears once.
	Checks []Check `json:"checks"`
}

// Run describes one invocation of conform.
type Run struct {
	// Tool is the program's name, "conform".
	Tool string `json:"tool"`
	// Version is the tool's version line ("conform (devel) revision ...").
	Version string `json:"version"`
	// Started is when the run began.
	Started time.Time `json:"started"`
	// Duration is how long the whole run took.
	Duration Millis `json:"duration_ms"`
	// Targets names the targets of this run (Target.Name values).
	Targets []string `json:"targets"`
	// Flags are the options the run was made with, by flag name
	// ("timeouts": "fast", "split": "false").
	Flags map[string]string `json:"flags,omitempty"`
	// Source is the file the run was loaded from; set by Merge, empty in a
	// file written by "conform run".
	Source string `json:"source,omitempty"`
}

// Target is a server checks ran against.
type Target struct {
	// Name identifies the target in Check.Target and heads its column in
	// the matrix.
	Name string `json:"name"`
	// Address is the host:port probes were sent to.
	Address string `json:"address"`
	// Description says what the target is, when conform knows
	// ("conform reference server, in-process").
	Description string `json:"description,omitempty"`
}

// Check is the graded result of one check against one target.
type Check struct {
	// ID names the check; with Target it is unique in Results.
	ID string `json:"id"`
	// Suite is where the check comes from: "corpus", "pipelining",
	// "connect", "timeouts", "features".
	Suite string `json:"suite"`
	// Family groups checks for the summary: a corpus topic file
	// ("request-line"), or the suite for suites without topics.
	Family string `json:"family"`
	// Title says in a few words what the check sends.
	Title string `json:"title"`
	// Target is the Target.Name the check ran against.
	Target string `json:"target"`
	// RFC are the sections whose requirement the check tests.
	RFC []Ref `json:"rfc"`
	// Level is the requirement level of that rule.
	Level Level `json:"level"`
	// Verdict is the grade.
	Verdict Verdict `json:"verdict"`
	// Reason says in words why the verdict is what it is.
	Reason string `json:"reason"`
	// Expected is what a conforming target may do, as the check states it
	// (a corpus server rule such as "reject | accept then close").
	Expected string `json:"expected,omitempty"`
	// Wire is what went over the connection; nil for a check that sent
	// nothing (skip).
	Wire *Wire `json:"wire,omitempty"`
	// Duration is how long the check took.
	Duration Millis `json:"duration_ms"`
}

// Ref names a section of an RFC, with a link to it.
type Ref struct {
	RFC     int    `json:"rfc"`
	Section string `json:"section"`
	// URL is the section on www.rfc-editor.org.
	URL string `json:"url"`
}

// NewRef returns the reference to section of RFC rfc with its URL filled in.
func NewRef(rfc int, section string) Ref {
	return Ref{RFC: rfc, Section: section, URL: RefURL(rfc, section)}
}

// RefURL is the address of a section of an RFC on www.rfc-editor.org, as
// https://www.rfc-editor.org/rfc/rfc9112#section-6.3; an empty section
// links to the whole RFC.
func RefURL(rfc int, section string) string {
	u := "https://www.rfc-editor.org/rfc/rfc" + strconv.Itoa(rfc)
	if section != "" {
		u += "#section-" + section
	}
	return u
}

func (r Ref) String() string {
	if r.Section == "" {
		return fmt.Sprintf("RFC %d", r.RFC)
	}
	return fmt.Sprintf("RFC %d §%s", r.RFC, r.Section)
}

// Verdict is the grade of a check, as DESIGN.md defines them.
type Verdict string

// The verdicts, in the order reports list them.
const (
	// Pass: the target did what the RFC requires or allows.
	Pass Verdict = "pass"
	// Warn: a SHOULD (or SHOULD NOT) was not met.
	Warn Verdict = "warn"
	// Fail: a MUST (or MUST NOT) was broken.
	Fail Verdict = "fail"
	// Info: an observation that is not graded (a MAY, a choice the RFC
	// leaves open).
	Info Verdict = "info"
	// Skip: the check did not run (filtered out, not applicable).
	Skip Verdict = "skip"
	// Error: the harness could not decide (the target could not be
	// reached, the check itself is broken).
	Error Verdict = "error"
)

// Verdicts returns every verdict in report order.
func Verdicts() []Verdict { return []Verdict{Pass, Warn, Fail, Info, Skip, Error} }

// Valid reports whether v is one of the six verdicts.
func (v Verdict) Valid() bool { return v.index() >= 0 }

func (v Verdict) index() int {
	for i, w := range Verdicts() {
		if v == w {
			return i
		}
	}
	return -1
}

// Level is an RFC 2119 requirement level, or empty for a check that tests
// none (an informational probe).
type Level string

// The requirement levels.
const (
	Must      Level = "MUST"
	MustNot   Level = "MUST NOT"
	Should    Level = "SHOULD"
	ShouldNot Level = "SHOULD NOT"
	May       Level = "MAY"
	NoLevel   Level = ""
)

// Valid reports whether l is a level this package knows, or empty.
func (l Level) Valid() bool {
	switch l {
	case Must, MustNot, Should, ShouldNot, May, NoLevel:
		return true
	}
	return false
}

// Base folds the negative levels into the positive ones: MUST NOT is a
// MUST, SHOULD NOT a SHOULD. The summary groups by base level.
func (l Level) Base() Level {
	switch l {
	case MustNot:
		return Must
	case ShouldNot:
		return Should
	}
	return l
}

// baseLevels are the rows of a summary by level, strongest first.
var baseLevels = [...]Level{Must, Should, May, NoLevel}

// Millis is a duration written in JSON as milliseconds with microsecond
// precision (a number such as 12.345).
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds, three decimals.
func (m Millis) MarshalJSON() ([]byte, error) {
	us := time.Duration(m).Round(time.Microsecond) / time.Microsecond
	neg := us < 0
	if neg {
		us = -us
	}
	s := fmt.Sprintf("%d.%03d", us/1000, us%1000)
	if neg {
		s = "-" + s
	}
	return []byte(s), nil
}

// UnmarshalJSON reads milliseconds, rounded to the microsecond.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("duration in milliseconds: %w", err)
	}
	if math.IsNaN(f) || math.Abs(f) > float64(math.MaxInt64/int64(time.Millisecond)) {
		return fmt.Errorf("duration %s ms is out of range", b)
	}
	*m = Millis(time.Duration(math.Round(f*1000)) * time.Microsecond)
	return nil
}

// D returns the duration as a time.Duration.
func (m Millis) D() time.Duration { return time.Duration(m) }
