// Package reports holds conform's results model and renders it.
//
// A Results value is the record of a run: the runs it came from, the
// targets probed, and one Check per check and target with its verdict
// (pass, warn, fail, info, skip, error), the reason in words, the RFC
// sections it tests, and the wire log of what was sent and received.
// Everything else is derived from it:
//
//   - WriteJSON and ReadJSON: the results file, schema 1, documented field
//     by field in README.md in this directory;
//   - WriteJUnit: JUnit XML for CI systems, one testsuite per suite and
//     target;
//   - WriteHTML: one self-contained HTML page (inline CSS, no scripts, no
//     network) with a summary by family and level, a matrix of checks by
//     target when several targets ran, and a detail block per check;
//   - Merge: several results files as one matrix ("conform report");
//   - ExitCode: conform's exit status for the results.
//
// The templates are embedded; the package needs no files at run time.
package reports
