package fuzz

import (
	"testing"

	"github.com/conformhttp/conform/impl/parser"
)

// The fuzz targets live in files of package fuzz itself (not fuzz_test)
// and call only non-test code: compile_native_go_fuzzer turns the file
// that holds a target into an ordinary source file of the package, and
// builds it without the package's other test files.

func FuzzParseRequest(f *testing.F) {
	AddSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := CheckParse(parser.Request, in, MeasureAllocs); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	AddSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := CheckParse(parser.Response, in, MeasureAllocs); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzSplitInvariance(f *testing.F) {
	AddSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := CheckSplit(in); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	AddSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := CheckRoundTrip(in); err != nil {
			t.Fatal(err)
		}
	})
}
