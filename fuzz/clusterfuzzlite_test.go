package fuzz

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// root is the module's root directory, seen from this package.
const root = ".."

// buildTarget is one line of .clusterfuzzlite/build.sh: a target built
// with compile_native_go_fuzzer, or one listed as not built.
type buildTarget struct {
	Pkg, Func, Fuzzer, Reason string
	Built                     bool
}

var (
	compileLine  = regexp.MustCompile(`^compile_native_go_fuzzer (\S+) (\S+) (\S+)$`)
	notBuiltLine = regexp.MustCompile(`^# not built: (\S+) (\S+): (.*)$`)
)

func readBuildScript(t *testing.T) []buildTarget {
	t.Helper()
	f, err := os.Open(filepath.Join(root, ".clusterfuzzlite", "build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []buildTarget
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case compileLine.MatchString(line):
			m := compileLine.FindStringSubmatch(line)
			out = append(out, buildTarget{Pkg: m[1], Func: m[2], Fuzzer: m[3], Built: true})
		case notBuiltLine.MatchString(line):
			m := notBuiltLine.FindStringSubmatch(line)
			out = append(out, buildTarget{Pkg: m[1], Func: m[2], Reason: strings.TrimSpace(m[3])})
		case strings.Contains(line, "compile_native_go_fuzzer") && !strings.HasPrefix(strings.TrimSpace(line), "#"):
			t.Errorf("build.sh:%d: %q is not \"compile_native_go_fuzzer PKG FUNC FUZZER\"", n, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func modulePath(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(p)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}

// treeTarget is a fuzz target found in the tree.
type treeTarget struct {
	Pkg, Func, File, Dir string
}

// treeTargets finds every fuzz target in the module's _test.go files,
// skipping testdata, hidden directories and nested modules.
func treeTargets(t *testing.T) []treeTarget {
	t.Helper()
	mod := modulePath(t)
	var out []treeTarget
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || name == "vendor" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := mod
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && IsFuzzTarget(fn) {
				out = append(out, treeTarget{Pkg: pkg, Func: fn.Name.Name, File: path, Dir: filepath.Dir(path)})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuildScriptListsEveryTarget checks that .clusterfuzzlite/build.sh
// builds exactly the fuzz targets of the tree: each with
// compile_native_go_fuzzer under its own name (so that the seed zip
// <target>_seed_corpus.zip lands next to its binary), or listed under
// "# not built:" with a reason.
func TestBuildScriptListsEveryTarget(t *testing.T) {
	var listed, found []string
	seen := map[string]bool{}
	for _, b := range readBuildScript(t) {
		key := b.Pkg + " " + b.Func
		if seen[key] {
			t.Errorf("build.sh names %s twice", key)
		}
		seen[key] = true
		listed = append(listed, key)
		if b.Built && b.Fuzzer != b.Func {
			t.Errorf("build.sh builds %s as %q; name the fuzzer after the target, as the seed zips are", key, b.Fuzzer)
		}
		if !b.Built && b.Reason == "" {
			t.Errorf("build.sh does not build %s and gives no reason", key)
		}
	}
	for _, tt := range treeTargets(t) {
		found = append(found, tt.Pkg+" "+tt.Func)
	}
	slices.Sort(listed)
	slices.Sort(found)
	if diff := cmp.Diff(found, listed); diff != "" {
		t.Errorf("fuzz targets: the tree (-) and .clusterfuzzlite/build.sh (+) differ:\n%s", diff)
	}
}

// TestTargetsBuildWithCompileNativeGoFuzzer checks, for every target that
// build.sh builds, what compile_native_go_fuzzer (OSS-Fuzz's script around
// go-118-fuzz-build) relies on: it finds the target's file with "grep -r
// -l NAME" over the package's directory, so the name must appear in that
// file only; it needs one line "func NAME(x *testing.F)" in it; it turns
// that file into an ordinary source file of the package and builds it
// without the other test files, so the file must belong to the package
// itself (not to an external _test package) and use no name declared only
// in other test files; and it fills the arguments of the f.Fuzz function
// from libFuzzer's bytes, for the basic types only.
func TestTargetsBuildWithCompileNativeGoFuzzer(t *testing.T) {
	byKey := map[string]treeTarget{}
	for _, tt := range treeTargets(t) {
		byKey[tt.Pkg+" "+tt.Func] = tt
	}
	for _, b := range readBuildScript(t) {
		if !b.Built {
			continue
		}
		tt, ok := byKey[b.Pkg+" "+b.Func]
		if !ok {
			continue // TestBuildScriptListsEveryTarget reports it
		}
		t.Run(b.Func, func(t *testing.T) {
			if files := filesContaining(t, tt.Dir, tt.Func); len(files) != 1 || files[0] != tt.File {
				t.Errorf("%q appears in %q; compile_native_go_fuzzer needs it in %s only", tt.Func, files, tt.File)
			}
			src, err := os.ReadFile(tt.File)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, line := range strings.Split(string(src), "\n") {
				if strings.Contains(line, "func "+tt.Func) && strings.Contains(line, "testing.F") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s has %d lines with \"func %s\" and \"testing.F\"; want 1", tt.File, n, tt.Func)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, tt.File, src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(f.Name.Name, "_test") {
				t.Errorf("%s is in package %s; the target's file must be of the package itself", tt.File, f.Name.Name)
			}
			if used := usesOtherTestFiles(t, fset, f, tt); len(used) > 0 {
				t.Errorf("%s uses %q, declared in other test files, which the libFuzzer build leaves out", tt.File, used)
			}
			checkFuzzArgs(t, f, tt.Func)
		})
	}
}

// filesContaining returns the files under dir (recursively, as grep -r)
// whose bytes contain s.
func filesContaining(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), s) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// usesOtherTestFiles returns the top-level names declared in the other
// _test.go files of the target's package that the target's file uses.
func usesOtherTestFiles(t *testing.T, fset *token.FileSet, f *ast.File, tt treeTarget) []string {
	t.Helper()
	others, err := filepath.Glob(filepath.Join(tt.Dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, path := range others {
		if path == tt.File {
			continue
		}
		of, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if of.Name.Name != f.Name.Name {
			continue
		}
		for _, d := range of.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declared[n.Name] = true
						}
					case *ast.TypeSpec:
						declared[s.Name.Name] = true
					}
				}
			}
		}
	}
	var used []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && declared[id.Name] && !slices.Contains(used, id.Name) {
					used = append(used, id.Name)
				}
				return true
			})
			return false
		case *ast.Ident:
			if declared[n.Name] && !slices.Contains(used, n.Name) {
				used = append(used, n.Name)
			}
		}
		return true
	})
	return used
}

// checkFuzzArgs checks that the function given to f.Fuzz in the target
// (or, when the target hands its *testing.F to a helper, in the target's
// file) takes a *testing.T and then only types go-118-fuzz-build can fill.
func checkFuzzArgs(t *testing.T, f *ast.File, name string) {
	t.Helper()
	supported := []string{"[]byte", "string", "bool", "byte", "rune", "int", "int8", "int16", "int32", "int64",
		"uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64"}
	found := false
	inspect := func(body ast.Node) {
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Fuzz" || len(call.Args) != 1 {
				return true
			}
			lit, ok := call.Args[0].(*ast.FuncLit)
			if !ok {
				t.Errorf("%s: f.Fuzz is not given a function literal", name)
				return false
			}
			found = true
			var types []string
			for _, p := range lit.Type.Params.List {
				for range max(len(p.Names), 1) {
					types = append(types, exprString(p.Type))
				}
			}
			if len(types) == 0 || types[0] != "*testing.T" {
				t.Errorf("%s: the fuzz function's first parameter is %q; want *testing.T", name, types)
				return false
			}
			for _, ty := range types[1:] {
				if !slices.Contains(supported, ty) {
					t.Errorf("%s: the fuzz function takes a %s, which go-118-fuzz-build cannot fill", name, ty)
				}
			}
			return false
		})
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == name {
			inspect(fn.Body)
		}
	}
	if !found {
		inspect(f)
	}
	if !found {
		t.Errorf("%s: no f.Fuzz call in the target or its file", name)
	}
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.StarExpr:
		return "*" + exprString(e.X)
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.ArrayType:
		if e.Len == nil {
			return "[]" + exprString(e.Elt)
		}
	}
	return "?"
}

// TestClusterFuzzLiteProject checks the project files ClusterFuzzLite
// reads: a Go project, built from the OSS-Fuzz Go base image with build.sh.
func TestClusterFuzzLiteProject(t *testing.T) {
	tests := []struct {
		name, reason string
		file, want   string
	}{
		{"language", "native Go fuzzing needs language: go", "project.yaml", "language: go"},
		{"image", "the Go base builder has go and compile_native_go_fuzzer", "Dockerfile", "FROM gcr.io/oss-fuzz-base/base-builder-go"},
		{"build-script", "the image runs build.sh from $SRC", "Dockerfile", "COPY .clusterfuzzlite/build.sh $SRC/"},
		{"seeds", "the seed zips are written next to the fuzzers", "build.sh", "go run ./fuzz/cmd/exportseeds -dir fuzz -out \"$OUT\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, ".clusterfuzzlite", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, line := range strings.Split(string(data), "\n") {
				if strings.TrimSpace(line) == tt.want {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %s has no line %q", tt.reason, tt.file, tt.want)
			}
		})
	}
}
