package main

import (
	"context"
	"fmt"

	"github.com/conformhttp/conform/reports"
)

// runReport is "conform report": re-render saved results, several files
// as one matrix.
func runReport(ctx context.Context, e *env, args []string) error {
	dir := defaultReportDir
	var junit string
	fs := &flagSet{cmd: "report"}
	fs.value("o", "DIR", func(v string) error { dir = v; return nil })
	fs.value("junit", "FILE", func(v string) error { junit = v; return nil })
	files, err := fs.parse(args)
	if err != nil {
		return helpOr(e, "report", err)
	}
	if len(files) == 0 {
		return usageErrorf("report needs at least one results file: conform report RESULTS.json... [-o DIR] (conform run writes %s/%s)", defaultReportDir, reportJSON)
	}
	if dir == "" {
		return usageErrorf("-o needs a directory, such as -o %s", defaultReportDir)
	}
	var all []*reports.Results
	for _, f := range files {
		r, err := reports.ReadFile(f)
		if err != nil {
			return &ExitError{Code: ExitHarness, Err: err}
		}
		all = append(all, r)
	}
	merged := reports.Merge(all, files)
	paths, err := writeOutputs(merged, dir, "", junit)
	if err != nil {
		return &ExitError{Code: ExitHarness, Err: err}
	}
	for _, s := range reports.Summarize(merged) {
		fmt.Fprintf(e.stdout, "%s (%s): %s\n", s.Target.Name, s.Target.Address, countLine(s.Total))
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}
