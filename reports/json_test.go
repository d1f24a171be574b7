package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden renders the sample results with every renderer and compares
// the output with testdata/; go test ./reports -update rewrites the files.
func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		reason string
		write  func(io.Writer, *Results) error
		res    func() *Results
	}{
		{"json", "results.json", "the documented field order and encodings", WriteJSON, sampleResults},
		{"junit", "junit.xml", "suites per suite and target, failure/error/skipped/system-out", WriteJUnit, sampleResults},
		{"html matrix", "report-matrix.html", "two targets: summary cards, matrix and details", WriteHTML, sampleResults},
		{"html single", "report-single.html", "one target: no matrix", WriteHTML, singleTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf, tt.res()); err != nil {
				t.Fatalf("render: %v", err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reports -update to create it)", err)
			}
			if !bytes.Equal(want, buf.Bytes()) {
				t.Errorf("%s (%s) differs from %s; if the change is intended, run go test ./reports -update\n%s",
					tt.name, tt.reason, path, firstDifference(want, buf.Bytes()))
			}
		})
	}
}

// firstDifference describes the first line where got differs from want.
func firstDifference(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return "(no line differs)"
}

// TestJSONRoundTrip writes results and reads them back unchanged.
func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		res    *Results
	}{
		{"sample", "every field, every verdict, hostile bytes, omitted counts", sampleResults()},
		{"single target", "a subset still validates", singleTarget()},
		{"empty", "no runs, targets or checks", &Results{Schema: Schema, Runs: []Run{}, Targets: []Target{}, Checks: []Check{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, tt.res); err != nil {
				t.Fatal(err)
			}
			got, err := ReadJSON("test.json", &buf)
			if err != nil {
				t.Fatalf("ReadJSON: %v", err)
			}
			want := *tt.res
			for i := range want.Checks {
				if want.Checks[i].RFC == nil {
					want.Checks[i].RFC = []Ref{}
				}
			}
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("round trip (%s) changed the results (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestBytesJSON checks the Latin-1 encoding of wire data.
func TestBytesJSON(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := []struct {
		name     string
		reason   string
		data     Bytes
		wantJSON string // "" to skip the text comparison
	}{
		{"text", "HTTP stays readable, CRLF as JSON escapes", Bytes("GET / HTTP/1.1\r\n"), `"GET / HTTP/1.1\r\n"`},
		{"nul and high bytes", "each byte one character; C1 controls escaped", Bytes{0x00, 0x7f, 0x80, 0x9f, 0xa0, 0xe9, 0xff}, "\"\\u0000\\u007f\\u0080\\u009f\u00a0éÿ\""},
		{"quotes", "JSON's own escapes", Bytes("\"\\\t"), `"\"\\\t"`},
		{"every byte", "all 256 values survive", Bytes(all), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantJSON != "" {
				if diff := cmp.Diff(tt.wantJSON, string(b)); diff != "" {
					t.Errorf("JSON of %q (%s) (-want +got):\n%s", tt.data, tt.reason, diff)
				}
			}
			var back Bytes
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]byte(tt.data), []byte(back)); diff != "" {
				t.Errorf("round trip (%s) (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
	var b Bytes
	if err := json.Unmarshal([]byte(`"ok \u0100"`), &b); err == nil || !strings.Contains(err.Error(), "U+0100") {
		t.Errorf("a character above U+00FF: error %v, want one naming U+0100", err)
	}
}

// TestMillis checks the millisecond encoding of durations.
func TestMillis(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		d      time.Duration
		json   string
	}{
		{"zero", "0.000", 0, "0.000"},
		{"micro", "microsecond precision", 1234567 * time.Nanosecond, "1.235"},
		{"seconds", "large values", 61*time.Second + 5*time.Microsecond, "61000.005"},
		{"negative", "sign kept", -1500 * time.Microsecond, "-1.500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(Millis(tt.d))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.json, string(b)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.reason, diff)
			}
			var m Millis
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if want := tt.d.Round(time.Microsecond); m.D() != want {
				t.Errorf("read back %v, want %v", m.D(), want)
			}
		})
	}
}

// TestReadJSONErrors checks that bad files are refused with a message that
// names what is wrong and where.
func TestReadJSONErrors(t *testing.T) {
	valid := func(edit func(m map[string]any)) string {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, singleTarget()); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	check0 := func(m map[string]any) map[string]any { return m["checks"].([]any)[0].(map[string]any) }
	tests := []struct {
		name   string
		reason string
		input  string
		want   []string // substrings of the error
	}{
		{"syntax", "a JSON syntax error is placed by line and column", "{\n  \"schema\": 1,\n  \"runs\": [}\n", []string{"r.json", "line 3, column"}},
		{"no schema", "not a results file", `{"checks": []}`, []string{"no \"schema\" field"}},
		{"future schema", "a later format is refused, not misread", `{"schema": 2}`, []string{"schema 2", "reads schema 1"}},
		{"wrong type", "a type error is placed", `{"schema": 1, "checks": [{"id": 5}]}`, []string{"line 1, column", "checks.id"}},
		{"bad verdict", "unknown verdict names the check and the allowed values", valid(func(m map[string]any) { check0(m)["verdict"] = "passed" }), []string{"checks[0]", "rl-simple-get", "unknown verdict \"passed\"", "pass, warn, fail, info, skip, error"}},
		{"bad level", "unknown level", valid(func(m map[string]any) { check0(m)["level"] = "MIGHT" }), []string{"unknown level \"MIGHT\""}},
		{"unknown target", "a check's target must be listed", valid(func(m map[string]any) { check0(m)["target"] = "nowhere" }), []string{"target not listed"}},
		{"duplicate", "one (target, id) pair once", valid(func(m map[string]any) { check0(m)["id"] = "te-cl-both" }), []string{"checks[1]", "same id and target as checks[0]"}},
		{"bad event", "unknown wire event kind", valid(func(m map[string]any) {
			check0(m)["wire"].(map[string]any)["events"].([]any)[0].(map[string]any)["kind"] = "sent"
		}), []string{"wire event 0", "unknown kind \"sent\""}},
		{"bad closer", "unknown closed_by", valid(func(m map[string]any) { check0(m)["wire"].(map[string]any)["closed_by"] = "nobody" }), []string{"unknown closed_by \"nobody\""}},
		{"wide data", "wire data above U+00FF", valid(func(m map[string]any) {
			check0(m)["wire"].(map[string]any)["events"].([]any)[0].(map[string]any)["data"] = "ok ☃"
		}), []string{"U+2603"}},
		{"duplicate target", "target names are unique", valid(func(m map[string]any) {
			m["targets"] = append(m["targets"].([]any), m["targets"].([]any)[0])
		}), []string{"targets[1]", "appears twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON("r.json", strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("ReadJSON accepted bad input (%s)", tt.reason)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q (%s)", err, w, tt.reason)
				}
			}
		})
	}
}

// TestReadFile reads a results file from disk and names a missing one.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleResults()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(len(sampleResults().Checks), len(r.Checks)); diff != "" {
		t.Errorf("checks read (-want +got):\n%s", diff)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}
