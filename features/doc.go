// Package features holds conform's readable specification of HTTP/1.1
// behaviour: Gherkin scenarios (the *.feature files in this directory,
// embedded in the package) and the godog step definitions that run them
// against a server.
//
// # The scenarios
//
//	parsing.feature          strict and lenient parsing by example, and the error a client sees
//	pipelining.feature       order of pipelined responses, HEAD, errors and bodies mid-pipeline, back-pressure
//	connect.feature          CONNECT tunnels: relaying, early bytes, half-close, refusal
//	upgrade.feature          101 Switching Protocols, and ignoring Upgrade
//	expect-continue.feature  Expect: 100-continue on both sides
//	keep-alive.feature       persistence: HTTP/1.0 and 1.1, Connection: close, half-close
//	timeouts.feature         headers, request and keep-alive timeouts
//	agent.feature            the client Agent's pool: reuse, maxSockets queueing, maxFreeSockets, lifo/fifo
//	limits.feature           head size, field count, requests per connection
//
// Every scenario is tagged with the RFC section it tests (@rfc9112-6.3,
// @rfc9110-9.3.6), its requirement level (@must, @should, @may), and where
// it can run:
//
//	@live       any server: the scenario only sends bytes and judges what comes back
//	@reference  needs the reference server or the Agent, configured or observed
//	@slow       waits for real time; runs only against live targets
//	@deviation  the reference implementation fails it today (README.md says why);
//	            go test checks that it still fails, conform run reports it
//
// Raw bytes in the feature files use visible escapes (\r \n \t \xNN), and
// the line breaks of a docstring are layout only: what is sent is exactly
// what the escapes say.
//
// # Running them
//
// go test ./features runs every scenario but the @slow and @deviation ones
// against the reference server, each scenario as a subtest. The reference server is
// started per scenario over in-memory connections inside a
// testing/synctest bubble, so its timeouts run on a fake clock: a
// scenario that waits 60 seconds takes microseconds. Environment
// variables select other runs:
//
//	CONFORM_TARGET=host:port   run the @live scenarios against a live server instead
//	CONFORM_TAGS=expr          narrow the selection with a godog tag expression ("@must", "@live&&@should")
//	CONFORM_FORMAT=formats     godog formatters, e.g. "pretty", "cucumber:out.json,junit:out.xml"
//	                           (default "progress", into the test log)
//
// The same selection is available as test flags: -features.target,
// -features.tags, -features.format.
//
// # As a library
//
// conform run uses the package through List and Run:
//
//	target, err := features.Live("127.0.0.1:8080") // or features.Reference(), features.NetHTTP()
//	...
//	results, err := features.Run(ctx, features.Options{
//		Target:   target,
//		Tags:     "~@slow",                  // ANDed with the target's own selection
//		Files:    []string{"parsing.feature"}, // nil: every file
//		Patience: 5 * time.Second,           // how long a step waits for the target
//		Grace:    200 * time.Millisecond,    // how long it waits before deciding nothing more comes
//		Timeouts: features.LiveTimeouts{KeepAlive: 5 * time.Second}, // for @slow scenarios
//	})
//
// Run returns one Result per scenario run: an ID ("<file>/<scenario
// slug>", stable and unique), the RFC references and level from the tags,
// a Verdict (pass, fail, skip or error) with a Reason that names the step
// that did not pass, the wire log (every byte sent and received on every
// connection, with times; agent sockets are numbered from 101), and the
// duration. A caller grading by level, as the results model of DESIGN.md
// does, turns a Fail of a @should scenario into warn and of a @may one
// into info. Run returns an error only when the run could not happen
// (bad options, a target that did not start). Runs share no state: several
// may run at once (conform run runs one per feature file in parallel).
//
// Without Options.T the steps run on the real clock. Against the
// reference target, durations the scenarios name are then multiplied by
// Options.TimeScale (DefaultTimeScale: a 10-second timeout takes 500 ms),
// so timing scenarios keep their proportions but not their absolute
// margins. List describes the scenarios a selection would run, without
// running them (conform list); Files and Source expose the embedded
// feature files.
package features
