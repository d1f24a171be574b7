package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
)

// runList is "conform list": every check with its id, suite and family,
// level and RFC sections, and title, without running anything.
func runList(ctx context.Context, e *env, args []string) error {
	var s selection
	fs := &flagSet{cmd: "list"}
	addSelectionFlags(fs, &s)
	rest, err := fs.parse(args)
	if err != nil {
		return helpOr(e, "list", err)
	}
	if len(rest) > 0 {
		return usageErrorf("list takes no arguments, got %q; select checks with --suite, --only and --level", rest)
	}
	checks, err := selectChecks(s)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSUITE/FAMILY\tLEVEL\tRFC\tTITLE")
	for _, c := range checks {
		var refs []string
		for _, r := range c.RFC {
			refs = append(refs, fmt.Sprintf("%d §%s", r.RFC, r.Section))
		}
		level := string(c.Level)
		if level == "" {
			level = "-"
		}
		rfc := strings.Join(refs, ", ")
		if rfc == "" {
			rfc = "-"
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\t%s\n", c.ID, c.Suite, c.Family, level, rfc, c.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d checks\n", len(checks))
	return nil
}
