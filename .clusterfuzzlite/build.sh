#!/bin/bash -eu
# Builds every native Go fuzz target of conform as a libFuzzer binary and
# writes each one's seed corpus next to it. fuzz/clusterfuzzlite_test.go
# checks that the compile_native_go_fuzzer lines below name exactly the
# fuzz targets of the tree (save those under "not built"), and that each
# can be built this way.
#
# compile_native_go_fuzzer needs go-118-fuzz-build's testing shim in the
# module; it is added to go.mod inside the build container only.
cd "$SRC/conform"
go get github.com/AdamKorcz/go-118-fuzz-build/testing

# Seeds: libFuzzer ignores f.Add; it reads <fuzzer>_seed_corpus.zip.
go run ./fuzz/cmd/exportseeds -dir fuzz -out "$OUT"

compile_native_go_fuzzer github.com/conformhttp/conform/fuzz FuzzParseRequest FuzzParseRequest
compile_native_go_fuzzer github.com/conformhttp/conform/fuzz FuzzParseResponse FuzzParseResponse
compile_native_go_fuzzer github.com/conformhttp/conform/fuzz FuzzRoundTrip FuzzRoundTrip
compile_native_go_fuzzer github.com/conformhttp/conform/fuzz FuzzSplitInvariance FuzzSplitInvariance
compile_native_go_fuzzer github.com/conformhttp/conform/fuzz FuzzStructuredRequest FuzzStructuredRequest
# The differential targets seed themselves (corpus cases and the embedded
# differential/testdata/inputs.txt); they take (data, eof, head), so no
# single-[]byte seed zip is written for them.
compile_native_go_fuzzer github.com/conformhttp/conform/differential FuzzDifferentialRequest FuzzDifferentialRequest
compile_native_go_fuzzer github.com/conformhttp/conform/differential FuzzDifferentialResponse FuzzDifferentialResponse
# FuzzSplit seeds itself from its embedded benchmark messages.
compile_native_go_fuzzer github.com/conformhttp/conform/impl/parser FuzzSplit FuzzSplit

# not built: github.com/conformhttp/conform/fuzz FuzzServerPipeline: it runs each input in a testing/synctest bubble (fake clock for the server's timeouts, hang and goroutine-leak detection), and synctest.Test needs the standard *testing.T, which the libFuzzer build replaces with go-118-fuzz-build's shim
# not built: github.com/conformhttp/conform/fuzz FuzzAgent: as FuzzServerPipeline, the Agent's timeouts and the plan's delays run on a synctest bubble's clock
# not built: github.com/conformhttp/conform/impl/client FuzzResponse: as FuzzServerPipeline, it runs in a testing/synctest bubble, which needs the standard *testing.T
