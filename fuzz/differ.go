package fuzz

import (
	"context"
	"fmt"
	"strings"

	"github.com/conformhttp/conform/corpus"
	"github.com/conformhttp/conform/differential"
	"github.com/conformhttp/conform/impl/parser"
)

// Sentinel is the request written after every generated request, so that
// the comparison sees where each implementation thinks the first request
// ends: two readers that frame the first request differently read the
// sentinel differently (or one of them not at all).
const Sentinel = "GET /sentinel HTTP/1.1\r\nHost: sentinel.example\r\n\r\n"

// CheckStructured is the body of the structured-request target: data
// builds a GenRequest (DecodeRequest), whose bytes, followed by Sentinel,
// are read by our parser (strict) and by net/http through package
// differential. A disagreement that known, the differential's list of
// known and intended differences, does not cover is a failure.
func CheckStructured(data []byte, known *differential.KnownList) error {
	r := DecodeRequest(data)
	wire := append(r.Serialize(), Sentinel...)
	d := &differential.Differ{Others: []differential.Oracle{differential.NetHTTP{}}, Known: known}
	in := differential.Input{Name: "structured", Type: parser.Request, Data: wire, EOF: true}
	results, err := d.Check(context.Background(), in)
	if err != nil {
		return fmt.Errorf("structured request: the comparison could not run: %w", err)
	}
	for _, res := range results {
		if u := res.Unknown(); len(u) > 0 {
			return fmt.Errorf("structured request: ours and %s disagree, and no known difference covers it:\n  %s\ninput: %q\nours: %d message(s), end %s %s\n%s: %d message(s), end %s %s",
				res.Oracle, strings.Join(u, "\n  "), wire,
				len(res.Ours.Messages), res.Ours.End.Kind, res.Ours.End.Code,
				res.Oracle, len(res.Theirs.Messages), res.Theirs.End.Kind, res.Theirs.End.Code)
		}
	}
	return nil
}

// structuredSeeds are the corpus's request cases that our parser reads
// (under some variant), as GenRequests (FromMessage), and a request for
// each framing and each obfuscation of the generator.
func structuredSeeds(cases []*corpus.Case) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	add := func(r *GenRequest) {
		b := r.Encode()
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	for _, c := range cases {
		if caseType(c) != parser.Request {
			continue
		}
		for _, v := range c.Outcomes() {
			s := ParseStream(c.Config(v.Flags), caseOptions(c, v.Flags), c.Bytes())
			if len(s.Messages) == 0 {
				continue
			}
			if r, ok := FromMessage(s.Messages[0]); ok {
				add(r)
			}
		}
	}
	for _, r := range genSamples() {
		add(r)
	}
	return out
}

// genSamples are requests that use each framing and each obfuscation of
// the generator once.
func genSamples() []*GenRequest {
	body := []byte("hello, world")
	fields := []GenField{{Name: 0, Value: "*/*"}, {Name: len(genNames()), Custom: "X-Seed", Value: "a b\tc"}}
	var out []*GenRequest
	for fr := range frameCount {
		r := &GenRequest{Framing: fr, Body: body, Fields: fields, FramePos: 1}
		if r.chunked() {
			r.Chunks = []GenChunk{{Len: 5, Ext: 2}, {Len: 7}}
			r.Trailers = []GenField{{Name: len(genNames()), Custom: "T", Value: "v"}}
			r.Declare = 1
		}
		out = append(out, r)
	}
	for cl := range clCount {
		out = append(out, &GenRequest{Framing: frameLength, CLForm: cl, Body: body, Fields: fields})
	}
	for te := range genTE() {
		out = append(out, &GenRequest{Framing: frameTE, TEForm: te, Body: body})
	}
	for bit := 1; bit < 256; bit <<= 1 {
		out = append(out, &GenRequest{LineFlags: bit, Fields: fields})
		f := GenField{Name: 1, Value: "agent/1.0", Flags: bit}
		if bit == fieldBadByte {
			f.Bad = 1
		}
		out = append(out, &GenRequest{Fields: []GenField{f}})
	}
	for form := range formCount {
		r := &GenRequest{Form: form, Method: 6}
		switch form {
		case formOrigin, formAbsolute, formRaw:
			r.Path = "a/b?c=d"
		}
		if form == formAbsolute || form == formAuthority {
			r.Host, r.Port = "h.example", "8080"
		}
		out = append(out, r)
	}
	for size := range sizeCount {
		out = append(out, &GenRequest{Framing: frameChunked, Body: body, Chunks: []GenChunk{{Len: 3, Size: size, End: size % endCount}}})
	}
	for v := range genVersions() {
		out = append(out, &GenRequest{Version: v, Method: v % len(genMethods())})
	}
	return out
}
