package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/google/go-cmp/cmp"
)

func TestHelpListsEveryCommand(t *testing.T) {
	got := runConform(t, t.Context(), []string{"help"}, "")
	if got.Code != ExitOK || got.Stderr != nil {
		t.Fatalf("conform help: code %d, stderr %q; want 0 and nothing", got.Code, got.Stderr)
	}
	if diff := cmp.Diff(splitLines(overview()), got.Stdout); diff != "" {
		t.Errorf("conform help prints the overview of doc.go (-want +got):\n%s", diff)
	}
	for _, c := range commands() {
		line := regexp.MustCompile(`^\t` + regexp.QuoteMeta(c.name) + ` +` + regexp.QuoteMeta(c.summary) + `$`)
		if !slices.ContainsFunc(got.Stdout, line.MatchString) {
			t.Errorf("the overview's command list has no line %q for command %s: doc.go and commands.go disagree", line, c.name)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			help := runConform(t, t.Context(), []string{"help", c.name}, "")
			if help.Code != ExitOK || help.Stderr != nil || len(help.Stdout) < 3 {
				t.Fatalf("conform help %s: code %d, stderr %q, %d lines; want 0, nothing, a section of doc.go",
					c.name, help.Code, help.Stderr, len(help.Stdout))
			}
			if want := "Usage:"; help.Stdout[0] != want {
				t.Errorf("conform help %s starts with %q, want %q", c.name, help.Stdout[0], want)
			}
			if want := "\tconform " + c.name; !strings.HasPrefix(help.Stdout[2], want) {
				t.Errorf("conform help %s: the usage line is %q, want it to start with %q", c.name, help.Stdout[2], want)
			}
			for _, flag := range []string{"-h", "--help", "-help"} {
				got := runConform(t, t.Context(), []string{c.name, flag}, "")
				if diff := cmp.Diff(help, got); diff != "" {
					t.Errorf("conform %s %s prints the same as conform help %s (-want +got):\n%s", c.name, flag, c.name, diff)
				}
			}
		})
	}
	if got, want := runConform(t, t.Context(), []string{"--help"}, ""), runConform(t, t.Context(), []string{"help"}, ""); !cmp.Equal(want, got) {
		t.Errorf("conform --help differs from conform help:\n(-want +got):\n%s", cmp.Diff(want, got))
	}
}

func TestManualHasNoStraySections(t *testing.T) {
	m := readManual()
	for name := range m.sections {
		if _, ok := lookupCommand(name); !ok {
			t.Errorf("doc.go documents command %q, which the command table does not have", name)
		}
	}
	if strings.Contains(m.overview, "package main") || strings.Contains(m.overview, "//") {
		t.Errorf("the overview leaks Go source:\n%s", m.overview)
	}
}

func TestParseHelpDocumentsEveryFlag(t *testing.T) {
	doc, ok := commandHelp("parse")
	if !ok {
		t.Fatal("doc.go has no section for parse")
	}
	for _, f := range parseFlags(&parseOptions{}).flags {
		if !strings.Contains(doc, "\t--"+f.name) {
			t.Errorf("the parse documentation does not describe --%s in its flag list", f.name)
		}
		if !strings.Contains(doc, "[--"+f.name) {
			t.Errorf("the parse usage line does not show --%s", f.name)
		}
	}
	flat := strings.Join(strings.Fields(doc), " ")
	for _, name := range parser.LenientNames() {
		if !strings.Contains(flat, " "+name+",") && !strings.Contains(flat, " "+name+".") {
			t.Errorf("the parse documentation's list of lenient modes lacks %q", name)
		}
	}
}

// TestParseHelpExamples runs the examples of the parse documentation: the
// trace lines it shows for the --escapes example must be lines of its real
// trace, and the error line must be what parse prints for that file.
func TestParseHelpExamples(t *testing.T) {
	doc, _ := commandHelp("parse")
	var shown, heredoc []string
	inHeredoc := false
	for _, line := range strings.Split(doc, "\n") {
		text := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(text, "off="):
			shown = append(shown, text)
		case strings.HasPrefix(text, "conform parse --escapes <<'EOF'"):
			inHeredoc = true
		case inHeredoc && text == "EOF":
			inHeredoc = false
		case inHeredoc:
			heredoc = append(heredoc, text)
		}
	}
	if len(shown) == 0 || len(heredoc) == 0 {
		t.Fatalf("parse documentation: found %d trace lines and %d heredoc lines; the examples moved", len(shown), len(heredoc))
	}
	got := runConform(t, t.Context(), []string{"parse", "--escapes"}, strings.Join(heredoc, "\n")+"\n")
	for _, line := range shown {
		if !slices.Contains(got.Stdout, line) {
			t.Errorf("the documented trace line %q is not in the trace of the documented example:\n%s", line, strings.Join(got.Stdout, "\n"))
		}
	}

	var wantErr string
	for _, line := range strings.Split(doc, "\n") {
		if text := strings.TrimSpace(line); strings.HasPrefix(text, "req.http:") {
			wantErr = text
		}
	}
	writeFiles(t, map[string]string{"req.http": hostSpaceColon})
	got = runConform(t, t.Context(), []string{"parse", "req.http"}, "")
	if diff := cmp.Diff([]string{wantErr}, got.Stderr); diff != "" {
		t.Errorf("the documented error line for %q differs from what parse prints (-want +got):\n%s", hostSpaceColon, diff)
	}
}
