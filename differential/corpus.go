package differential

import (
	"strings"

	"github.com/conformhttp/conform/corpus"
	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/reports"
)

// FromCase returns the input of a corpus case. The stream ends after the
// bytes when the case says finish; a response case's decisions become the
// methods of the requests answered: skip-body is a HEAD request,
// skip-body-upgrade a CONNECT, proceed a GET.
func FromCase(c *corpus.Case) Input {
	in := Input{
		Name:          c.ID,
		Type:          c.Type,
		Data:          c.Bytes(),
		EOF:           c.Finish,
		MaxHeaderSize: c.MaxHeaderSize,
		Title:         c.Title,
		Family:        strings.TrimSuffix(c.File, ".txt"),
		Level:         reports.Level(c.Level),
	}
	for _, r := range c.RFC {
		in.RFC = append(in.RFC, reports.NewRef(r.RFC, r.Section))
	}
	for _, d := range c.Decide {
		switch d {
		case parser.SkipBody:
			in.Methods = append(in.Methods, "HEAD")
		case parser.SkipBodyUpgrade:
			in.Methods = append(in.Methods, "CONNECT")
		default:
			in.Methods = append(in.Methods, "GET")
		}
	}
	return in.Resolve()
}

// CorpusInputs loads the corpus and returns the input of every case.
func CorpusInputs() ([]Input, error) {
	cases, err := corpus.Load()
	if err != nil {
		return nil, err
	}
	out := make([]Input, len(cases))
	for i, c := range cases {
		out[i] = FromCase(c)
	}
	return out, nil
}
