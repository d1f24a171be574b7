package corpus

import (
	"fmt"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

// rewriteTraces returns the case file data with every golden trace block
// replaced by the lines that traces gives for its case id and lenient
// flags (0 for the strict trace). A block a case lacks is added after the
// case's last line; every other line of the file is kept as it is. A case
// or variant missing from traces keeps its block; a block whose lenient
// line is gone is removed.
func rewriteTraces(name string, data []byte, traces map[string]map[parser.Lenient][]string) ([]byte, error) {
	cases, err := parseFile(name, data, true)
	if err != nil {
		return nil, fmt.Errorf("cannot update a file that does not load: %w", err)
	}
	lines := strings.Split(string(data), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	type repl struct {
		end   int
		block []string
	}
	replace := map[int]repl{}      // first line -> replacement of [first, end]
	insert := map[int][][]string{} // insert after line
	for _, c := range cases {
		for _, b := range c.pos.orphans {
			replace[b.start] = repl{end: b.end}
		}
		want, ok := traces[c.ID]
		if !ok {
			continue
		}
		for _, v := range c.Outcomes() {
			tr, ok := want[v.Flags]
			if !ok {
				continue
			}
			block := renderTrace(v.Flags, tr)
			found := false
			for _, b := range c.pos.blocks {
				if b.flags == v.Flags {
					replace[b.start] = repl{end: b.end, block: block}
					found = true
				}
			}
			if !found {
				insert[c.pos.last] = append(insert[c.pos.last], block)
			}
		}
	}
	var out []string
	for i := 1; i <= len(lines); i++ {
		if r, ok := replace[i]; ok {
			out = append(out, r.block...)
			i = r.end
		} else {
			out = append(out, lines[i-1])
		}
		for _, b := range insert[i] {
			out = append(out, b...)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return []byte(strings.Join(out, "\n") + "\n"), nil
}

func renderTrace(flags parser.Lenient, lines []string) []string {
	head := "trace:"
	if flags != 0 {
		head = "trace " + flags.String() + ":"
	}
	out := []string{head}
	for _, l := range lines {
		out = append(out, "  "+l)
	}
	return out
}
