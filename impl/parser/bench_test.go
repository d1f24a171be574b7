package parser_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// benchInputs are the four standard messages (../shared/bench): browser is
// the request llhttp and picohttpparser benchmark with.
var benchInputs = []struct {
	name string
	typ  parser.Type
}{
	{"small", parser.Request},
	{"browser", parser.Request},
	{"chunked4k", parser.Request},
	{"response", parser.Response},
}

func loadBench(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".http"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkParser parses each message with callbacks that touch every span,
// as a consumer would (llhttp's own benchmark counts spans the same way).
func BenchmarkParser(b *testing.B) {
	for _, in := range benchInputs {
		data := loadBench(b, in.name)
		b.Run(in.name, func(b *testing.B) {
			var n int
			count := func(_ *parser.Parser, s []byte) error { n += len(s); return nil }
			cb := &parser.Callbacks{
				OnURL: count, OnStatus: count, OnHeaderField: count, OnHeaderValue: count, OnBody: count,
				OnMessageComplete: func(*parser.Parser) error { n++; return nil },
			}
			p := parser.New(parser.Config{Type: in.typ}, cb)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for b.Loop() {
				p.Reset()
				if _, err := p.Execute(data); err != nil {
					b.Fatal(err)
				}
			}
			if n == 0 {
				b.Fatal("no callbacks ran")
			}
		})
	}
}

// BenchmarkNetHTTP reads the same bytes with net/http's http.ReadRequest and
// http.ReadResponse, draining the body, so the ratio of the two benchmarks
// in one run is the figure to compare.
func BenchmarkNetHTTP(b *testing.B) {
	for _, in := range benchInputs {
		data := loadBench(b, in.name)
		b.Run(in.name, func(b *testing.B) {
			rd := bytes.NewReader(data)
			br := bufio.NewReaderSize(rd, 8192)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for b.Loop() {
				rd.Reset(data)
				br.Reset(rd)
				if in.typ == parser.Request {
					req, err := http.ReadRequest(br)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, req.Body)
				} else {
					res, err := http.ReadResponse(br, nil)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, res.Body)
				}
			}
		})
	}
}
