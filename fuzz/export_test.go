package fuzz

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fuzzheaders "github.com/AdaLogics/go-fuzz-headers"
	"github.com/google/go-cmp/cmp"
)

func TestExportSeeds(t *testing.T) {
	out := t.TempDir()
	written, err := ExportSeeds(".", out)
	if err != nil {
		t.Fatal(err)
	}
	targets, err := Targets(".")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range targets {
		want = append(want, filepath.Join(out, name+"_seed_corpus.zip"))
	}
	if diff := cmp.Diff(want, written); diff != "" {
		t.Fatalf("zips written (-want +got):\n%s", diff)
	}
	for _, name := range targets {
		t.Run(name, func(t *testing.T) {
			seeds, err := TargetSeeds(".", name)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.OpenReader(filepath.Join(out, name+"_seed_corpus.zip"))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			if len(zr.File) == 0 || len(zr.File) != len(seeds) {
				t.Fatalf("%d entries; want %d, at least one", len(zr.File), len(seeds))
			}
			for i, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				// Read the entry as the libFuzzer build of the target does.
				got, err := fuzzheaders.NewConsumer(data).GetBytes()
				if err != nil {
					t.Fatalf("%s: go-fuzz-headers cannot read it: %v", f.Name, err)
				}
				if string(got) != string(seeds[i]) {
					t.Fatalf("%s: reads back as %q; want %q", f.Name, got, seeds[i])
				}
			}
		})
	}
}

func TestTargetSeedsIncludeTestdata(t *testing.T) {
	seeds, err := TargetSeeds(".", "FuzzSplit"+"Invariance")
	if err != nil {
		t.Fatal(err)
	}
	file, err := ReadSeedFile(filepath.Join("testdata", "fuzz", "FuzzSplit"+"Invariance", "pause-in-span-callback"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(seeds, func(s []byte) bool { return string(s) == string(file) }) {
		t.Errorf("the seeds do not include testdata/fuzz/.../pause-in-span-callback")
	}
}

func TestReadSeedFile(t *testing.T) {
	tests := []struct {
		name, reason string
		text         string
		want         string
		err          string
	}{
		{"ok", "the format go test writes", "go test fuzz v1\n[]byte(\"a\\r\\n\\x00\")\n", "a\r\n\x00", ""},
		{"header", "the first line names the format", "go test fuzz v2\n[]byte(\"a\")\n", "", "not a \"go test fuzz v1\" file"},
		{"two-values", "the targets take one []byte", "go test fuzz v1\n[]byte(\"a\")\nbool(true)\n", "", "with one value"},
		{"string", "a string value is not a []byte value", "go test fuzz v1\nstring(\"a\")\n", "", "is not a []byte value"},
		{"quote", "the value is a Go string literal", "go test fuzz v1\n[]byte(\"a)\n", "", "invalid syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadSeedFile(path)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("%s: %v", tt.reason, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("%s: error %v; want one saying %q", tt.reason, err, tt.err)
			case string(got) != tt.want:
				t.Errorf("%s: got %q; want %q", tt.reason, got, tt.want)
			}
		})
	}
}

func TestLibFuzzerInput(t *testing.T) {
	if LibFuzzerInput(nil) != nil {
		t.Errorf("an empty seed cannot be framed; want nil")
	}
	long := []byte(strings.Repeat("x", 70000))
	got, err := fuzzheaders.NewConsumer(LibFuzzerInput(long)).GetBytes()
	if err != nil || string(got) != string(long) {
		t.Errorf("a 70000-byte seed reads back as %d bytes (%v)", len(got), err)
	}
}
