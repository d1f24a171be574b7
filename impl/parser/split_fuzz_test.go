package parser

import (
	"embed"
	"strings"
	"testing"
)

// splitSeeds are the four standard benchmark messages, embedded so that
// the libFuzzer build of FuzzSplit (ClusterFuzzLite), which runs outside
// the source tree, seeds from them too.
//
//go:embed testdata/*.http
var splitSeeds embed.FS

// FuzzSplit checks the parser's central promise: the merged trace of an
// input does not depend on how the input is split across Execute calls,
// and every error offset lies inside the input. It is in package parser,
// self-contained, so that ClusterFuzzLite's build can compile it.
func FuzzSplit(f *testing.F) {
	for _, s := range []struct {
		name string
		typ  Type
	}{{"small", Request}, {"browser", Request}, {"chunked4k", Request}, {"response", Response}} {
		b, err := splitSeeds.ReadFile("testdata/" + s.name + ".http")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(s.typ), uint16(0), uint8(7))
	}
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\\\"c\"\r\nhello\r\n0\r\nX: y\r\n\r\n"), uint8(1), uint16(0), uint8(3))
	f.Add([]byte("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\nbody"), uint8(0), uint16(1), uint8(2))
	f.Add([]byte("CONNECT h:1 HTTP/1.1\r\n\r\nxx"), uint8(1), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, typ uint8, lenient uint16, split uint8) {
		cfg := Config{Type: Type(typ % 3), Lenient: Lenient(lenient) & LenientAll, MaxHeaderSize: 256}
		whole, werr := Trace(cfg, in, TraceOptions{Finish: true})
		for _, e := range whole {
			if e.Kind == EvError && (e.Off < 0 || e.Off > int64(len(in))) {
				t.Fatalf("error offset %d outside input of %d bytes", e.Off, len(in))
			}
		}
		sp := int(split%16) + 1
		parts, perr := Trace(cfg, in, TraceOptions{Finish: true, Split: sp})
		a, b := strings.Join(Lines(whole), "\n"), strings.Join(Lines(parts), "\n")
		if a != b {
			t.Fatalf("split %d changes the trace\nwhole:\n%s\nsplit:\n%s", sp, a, b)
		}
		if (werr == nil) != (perr == nil) {
			t.Fatalf("split %d changes the error: %v vs %v", sp, werr, perr)
		}
	})
}
