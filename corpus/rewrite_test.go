package corpus

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/conformhttp/conform/impl/parser"
)

func TestRewriteTraces(t *testing.T) {
	const before = `# header comment

id: one
title: t
reason: r
rfc: RFC 9112 §3
level: MUST
type: response
raw:
| A
expect: ok
lenient headers: ok
trace:
  stale line 1
  stale line 2
# a comment between blocks
trace version:
  orphan line

# comment before two
id: two
title: t
reason: r
rfc: RFC 9112 §3
level: MUST
type: response
raw:
| B
expect: ok
`
	const want = `# header comment

id: one
title: t
reason: r
rfc: RFC 9112 §3
level: MUST
type: response
raw:
| A
expect: ok
lenient headers: ok
trace:
  new strict
# a comment between blocks
trace headers:
  new lenient

# comment before two
id: two
title: t
reason: r
rfc: RFC 9112 §3
level: MUST
type: response
raw:
| B
expect: ok
trace:
  fresh 1
  fresh 2
`
	traces := map[string]map[parser.Lenient][]string{
		"one": {0: {"new strict"}, parser.LenientHeaders: {"new lenient"}},
		"two": {0: {"fresh 1", "fresh 2"}},
	}
	got, err := rewriteTraces("x.txt", []byte(before), traces)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("rewrite (-want +got):\n%s", diff)
	}
	// A second rewrite with the same traces changes nothing.
	again, err := rewriteTraces("x.txt", got, traces)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(got), string(again)); diff != "" {
		t.Errorf("second rewrite is not a no-op (-want +got):\n%s", diff)
	}
	if _, err := Parse("x.txt", got); err != nil {
		t.Errorf("rewritten file does not load: %v", err)
	}
}
