// Command exportseeds writes the seed corpus of every fuzz target of
// package fuzz as <target>_seed_corpus.zip files, the form OSS-Fuzz and
// ClusterFuzzLite read next to each fuzzer binary (their libFuzzer builds
// ignore f.Add). .clusterfuzzlite/build.sh runs it:
//
//	go run ./fuzz/cmd/exportseeds -dir fuzz -out "$OUT"
//
// Each seed is framed as the libFuzzer build of a []byte target reads its
// input (see fuzz.LibFuzzerInput).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/conformhttp/conform/fuzz"
)

func main() {
	dir := flag.String("dir", "fuzz", "directory of package fuzz (its fuzz targets and testdata/fuzz)")
	out := flag.String("out", "", "directory to write the <target>_seed_corpus.zip files into (required)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: exportseeds [-dir fuzz] -out DIR")
		os.Exit(2)
	}
	written, err := fuzz.ExportSeeds(*dir, *out)
	for _, p := range written {
		fmt.Println(p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "exportseeds:", err)
		os.Exit(1)
	}
}
