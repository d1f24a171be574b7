package differential

import (
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// TestServersCorpus sends every request case of the corpus, and the
// request inputs of testdata, to conform's server and to a net/http server:
// every disagreement must be explained by the parser-level comparison or
// be on the known list.
func TestServersCorpus(t *testing.T) {
	s, err := StartServers()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	known, err := LoadKnown()
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := CorpusInputs()
	if err != nil {
		t.Fatal(err)
	}
	inputs = append(inputs, loadTestdataInputs(t)...)
	tallies := map[string]*Tally{}
	for _, in := range inputs {
		if in.Resolve().Type != parser.Request {
			continue
		}
		results, err := s.Check(t.Context(), in, known)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if tallies[r.Oracle] == nil {
				tallies[r.Oracle] = &Tally{}
			}
			tallies[r.Oracle].Add(r)
			if u := r.Unknown(); len(u) > 0 {
				t.Errorf("%s, %s: unknown disagreement (%s):\n\t%s\n\tours:   %s\n\ttheirs: %s\n\tinput: %q",
					in.Name, r.Oracle, r.Class, strings.Join(u, "\n\t"), r.Ours, r.Theirs, in.Data)
			}
		}
	}
	for _, o := range []string{OursServerOracle, NetHTTPServerOracle, ServersOracle} {
		t.Logf("%s: %s", o, tallies[o])
	}
}
