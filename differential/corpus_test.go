package differential

import (
	"strings"
	"testing"
)

// TestCorpus runs every corpus case through our parser and net/http (and
// Node, when installed): every disagreement must be on the known list.
func TestCorpus(t *testing.T) {
	inputs, err := CorpusInputs()
	if err != nil {
		t.Fatal(err)
	}
	known, err := LoadKnown()
	if err != nil {
		t.Fatal(err)
	}
	d := &Differ{Others: testOracles(t), Known: known}
	for _, in := range inputs {
		results, err := d.Check(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if u := r.Unknown(); len(u) > 0 {
				t.Errorf("%s vs %s (%s): unknown disagreement:\n\t%s\n\tinput: %q", in.Name, r.Oracle, r.Class, strings.Join(u, "\n\t"), in.Data)
			}
		}
	}
}
