package features

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// referenceOnly matches the steps that configure or observe the reference
// server or the Agent: a scenario using one must be tagged @reference.
var referenceOnly = regexp.MustCompile(`^(the server's |the server (parses|accepts|serves|has no|has started|reported|closes the connection when)|the client's receive buffer|the proxy can reach a counting|a server that answers every|the handlers finished|the echo service at|an agent|the agent|agent request|every agent request|no agent request|\d+ sockets? (was|were) closed)`)

var (
	rfcTag   = regexp.MustCompile(`^@rfc(9110|9112|6585)-\d+(\.\d+)*$`)
	knownTag = map[string]bool{"@must": true, "@should": true, "@may": true, "@live": true, "@reference": true, "@slow": true, "@deviation": true}
)

// TestScenarioTags checks what the package documents about every
// scenario: one level, an RFC section, where it runs, and a unique id.
func TestScenarioTags(t *testing.T) {
	feats, err := godog.TestSuite{Options: &godog.Options{Paths: Files(), FS: featureFS}}.RetrieveFeatures()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	perFile := map[string]int{}
	total := 0
	for _, f := range feats {
		for _, p := range f.Pickles {
			total++
			file := strings.TrimPrefix(f.Uri, "./")
			perFile[file]++
			where := file + ": " + p.Name
			has := map[string]bool{}
			levels, places, rfcs := 0, 0, 0
			for _, tag := range p.Tags {
				has[tag.Name] = true
				switch {
				case tag.Name == "@must" || tag.Name == "@should" || tag.Name == "@may":
					levels++
				case tag.Name == "@live" || tag.Name == "@reference":
					places++
				case rfcTag.MatchString(tag.Name):
					rfcs++
				case !knownTag[tag.Name]:
					t.Errorf("%s: unknown tag %s", where, tag.Name)
				}
			}
			if levels != 1 {
				t.Errorf("%s: %d level tags, want exactly one of @must, @should, @may", where, levels)
			}
			if places != 1 {
				t.Errorf("%s: %d of @live and @reference, want exactly one", where, places)
			}
			if rfcs == 0 {
				t.Errorf("%s: no @rfcNNNN-S.S tag", where)
			}
			if has["@slow"] && !has["@live"] {
				t.Errorf("%s: @slow scenarios wait for a live server and must be @live", where)
			}
			for _, st := range p.Steps {
				if referenceOnly.MatchString(st.Text) && !has["@reference"] {
					t.Errorf("%s: step %q needs the reference target, but the scenario is not @reference", where, st.Text)
				}
			}
			var tags []string
			for _, tag := range p.Tags {
				tags = append(tags, tag.Name)
			}
			id := describe(file, p.Name, tags).ID
			if prev, dup := ids[id]; dup {
				t.Errorf("%s: id %s is also the id of %s; give the scenario (or its outline's rows) a distinct name", where, id, prev)
			}
			ids[id] = where
		}
	}
	if total < 80 {
		t.Errorf("%d scenarios, want at least 80", total)
	}
	for _, f := range Files() {
		if perFile[f] == 0 {
			t.Errorf("%s has no scenario", f)
		}
	}
	t.Logf("%d scenarios: %v", total, perFile)
}

// TestList checks that List selects by target and tags as Run does.
func TestList(t *testing.T) {
	all, err := List(Options{})
	if err != nil {
		t.Fatal(err)
	}
	live, err := List(Options{Target: NetHTTP()})
	if err != nil {
		t.Fatal(err)
	}
	must, err := List(Options{Tags: "@must"})
	if err != nil {
		t.Fatal(err)
	}
	if len(live) == 0 || len(live) >= len(all) || len(must) == 0 || len(must) >= len(all) {
		t.Errorf("List selected %d scenarios for the reference target, %d @live for net/http, %d @must; want each selection non-empty and smaller than all", len(all), len(live), len(must))
	}
	for _, s := range live {
		if !containsTag(s.Tags, "@live") || containsTag(s.Tags, "@slow") {
			t.Errorf("%s: listed for net/http with tags %v", s.ID, s.Tags)
		}
	}
	for _, s := range must {
		if s.Level != "MUST" || len(s.RFC) == 0 || s.Feature == "" {
			t.Errorf("%s: level %q, RFC %v, feature %q", s.ID, s.Level, s.RFC, s.Feature)
		}
	}
}

func containsTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}
