package parser_test

import (
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// FuzzSplit checks the parser's central promise: the merged trace of an
// input does not depend on how the input is split across Execute calls,
// and every error offset lies inside the input.
func FuzzSplit(f *testing.F) {
	for _, in := range benchInputs {
		f.Add(loadBench(f, in.name), uint8(in.typ), uint16(0), uint8(7))
	}
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\\\"c\"\r\nhello\r\n0\r\nX: y\r\n\r\n"), uint8(1), uint16(0), uint8(3))
	f.Add([]byte("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\nbody"), uint8(0), uint16(1), uint8(2))
	f.Add([]byte("CONNECT h:1 HTTP/1.1\r\n\r\nxx"), uint8(1), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, typ uint8, lenient uint16, split uint8) {
		cfg := parser.Config{Type: parser.Type(typ % 3), Lenient: parser.Lenient(lenient) & parser.LenientAll, MaxHeaderSize: 256}
		whole, werr := parser.Trace(cfg, in, parser.TraceOptions{Finish: true})
		for _, e := range whole {
			if e.Kind == parser.EvError && (e.Off < 0 || e.Off > int64(len(in))) {
				t.Fatalf("error offset %d outside input of %d bytes", e.Off, len(in))
			}
		}
		sp := int(split%16) + 1
		parts, perr := parser.Trace(cfg, in, parser.TraceOptions{Finish: true, Split: sp})
		a, b := strings.Join(parser.Lines(whole), "\n"), strings.Join(parser.Lines(parts), "\n")
		if a != b {
			t.Fatalf("split %d changes the trace\nwhole:\n%s\nsplit:\n%s", sp, a, b)
		}
		if (werr == nil) != (perr == nil) {
			t.Fatalf("split %d changes the error: %v vs %v", sp, werr, perr)
		}
	})
}
