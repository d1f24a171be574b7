#!/bin/bash
# Builds every fuzz target that .clusterfuzzlite/build.sh names with
# compile_native_go_fuzzer the way that script (OSS-Fuzz's) does — the
# target's _test.go file becomes a source file of its package, importing
# go-118-fuzz-build's testing shim, and go-118-fuzz-build compiles it into
# a libFuzzer archive — in a scratch copy of the tree. It stops short of
# linking with clang's libFuzzer, which this machine does not have; a
# target that compiles here links there.
#
#   scripts/clusterfuzzlite-check.sh        (make fuzz-build-check)
#
# Needs the Go module proxy (go-118-fuzz-build and its shim).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The tree as committed plus local changes, without reports or .git.
tar -C "$root" --exclude=./.git --exclude=./reports/out -cf - . | tar -C "$work" -xf -
cd "$work"
export GOFLAGS=-mod=mod
GOBIN="$work/bin" go install github.com/AdamKorcz/go-118-fuzz-build@v0.0.0-20250520111509-a70c2aa677fa
go get github.com/AdamKorcz/go-118-fuzz-build/testing@v0.0.0-20250520111509-a70c2aa677fa >/dev/null 2>&1

fail=0
n=0
while read -r _ pkg fn fuzzer; do
  n=$((n+1))
  dir=$(go list -f '{{.Dir}}' "$pkg")
  files=$(grep -r -l --include='*_test.go' "$fn" "$dir" || true)
  if [ "$(echo "$files" | grep -c .)" != 1 ]; then
    echo "FAIL $pkg $fn: found in: ${files:-no _test.go file}"; fail=1; continue
  fi
  src="$files"
  gen="${src%_test.go}_libfuzzer.go"
  sed 's#"testing"#"github.com/AdamKorcz/go-118-fuzz-build/testing"#' "$src" > "$gen"
  mv "$src" "$src.off"
  if out=$("$work/bin/go-118-fuzz-build" -o "$work/$fuzzer.a" -func "$fn" "$dir" 2>&1); then
    echo "ok   $pkg $fn ($(du -k "$work/$fuzzer.a" | cut -f1) KiB archive)"
  else
    echo "FAIL $pkg $fn:"; echo "$out" | sed 's/^/     /'; fail=1
  fi
  mv "$src.off" "$src"
  rm -f "$gen" "$dir"/*_fuzz.go
done < <(grep '^compile_native_go_fuzzer ' .clusterfuzzlite/build.sh)
echo "$n targets"
exit $fail
