package features

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	flagTarget = flag.String("features.target", "", "run the @live scenarios against this host:port (default: $CONFORM_TARGET, else the reference server)")
	flagTags   = flag.String("features.tags", "", "godog tag expression narrowing the scenarios (default: $CONFORM_TAGS)")
	flagFormat = flag.String("features.format", "", "godog formatters, such as pretty or cucumber:out.json,junit:out.xml (default: $CONFORM_FORMAT, else progress)")
)

func setting(flagValue, env, def string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}

// TestFeatures runs the scenarios with godog, each as a subtest: against
// the reference server on synctest's fake clock by default, or against
// the live server CONFORM_TARGET names. The @deviation scenarios, which
// the reference implementation is known to fail, run in TestDeviations
// instead.
func TestFeatures(t *testing.T) {
	target := Reference()
	tags := "~@deviation"
	if addr := setting(*flagTarget, "CONFORM_TARGET", ""); addr != "" {
		var err error
		if target, err = Live(addr); err != nil {
			t.Fatal(err)
		}
		tags = ""
	}
	if user := setting(*flagTags, "CONFORM_TAGS", ""); user != "" {
		tags = andTags(tags, user)
	}
	var out bytes.Buffer
	results, err := Run(context.Background(), Options{
		Target: target,
		Tags:   tags,
		Format: setting(*flagFormat, "CONFORM_FORMAT", "progress"),
		Output: &out,
		T:      t,
	})
	t.Cleanup(func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("godog output:\n%s", out.String())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no scenario ran")
	}
	counts := map[Verdict]int{}
	for _, r := range results {
		counts[r.Verdict]++
		if r.Verdict == Error {
			t.Errorf("%s: %s", r.ID, r.Reason)
		}
	}
	t.Logf("%d scenarios against %s: %v", len(results), target.Name(), counts)
}

// andTags adds term to every alternative of a godog tag expression.
func andTags(expr, term string) string {
	if expr == "" {
		return term
	}
	var alts []string
	for _, alt := range strings.Split(term, ",") {
		alts = append(alts, expr+"&&"+alt)
	}
	return strings.Join(alts, ",")
}

// deviations are the scenarios the reference implementation fails today,
// tagged @deviation so that go test stays green, with the reason each
// fails. The CLI runs them like any other scenario and reports the fail.
var deviations = map[string]string{}

// TestDeviations runs the @deviation scenarios and checks that each still
// fails, for the reason recorded in deviations: when one passes, the
// implementation was fixed and its tag should go.
func TestDeviations(t *testing.T) {
	results, err := Run(context.Background(), Options{Tags: "@deviation", bubbles: t})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Verdict{}
	for _, r := range results {
		got[r.ID] = r.Verdict
		t.Logf("%s: %s: %s", r.ID, r.Verdict, r.Reason)
	}
	want := map[string]Verdict{}
	for id := range deviations {
		want[id] = Fail
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("@deviation scenarios (-want +got); a pass means the deviation is fixed and its tag and entry can go:\n%s", diff)
	}
}

// netHTTPOutcome is what net/http did with a @live scenario it does not
// pass, and why that is or is not allowed. features/README.md has the same
// table.
type netHTTPOutcome struct {
	verdict Verdict
	why     string
}

var netHTTPOutcomes = map[string]netHTTPOutcome{
	"parsing/a-request-with-both-content-length-and-transfer-encoding-is-answered-or-rejected-then-the-connection-is-closed": {
		Fail, "net/http reads the body by Transfer-Encoding, answers, and keeps the connection: it then answers the request hidden after the body (404 for /smuggled). RFC 9112 §6.1: the server MUST close the connection after responding to such a request. Not allowed.",
	},
}

// TestNetHTTP runs the @live scenarios against net/http, a server per
// scenario over in-memory connections on the fake clock, and compares the
// ones it does not pass with netHTTPOutcomes: differences are reported,
// not hidden, and a change in either shows up here.
func TestNetHTTP(t *testing.T) {
	results, err := Run(context.Background(), Options{Target: netHTTPInMemory(), bubbles: t})
	if err != nil {
		t.Fatal(err)
	}
	checkNetHTTP(t, results)
}

// TestNetHTTPOverTCP runs them against a net/http server on loopback, as
// conform run would: the same outcomes, with real sockets and time.
func TestNetHTTPOverTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real time on a loopback server")
	}
	results, err := Run(context.Background(), Options{Target: NetHTTP(), Patience: 3 * time.Second, Grace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	checkNetHTTP(t, results)
}

func checkNetHTTP(t *testing.T, results []Result) {
	t.Helper()
	got := map[string]Verdict{}
	for _, r := range results {
		if r.Verdict != Pass {
			got[r.ID] = r.Verdict
			t.Logf("%s: %s: %s", r.ID, r.Verdict, r.Reason)
		}
	}
	want := map[string]Verdict{}
	for id, o := range netHTTPOutcomes {
		want[id] = o.verdict
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("net/http outcomes that are not pass (-want +got); update netHTTPOutcomes and README.md:\n%s", diff)
	}
	t.Logf("%d @live scenarios against net/http", len(results))
}
