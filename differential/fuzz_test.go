package differential

import (
	"context"
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// FuzzDifferentialRequest gives random request streams to our parser and
// to net/http. Any severe difference (a different number of messages, a
// different body boundary, framing or protocol switch) that known.txt does
// not cover is a failure: it is a request smuggling vector between the
// two. eof says whether the stream ends after the bytes.
func FuzzDifferentialRequest(f *testing.F) {
	fuzzDifferential(f, parser.Request)
}

// FuzzDifferentialResponse does the same for response streams; head makes
// the first response the answer to a HEAD request.
func FuzzDifferentialResponse(f *testing.F) {
	fuzzDifferential(f, parser.Response)
}

func fuzzDifferential(f *testing.F, typ parser.Type) {
	seedDifferential(f, typ)
	known, err := LoadKnown()
	if err != nil {
		f.Fatal(err)
	}
	d := &Differ{Others: []Oracle{NetHTTP{}}, Known: known}
	f.Fuzz(func(t *testing.T, data []byte, eof, head bool) {
		in := Input{Name: "fuzz", Type: typ, Data: data, EOF: eof}
		if head && typ == parser.Response {
			in.Methods = []string{"HEAD"}
		}
		// context.Background, not t.Context: the libFuzzer build's
		// testing shim (ClusterFuzzLite) has no T.Context.
		results, err := d.Check(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.UnknownDanger() == DangerSevere {
				t.Errorf("unknown severe disagreement with %s on %q (eof %v, methods %q):\n\t%s\n\tours: %s\n\t%s: %s",
					r.Oracle, data, eof, in.Methods, strings.Join(r.Unknown(), "\n\t"), r.Ours.String(), r.Oracle, r.Theirs.String())
			}
		}
	})
}

// seedDifferential adds the corpus cases and testdata inputs of the type
// as seeds.
func seedDifferential(f *testing.F, typ parser.Type) {
	inputs, err := CorpusInputs()
	if err != nil {
		f.Fatal(err)
	}
	extra, err := TestdataInputs()
	if err != nil {
		f.Fatal(err)
	}
	inputs = append(inputs, extra...)
	for _, in := range inputs {
		in = in.Resolve()
		if in.Type != typ {
			continue
		}
		f.Add(in.Data, in.EOF, len(in.Methods) > 0 && in.Methods[0] == "HEAD")
	}
}
