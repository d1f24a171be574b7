package fuzz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Targets returns the names of the fuzz targets declared in the _test.go
// files of the package in dir (functions "FuzzXxx(f *testing.F)"), sorted.
func Targets(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && IsFuzzTarget(fn) {
				out = append(out, fn.Name.Name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// IsFuzzTarget reports whether fn is a fuzz target: a function (not a
// method) named Fuzz followed by an upper-case letter or nothing, whose
// only parameter is a *testing.F.
func IsFuzzTarget(fn *ast.FuncDecl) bool {
	name := fn.Name.Name
	if fn.Recv != nil || !strings.HasPrefix(name, "Fuzz") ||
		len(name) > 4 && !(name[4] >= 'A' && name[4] <= 'Z' || name[4] == '_' || name[4] >= '0' && name[4] <= '9') {
		return false
	}
	params := fn.Type.Params.List
	if len(params) != 1 || len(params[0].Names) > 1 {
		return false
	}
	star, ok := params[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "testing" && sel.Sel.Name == "F"
}

// ReadSeedFile reads a file of the Go fuzzing engine's corpus format
// ("go test fuzz v1", then one value per line) that holds a single []byte
// value, as the targets of this package take.
func ReadSeedFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("%s: not a \"go test fuzz v1\" file with one value", path)
	}
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	if !ok || !strings.HasSuffix(lit, ")") {
		return nil, fmt.Errorf("%s:2: %q is not a []byte value", path, lines[1])
	}
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		return nil, fmt.Errorf("%s:2: %q: %v", path, lines[1], err)
	}
	return []byte(s), nil
}

// LibFuzzerInput frames a []byte seed as libFuzzer builds of native Go
// targets read it: go-118-fuzz-build fills a []byte argument with
// go-fuzz-headers' GetBytes, which reads a four-byte big-endian length and
// then, when the length equals the bytes left, exactly those bytes. An
// empty seed cannot be framed (GetBytes reads a zero length as 30) and
// gives nil.
func LibFuzzerInput(seed []byte) []byte {
	if len(seed) == 0 {
		return nil
	}
	out := make([]byte, 4, 4+len(seed))
	binary.BigEndian.PutUint32(out, uint32(len(seed)))
	return append(out, seed...)
}

// ExportSeeds writes, for every fuzz target of the package in dir (this
// package's directory), a file <target>_seed_corpus.zip into out, as
// OSS-Fuzz and ClusterFuzzLite expect next to each fuzzer binary: the
// target's Seeds and the files under dir/testdata/fuzz/<target>/, each
// framed by LibFuzzerInput, duplicates and empty seeds left out. It
// returns the paths written.
func ExportSeeds(dir, out string) ([]string, error) {
	targets, err := Targets(dir)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("no fuzz targets in %s", dir)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, name := range targets {
		seeds, err := TargetSeeds(dir, name)
		if err != nil {
			return written, err
		}
		path := filepath.Join(out, name+"_seed_corpus.zip")
		if err := writeZip(path, seeds); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// TargetSeeds returns the seeds of the target name, a fuzz target of the
// package in dir: Seeds of the name without "Fuzz", then the regression
// inputs under dir/testdata/fuzz/<name>/, without duplicates.
func TargetSeeds(dir, name string) ([][]byte, error) {
	seeds, err := Seeds(strings.TrimPrefix(name, "Fuzz"))
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "testdata", "fuzz", name, "*"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	for _, f := range files {
		s, err := ReadSeedFile(f)
		if err != nil {
			return nil, err
		}
		seeds = append(seeds, s)
	}
	var out [][]byte
	seen := map[string]bool{}
	for _, s := range seeds {
		if len(s) > 0 && !seen[string(s)] {
			seen[string(s)] = true
			out = append(out, s)
		}
	}
	return out, nil
}

func writeZip(path string, seeds [][]byte) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, s := range seeds {
		w, err := zw.Create(fmt.Sprintf("seed-%05d", i))
		if err != nil {
			return err
		}
		if _, err := w.Write(LibFuzzerInput(s)); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
