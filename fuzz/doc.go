// Package fuzz holds conform's native Go fuzz targets and the machinery
// behind them: property checkers, structured generators, seeds, and the
// export of seeds for libFuzzer engines (ClusterFuzzLite, OSS-Fuzz).
//
// Every target checks properties, not only the absence of a panic:
//
//   - ParseRequest and ParseResponse parse any bytes under lenient modes,
//     a head size limit and headers-complete decisions chosen by the input
//     (Options), with a Checker that verifies every event (offsets, span
//     bytes, nesting, framing, keep-alive, upgrade) and Drive's checks of
//     what Execute and Finish return (error offsets, sticky errors); then
//     they parse again on the reused parser under MeasureAllocs
//     (testing.AllocsPerRun's measure): no allocation, or only the error
//     value, whatever the input's size.
//   - SplitInvariance parses the input whole and in the pieces and with the
//     pauses a Plan read from the input says, and compares the merged
//     traces, errors and counts.
//   - RoundTrip parses, serialises the messages canonically (Canonical)
//     and parses again: the same messages (Message), the same end.
//   - StructuredRequest builds a request from the input with
//     go-fuzz-headers (method, target form, version, fields with
//     obfuscations, framing, chunk extensions, trailers), serialises it and
//     compares our parser with net/http through package differential: a
//     disagreement must be on the differential's list of known, intended
//     differences (or, until that list has them, on pending.txt).
//   - ServerPipeline sends a stream of pipelined requests (Pipeline) to the
//     reference server over net.Pipe, in pieces, and checks one response
//     per readable request, in order, each answering its own request; an
//     error response for what cannot be read; the connection's end.
//   - Agent runs requests on several keys through the client Agent
//     (AgentPlan) against fake connections whose server answers, closes,
//     hangs up, stalls or sends unasked bytes, with dials that fail, and
//     checks MaxSockets, MaxTotalSockets and MaxFreeSockets at every step,
//     one outcome per request, no response delivered to another request,
//     no socket left in use, every socket closed by Close.
//
// The last two run each input in a testing/synctest bubble: timeouts run
// on its fake clock, a hang is reported when an hour passes on that clock
// (which takes no time when everything else is blocked), and a goroutine
// left behind fails the test.
//
// The fuzz functions live in files of this package (not of fuzz_test)
// and call only non-test code, because compile_native_go_fuzzer turns the
// file that holds a target into an ordinary source file and builds it
// without the package's other test files; and each target's name appears
// in one file only under fuzz/, because that script finds the file by
// searching for the name. Tests in this package check both rules and that
// .clusterfuzzlite/build.sh builds exactly the targets of the tree.
//
// Seeds come from the corpus (package corpus), under each case's lenient
// variants, and from a few messages of this package; Seeds builds them,
// AddSeeds adds them to a target, and ExportSeeds writes them, with the
// regression inputs under testdata/fuzz/<target>/, as
// <target>_seed_corpus.zip files for engines that ignore f.Add
// (cmd/exportseeds).
package fuzz
