package fuzz

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/corpus"
	"github.com/conformhttp/conform/impl/parser"
)

// Adder is what seeding needs of a *testing.F.
type Adder interface {
	Name() string
	Add(args ...any)
	Fatal(args ...any)
}

// AddSeeds adds the seeds of the fuzz target f (Seeds of its name without
// the "Fuzz" prefix) with f.Add. libFuzzer builds of the targets
// (go-118-fuzz-build, as ClusterFuzzLite uses) call a target once per
// input, ignore f.Add and give their F another name; AddSeeds then does
// nothing, so that loading the corpus does not slow every input down.
// Those engines get the seeds from the zips ExportSeeds writes.
func AddSeeds(f Adder) {
	name, ok := strings.CutPrefix(f.Name(), "Fuzz")
	if !ok {
		return
	}
	seeds, err := Seeds(name)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		f.Add(s)
	}
}

// seedBuilder returns the function that builds the seeds of the target
// named name without "Fuzz".
func seedBuilder(name string) (func([]*corpus.Case) [][]byte, bool) {
	switch name {
	case "ParseRequest":
		return func(cs []*corpus.Case) [][]byte { return parseSeeds(cs, parser.Request) }, true
	case "ParseResponse":
		return func(cs []*corpus.Case) [][]byte { return parseSeeds(cs, parser.Response) }, true
	case "SplitInvariance":
		return splitSeeds, true
	case "RoundTrip":
		return roundTripSeeds, true
	case "StructuredRequest":
		return structuredSeeds, true
	case "ServerPipeline":
		return pipelineSeeds, true
	case "Agent":
		return agentSeeds, true
	}
	return nil, false
}

// SeedSets returns the names (without "Fuzz") of the targets that Seeds
// knows, sorted.
func SeedSets() []string {
	return []string{"Agent", "ParseRequest", "ParseResponse", "RoundTrip", "ServerPipeline", "SplitInvariance", "StructuredRequest"}
}

// Seeds returns the seed inputs of the target named name without its
// "Fuzz" prefix: every case of the corpus (package corpus) that fits the
// target, under each of its lenient variants, plus the messages of
// ownMessages, each encoded as the target reads its input.
func Seeds(name string) ([][]byte, error) {
	build, ok := seedBuilder(name)
	if !ok {
		return nil, fmt.Errorf("no seeds for fuzz target %q (known: %s)", name, strings.Join(SeedSets(), ", "))
	}
	cases, err := corpus.Load()
	if err != nil {
		return nil, fmt.Errorf("seeds for %s: loading the corpus: %w", name, err)
	}
	return build(cases), nil
}

// ownMessage is a seed message of this package's own, for paths the
// corpus reaches rarely: pipelines, chunk extensions with trailers, bodies
// read until EOF, upgrades.
type ownMessage struct {
	typ  parser.Type
	data string
	opts Options
}

func ownMessages() []ownMessage {
	return []ownMessage{
		{parser.Request, "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Options{}},
		{parser.Request, "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c=\"d\\\"e\"\r\nhello\r\n0;x\r\nT: v\r\nU:\r\n\r\n", Options{}},
		{parser.Request, "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPUT /x HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", Options{}},
		{parser.Request, "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello", Options{}},
		{parser.Request, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01", Options{}},
		{parser.Request, "GET / HTTP/1.1\nX: a\n b\n\r\n", Options{Lenient: parser.LenientAll}},
		{parser.Request, "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4 \r\nbody\r\n0\r\n\r\n", Options{Lenient: parser.LenientAll}},
		{parser.Request, "GET / HTTP/1.1\r\nHost: " + strings.Repeat("h", 60) + "\r\n\r\n", Options{MaxHeaderSize: 48}},
		{parser.Response, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil eof", Options{}},
		{parser.Response, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\nExpires: never\r\n\r\n", Options{}},
		{parser.Response, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nframes", Options{}},
		{parser.Response, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.0 200 OK\r\n\r\n", Options{Decide: [4]parser.HeadersDecision{parser.SkipBody}}},
		{parser.Response, "HTTP/1.1 200 Connection established\r\n\r\ntunnel", Options{Decide: [4]parser.HeadersDecision{parser.SkipBodyUpgrade}}},
		{parser.Response, "HTTP/1.0 200\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", Options{}},
	}
}

// caseOptions returns the options of a corpus case under the lenient
// modes l.
func caseOptions(c *corpus.Case, l parser.Lenient) Options {
	o := Options{Lenient: l, Type: c.Type, MaxHeaderSize: c.MaxHeaderSize}
	copy(o.Decide[:], c.Decide)
	return o
}

// caseType is the type a case's bytes are read as, Both resolved as the
// parser resolves it.
func caseType(c *corpus.Case) parser.Type {
	if c.Type != parser.Both {
		return c.Type
	}
	if strings.HasPrefix(string(c.Bytes()), "HT") {
		return parser.Response
	}
	return parser.Request
}

// parseSeeds are the seeds of the targets that read one type of message:
// the options prefix, then the bytes.
func parseSeeds(cases []*corpus.Case, typ parser.Type) [][]byte {
	var out [][]byte
	for _, c := range cases {
		if caseType(c) != typ {
			continue
		}
		for _, v := range c.Outcomes() {
			out = append(out, append(caseOptions(c, v.Flags).Encode(), c.Bytes()...))
		}
	}
	for _, m := range ownMessages() {
		if m.typ == typ {
			out = append(out, append(m.opts.Encode(), m.data...))
		}
	}
	return out
}

// roundTripSeeds are the options prefix, with the case's own type, then
// the bytes.
func roundTripSeeds(cases []*corpus.Case) [][]byte {
	var out [][]byte
	for _, c := range cases {
		for _, v := range c.Outcomes() {
			out = append(out, append(caseOptions(c, v.Flags).Encode(), c.Bytes()...))
		}
	}
	for _, m := range ownMessages() {
		o := m.opts
		o.Type = m.typ
		out = append(out, append(o.Encode(), m.data...))
	}
	return out
}

// splitSeeds are the options prefix with the case's type, a plan, then
// the bytes: each case one byte at a time with a pause every third event,
// and in pieces of 7 and 2 bytes.
func splitSeeds(cases []*corpus.Case) [][]byte {
	plans := []Plan{{PauseEvery: 3}, {Pieces: []int{7, 2}}}
	var out [][]byte
	add := func(o Options, data []byte) {
		for _, pl := range plans {
			s := append(o.Encode(), pl.Encode()...)
			out = append(out, append(s, data...))
		}
	}
	for _, c := range cases {
		for _, v := range c.Outcomes() {
			add(caseOptions(c, v.Flags), c.Bytes())
		}
	}
	for _, m := range ownMessages() {
		o := m.opts
		o.Type = m.typ
		add(o, []byte(m.data))
	}
	return out
}

// pipelineSeeds are pipelines of one request per corpus request case
// that our parser reads (its method, framing and body, as far as the
// generator's forms go), and pipelines that use each of the generator's
// choices.
func pipelineSeeds(cases []*corpus.Case) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	add := func(pl *Pipeline) {
		b := pl.Encode()
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	var fromCorpus []PipeRequest
	for _, c := range cases {
		if caseType(c) != parser.Request {
			continue
		}
		s := ParseStream(c.Config(0), caseOptions(c, 0), c.Bytes())
		for _, m := range s.Messages {
			if r, ok := pipeRequestFrom(m); ok {
				fromCorpus = append(fromCorpus, r)
			}
		}
	}
	for i := 0; i < len(fromCorpus); i += 4 {
		add(&Pipeline{Requests: fromCorpus[i:min(i+4, len(fromCorpus))]})
	}
	get := PipeRequest{}
	post := PipeRequest{Method: 1, Framing: 1, Body: []byte("hello")}
	chunked := PipeRequest{Method: 3, Framing: 2, Body: []byte("chunks"), Expect: 1}
	head := PipeRequest{Method: 2}
	add(&Pipeline{Requests: []PipeRequest{get, post, head, chunked, get}})
	add(&Pipeline{Requests: []PipeRequest{post, post, post}, Pieces: []int{1}, PipelineLimit: 1, HighWaterMark: 1})
	add(&Pipeline{Requests: []PipeRequest{get, get, get, get}, MaxRequestsPerSocket: 2})
	add(&Pipeline{Requests: []PipeRequest{get, {Close: 1}, get}})
	add(&Pipeline{Requests: []PipeRequest{{Version: 1}, {Version: 1, Close: 1}, get}, Pieces: []int{7, 3}})
	add(&Pipeline{Requests: []PipeRequest{get, {Method: 6}, get}})
	add(&Pipeline{Requests: []PipeRequest{get, {Fault: faultGarbage, Garbage: []byte("x y z\r\n\r\n")}, get}})
	add(&Pipeline{Requests: []PipeRequest{post, {Method: 1, Framing: 1, Body: []byte("body"), Fault: faultCut, Cut: 40}}})
	// A slow first handler, handed off (default and 10 µs) or in a
	// goroutine of its own, ahead of inline ones and a body.
	add(&Pipeline{Requests: []PipeRequest{get, get, post, head, get}, Slow: 1})
	add(&Pipeline{Requests: []PipeRequest{get, get, {Close: 1}, get}, Slow: 1, Handoff: 2, Pieces: []int{5}})
	add(&Pipeline{Requests: []PipeRequest{get, post, get}, Slow: 2, Handoff: 1})
	add(&Pipeline{Requests: []PipeRequest{get, {Fault: faultCut, Cut: 5}}})
	return out
}

// pipeRequestFrom returns the PipeRequest closest to m: its method (when
// the generator has it), its version, its framing and body.
func pipeRequestFrom(m Message) (PipeRequest, bool) {
	var r PipeRequest
	r.Method = slices.Index(pipeMethods(), m.Method)
	if r.Method < 0 || m.Upgrade || len(m.Body) > maxPipeBody {
		return r, false
	}
	if m.Minor == 0 {
		r.Version = 1
	}
	switch {
	case m.Chunked && r.Version == 0:
		r.Framing = 2
	case len(m.Body) > 0:
		r.Framing = 1
	}
	r.Body = []byte(m.Body)
	return r, true
}

// agentSeeds are plans that use each option, action and limit of the
// agent generator. The corpus holds messages, not request schedules; its
// request cases give the plans' methods and bodies.
func agentSeeds(cases []*corpus.Case) [][]byte {
	var bodies [][]byte
	for _, c := range cases {
		if caseType(c) != parser.Request {
			continue
		}
		for _, m := range ParseStream(c.Config(0), caseOptions(c, 0), c.Bytes()).Messages {
			if len(m.Body) > 0 && len(m.Body) <= 16 {
				bodies = append(bodies, []byte(m.Body))
			}
		}
	}
	body := func(i int) []byte {
		if len(bodies) == 0 {
			return []byte("body")
		}
		return bodies[i%len(bodies)]
	}
	var out [][]byte
	for act := range actCount {
		ops := make([]AgentOp, 6)
		for i := range ops {
			ops[i] = AgentOp{Key: i % 2, Method: i % len(agentMethods()), Body: body(i), Start: i * 3, Action: act, Delay: 20,
				Answer: []byte("answer " + strconv.Itoa(i)), Chunked: i % 2, CloseNow: i / 5}
		}
		for _, ap := range []AgentPlan{
			{KeepAlive: 1, Ops: ops},
			{KeepAlive: 1, MaxSockets: 1, MaxFreeSockets: 2, Ops: ops},
			{MaxSockets: 2, MaxTotalSockets: 3, FIFO: 1, Ops: ops},
			{KeepAlive: 1, MaxTotalSockets: 1, Timeout: 1, Ops: ops},
			{KeepAlive: 1, MaxSockets: 3, MaxFreeSockets: 1, DialFails: 0b101, Ops: ops},
		} {
			out = append(out, ap.Encode())
		}
	}
	return out
}
