package main

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
)

// The report's stable hooks (reports/templates/report.html.tmpl) as
// Chromium serialises them with --dump-dom.
var (
	cardName   = regexp.MustCompile(`<article class="card">\s*<h3>([^<]*)</h3>`)
	matrixCol  = regexp.MustCompile(`<th class="tcol"[^>]*>([^<]*)</th>`)
	matrixRow  = regexp.MustCompile(`<th class="idcol" title=`)
	matrixCell = regexp.MustCompile(`<td class="cell[ "]`)
	detailsBox = regexp.MustCompile(`<details class="check `)
	bannerDiv  = regexp.MustCompile(`<div id="banner" class="banner v-([a-z]+)">`)
)

// checkDOM checks the rendered report against the results it came from:
// the banner, a summary card per target in order, a matrix with a column per
// target, a row per check id and a cell per check, and a detail block per
// check.
func checkDOM(dom string, res *results) []outcome {
	var names []string
	for _, t := range res.Targets {
		names = append(names, t.Name)
	}
	ids := map[string]bool{}
	for _, c := range res.Checks {
		ids[c.ID] = true
	}
	var out []outcome

	banner := outcome{name: "banner"}
	if m := bannerDiv.FindStringSubmatch(dom); m != nil {
		banner.ok = true
		banner.detail = fmt.Sprintf(`div#banner of class v-%s`, m[1])
	} else {
		banner.detail = `no <div id="banner" class="banner v-…">`
	}
	out = append(out, banner)

	summary, ok := section(dom, "summary")
	out = append(out, namesOutcome("summary cards", ok, "summary", cardName, summary, names))

	matrix, ok := section(dom, "matrix")
	out = append(out, namesOutcome("matrix columns", ok, "matrix", matrixCol, matrix, names))
	out = append(out, countOutcome("matrix rows (one per check id)", ok, matrixRow, matrix, len(ids)))
	out = append(out, countOutcome("matrix cells (one per check and target)", ok, matrixCell, matrix, len(res.Checks)))

	details, ok := section(dom, "details")
	out = append(out, countOutcome("detail blocks (one per check and target)", ok, detailsBox, details, len(res.Checks)))
	return out
}

// section returns the DOM from <section id="ID"> to the start of the next
// top-level section (or the end of main).
func section(dom, id string) (string, bool) {
	start := strings.Index(dom, `<section id="`+id+`"`)
	if start < 0 {
		return "", false
	}
	rest := dom[start+1:]
	end := len(rest)
	for _, next := range []string{`<section id="`, `</main>`} {
		if i := strings.Index(rest, next); i >= 0 && i < end {
			end = i
		}
	}
	return rest[:end], true
}

func namesOutcome(what string, found bool, id string, re *regexp.Regexp, part string, want []string) outcome {
	o := outcome{name: what}
	if !found {
		o.detail = fmt.Sprintf(`no <section id="%s">`, id)
		return o
	}
	var got []string
	for _, m := range re.FindAllStringSubmatch(part, -1) {
		got = append(got, html.UnescapeString(strings.TrimSpace(m[1])))
	}
	o.ok = slices.Equal(got, want)
	o.detail = fmt.Sprintf("%q", got)
	if !o.ok {
		o.detail += fmt.Sprintf(", want %q", want)
	}
	return o
}

func countOutcome(what string, found bool, re *regexp.Regexp, part string, want int) outcome {
	o := outcome{name: what}
	if !found {
		o.detail = "its section is missing"
		return o
	}
	got := len(re.FindAllStringIndex(part, -1))
	o.ok = got == want && want > 0
	o.detail = fmt.Sprint(got)
	if !o.ok {
		o.detail += fmt.Sprintf(", want %d", want)
	}
	return o
}
