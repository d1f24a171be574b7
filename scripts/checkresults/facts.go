package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/conformhttp/conform/features"
)

// A fact is something a target is known to do, checked against its verdict
// and, when status is set, against the first status code in its wire log, so
// that a grading mistake in conform cannot make a fact hold by accident.
type fact struct {
	role     string
	ids      []string // every one must be present with an allowed verdict
	verdicts []string // the allowed verdicts
	status   int      // the first response's status code; 0: not checked
	why      string   // why the fact holds for that server
}

// facts are the known behaviours of the three targets. They were verified
// with nginx 1.22.1 (Debian 12's nginx package) and Node.js 20.20.2. All are
// decided from the request head, before any body is read, because nginx's
// "return 200" location answers without reading a body.
func facts() []fact {
	return []fact{
		{
			role: roleNginx, ids: []string{"smuggle-cl-te", "smuggle-te-cl"},
			verdicts: []string{"pass"}, status: 400,
			why: `nginx (since 1.21.1) refuses a request with both Content-Length and "Transfer-Encoding: chunked" with 400 and closes ("client sent Content-Length and Transfer-Encoding headers at the same time")`,
		},
		{
			role: roleNginx, ids: []string{"smuggle-http10-te-cl"},
			verdicts: []string{"pass"}, status: 400,
			why: "nginx refuses Transfer-Encoding in an HTTP/1.0 request with 400",
		},
		{
			role: roleNginx, ids: []string{"smuggle-te-chunked-identity"},
			verdicts: []string{"pass"}, status: 501,
			why: `nginx answers 501 to any Transfer-Encoding other than exactly "chunked" ("client sent unknown Transfer-Encoding")`,
		},
		{
			role: roleNginx, ids: []string{"cl-duplicate-different"},
			verdicts: []string{"pass"}, status: 400,
			why: `nginx keeps one Content-Length line and refuses a second with 400 ("client sent duplicate header line")`,
		},
		{
			role: roleNginx, ids: []string{"pipeline-order", "pipeline-burst-32", "pipeline-two-gets"},
			verdicts: []string{"pass"},
			why:      "nginx reads pipelined requests from its connection buffer one after another and answers each before it parses the next",
		},
		{
			role: roleNginx, ids: []string{"version-two-digit-minor"},
			verdicts: []string{"fail"}, status: 200,
			why: `nginx's request-line parser reads the minor version as a number up to 99, so it answers "HTTP/1.10" as a valid request where RFC 9112 §2.3 allows one digit: a known leniency conform must report`,
		},
		{
			role: roleNode, ids: []string{"pipeline-order", "pipeline-burst-32", "pipeline-five", "pipeline-three-mixed", "pipeline-chunked-then-get"},
			verdicts: []string{"pass"},
			why:      "Node's http server queues the responses of pipelined requests and writes each only after the one before it has finished, so answers come complete and in request order",
		},
		{
			role: roleNode, ids: []string{"smuggle-cl-te", "smuggle-te-cl"},
			verdicts: []string{"pass"}, status: 400,
			why: "llhttp in Node's default strict mode refuses Content-Length together with Transfer-Encoding: chunked (HPE_UNEXPECTED_CONTENT_LENGTH), and Node answers a parse error with 400 and closes",
		},
		{
			role: roleNode, ids: []string{"cl-duplicate-different"},
			verdicts: []string{"pass"}, status: 400,
			why: "llhttp refuses a second Content-Length line (HPE_UNEXPECTED_CONTENT_LENGTH) and Node answers 400",
		},
		{
			role: roleNode, ids: []string{"version-1-1-two-hosts"},
			verdicts: []string{"fail"}, status: 200,
			why: "Node's http server leaves Host to the application and does not count Host lines, so it does not send the 400 RFC 9112 §3.2 requires for two of them: a known deviation conform must report",
		},
	}
}

// knownReferenceIssues are the MUST checks the reference server is known to
// fail today, each with what is wrong: the corpus checks below, whose rules
// are stricter than the RFC, and the features scenarios tagged @deviation
// (features/README.md says why each fails). A known check that passes is
// reported so its entry can be removed; it does not fail the run.
func knownReferenceIssues() (map[string]string, error) {
	known := corpusIssues()
	devs, err := features.List(features.Options{Tags: "@deviation"})
	if err != nil {
		return nil, fmt.Errorf("listing the @deviation scenarios of features/: %w", err)
	}
	for _, d := range devs {
		known[d.ID] = "tagged @deviation in features/" + d.File
	}
	return known, nil
}

// corpusIssues are corpus checks the reference server is known to fail,
// each with the reason. There are none today: the three there were
// (cl-max-uint64, upgrade-with-body, upgrade-chunked-body) were corpus
// rules that did not allow an early answer or an ignored Upgrade, both of
// which the RFC permits, and the rules now do.
func corpusIssues() map[string]string {
	return map[string]string{}
}

// undecidedFacts returns the ids of the checks facts rest on that ended in
// error, each once: the fact checks and every check of the reference server.
// conform could not decide them (on a loaded machine a target can be slower
// than a probe's idle wait, or a dial can time out), so they may be run
// again (-recheck).
func undecidedFacts(res *results, mapped map[string]string) []string {
	var ids []string
	add := func(name, id string) {
		if c, ok := res.check(name, id); ok && c.Verdict == "error" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, f := range facts() {
		for _, id := range f.ids {
			add(mapped[f.role], id)
		}
	}
	for _, c := range res.Checks {
		if c.Target == mapped[roleReference] {
			add(c.Target, c.ID)
		}
	}
	return ids
}

// checkFacts checks every fact, the reference server's MUST checks, and that
// every target ran the same checks. A fact check that ended in error is
// decided by recheck, when given, and says so.
func checkFacts(res, recheck *results, mapped map[string]string, known map[string]string) []outcome {
	var out []outcome
	for _, f := range facts() {
		name := mapped[f.role]
		for _, id := range f.ids {
			out = append(out, checkFact(res, recheck, f, name, id))
		}
	}
	out = append(out, checkReferenceMusts(res, recheck, mapped[roleReference], known)...)
	out = append(out, checkSameChecks(res, mapped[roleReference]))
	return out
}

func checkFact(res, recheck *results, f fact, name, id string) outcome {
	o := outcome{name: fmt.Sprintf("%s %s", f.role, id), why: f.why}
	c, ok := res.check(name, id)
	if !ok {
		o.detail = fmt.Sprintf("no check %q ran against %s", id, name)
		return o
	}
	if c.Verdict == "error" && recheck != nil {
		again, ok := recheck.check(name, id)
		if !ok {
			o.detail = fmt.Sprintf("error (%s), and the recheck did not run it", c.Reason)
			return o
		}
		o.detail = fmt.Sprintf("error in the first run (%s); rechecked: ", c.Reason)
		c = again
	}
	status := c.firstStatus()
	o.detail += fmt.Sprintf("%s, first status %s", c.Verdict, statusText(status))
	var wrong []string
	if !slices.Contains(f.verdicts, c.Verdict) {
		wrong = append(wrong, "verdict "+strings.Join(f.verdicts, " or "))
	}
	if f.status != 0 && status != f.status {
		wrong = append(wrong, fmt.Sprintf("first status %d", f.status))
	}
	if len(wrong) > 0 {
		o.detail += "; want " + strings.Join(wrong, " and ") + " (conform: " + c.Reason + ")"
		return o
	}
	o.ok = true
	return o
}

func statusText(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprint(n)
}

// checkReferenceMusts: the reference server passes every MUST and MUST NOT
// check but the known issues, and no check of it ends in error. A check
// that ended in error is decided by recheck, when given.
func checkReferenceMusts(res, recheck *results, name string, known map[string]string) []outcome {
	var broken, errored, fixed, still, rechecked []string
	musts := 0
	for _, c := range res.Checks {
		if c.Target != name {
			continue
		}
		if c.Verdict == "error" && recheck != nil {
			if again, ok := recheck.check(name, c.ID); ok {
				rechecked = append(rechecked, fmt.Sprintf("%s (error, then %s)", c.ID, again.Verdict))
				c = again
			}
		}
		if c.Verdict == "error" {
			errored = append(errored, c.ID+" ("+c.Reason+")")
		}
		if !isMust(c.Level) {
			continue
		}
		musts++
		_, isKnown := known[c.ID]
		switch {
		case c.Verdict == "pass" && isKnown:
			fixed = append(fixed, c.ID)
		case c.Verdict == "pass":
		case isKnown:
			still = append(still, c.ID)
		default:
			broken = append(broken, fmt.Sprintf("%s is %s (%s)", c.ID, c.Verdict, c.Reason))
		}
	}
	musts1 := outcome{name: "reference passes every MUST", ok: len(broken) == 0 && musts > 0,
		why: "conform's reference server is the implementation conform grades others by"}
	switch {
	case musts == 0:
		musts1.detail = "no MUST check ran against " + name
	case len(broken) > 0:
		musts1.detail = fmt.Sprintf("%d of %d MUST checks broken: %s", len(broken), musts, strings.Join(broken, "; "))
	default:
		musts1.detail = fmt.Sprintf("%d MUST checks, %d pass", musts, musts-len(still))
		if len(still) > 0 {
			musts1.detail += fmt.Sprintf("; %d known issues still fail: %s", len(still), strings.Join(still, ", "))
		}
		if len(fixed) > 0 {
			musts1.detail += fmt.Sprintf("; known issues now passing (remove their corpusIssues entry or @deviation tag): %s", strings.Join(fixed, ", "))
		}
	}
	errs := outcome{name: "reference has no error verdicts", ok: len(errored) == 0,
		detail: fmt.Sprintf("%d errors", len(errored))}
	if len(errored) > 0 {
		errs.detail += ": " + strings.Join(errored, "; ")
	}
	if len(rechecked) > 0 {
		errs.detail += "; rechecked " + strings.Join(rechecked, ", ")
	}
	return []outcome{musts1, errs}
}

// checkSameChecks: every target ran exactly the reference's checks, so the
// matrix has no holes.
func checkSameChecks(res *results, ref string) outcome {
	want := res.ids(ref)
	o := outcome{name: "every target ran the same checks", ok: len(want) > 0}
	var diffs []string
	for _, t := range res.Targets {
		got := res.ids(t.Name)
		var missing, extra []string
		for _, id := range slices.Sorted(maps.Keys(want)) {
			if !got[id] {
				missing = append(missing, id)
			}
		}
		for _, id := range slices.Sorted(maps.Keys(got)) {
			if !want[id] {
				extra = append(extra, id)
			}
		}
		if len(missing)+len(extra) > 0 {
			diffs = append(diffs, fmt.Sprintf("%s lacks %v and has extra %v", t.Name, missing, extra))
		}
	}
	if len(diffs) > 0 {
		o.ok = false
		o.detail = strings.Join(diffs, "; ")
		return o
	}
	o.detail = fmt.Sprintf("%d checks on each of %d targets", len(want), len(res.Targets))
	return o
}
