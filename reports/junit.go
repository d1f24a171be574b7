package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/parser"
)

// The JUnit XML shape most CI systems read (Jenkins, GitLab, GitHub
// actions that publish test reports): testsuites > testsuite > testcase,
// with failure, error, skipped and system-out children.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes r as JUnit XML: one testsuite per suite and target
// ("corpus @ reference"), one testcase per check. A fail is a failure and
// an error an error, each with the reason as message and the expectation
// and wire log as text; a skip is skipped. A pass, warn or info is a
// passing test case; warn and info carry their reason in system-out, since
// JUnit has no such grades.
func WriteJUnit(w io.Writer, r *Results) error {
	out := junitSuites{Name: "conform"}
	var total time.Duration
	suites := map[[2]string]int{}
	timestamps := map[string]string{}
	for _, run := range r.Runs {
		for _, t := range run.Targets {
			if _, ok := timestamps[t]; !ok && !run.Started.IsZero() {
				timestamps[t] = run.Started.UTC().Format("2006-01-02T15:04:05")
			}
		}
	}
	addrs := map[string]string{}
	for _, t := range r.Targets {
		addrs[t.Name] = t.Address
	}
	durations := map[int]time.Duration{}
	for _, c := range r.Checks {
		key := [2]string{c.Suite, c.Target}
		i, ok := suites[key]
		if !ok {
			i = len(out.Suites)
			suites[key] = i
			out.Suites = append(out.Suites, junitSuite{
				Name:      c.Suite + " @ " + c.Target,
				Timestamp: timestamps[c.Target],
				Properties: []junitProperty{
					{Name: "target", Value: c.Target},
					{Name: "address", Value: addrs[c.Target]},
				},
			})
		}
		s := &out.Suites[i]
		tc := junitCase{
			Name:      c.ID,
			Classname: "conform." + c.Suite + "." + c.Family,
			Time:      seconds(c.Duration.D()),
		}
		if c.Title != "" {
			tc.Name += ": " + c.Title
		}
		s.Tests++
		durations[i] += c.Duration.D()
		total += c.Duration.D()
		switch c.Verdict {
		case Fail:
			s.Failures++
			tc.Failure = &junitProblem{Message: xmlSafe(c.Reason), Type: levelName(c.Level), Body: xmlSafe(junitDetail(&c))}
		case Error:
			s.Errors++
			tc.Error = &junitProblem{Message: xmlSafe(c.Reason), Type: "harness error", Body: xmlSafe(junitDetail(&c))}
		case Skip:
			s.Skipped++
			tc.Skipped = &junitSkipped{Message: xmlSafe(c.Reason)}
		case Warn, Info:
			tc.SystemOut = xmlSafe(fmt.Sprintf("%s: %s", c.Verdict, c.Reason))
		}
		s.Cases = append(s.Cases, tc)
	}
	for i := range out.Suites {
		s := &out.Suites[i]
		s.Time = seconds(durations[i])
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
	}
	out.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func levelName(l Level) string {
	if l == NoLevel {
		return "fail"
	}
	return string(l)
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

// junitDetail is the text of a failure or error: the RFC references, the
// expectation, and the wire log with visible escapes.
func junitDetail(c *Check) string {
	var b strings.Builder
	for _, r := range c.RFC {
		fmt.Fprintf(&b, "%s %s\n", r, r.URL)
	}
	if c.Level != NoLevel {
		fmt.Fprintf(&b, "level: %s\n", c.Level)
	}
	if c.Expected != "" {
		fmt.Fprintf(&b, "expected: %s\n", c.Expected)
	}
	if c.Wire != nil {
		b.WriteString(WireText(c.Wire))
	}
	return b.String()
}

// WireText renders a wire log as plain text, one line per event, bytes
// with visible escapes (\r \n \t \\ \xNN), ASCII only:
//
//	+0.012ms send 18 bytes "GET / HTTP/1.1\r\n\r\n"
//	+1.250ms recv 17 bytes "HTTP/1.1 200 OK\r\n"
//	+1.300ms eof target closed the connection
func WireText(w *Wire) string {
	var b strings.Builder
	for _, e := range w.Events {
		at, _ := e.At.MarshalJSON()
		fmt.Fprintf(&b, "+%sms %s", at, e.Kind)
		if e.Kind == Send || e.Kind == Recv {
			fmt.Fprintf(&b, " %d bytes \"%s\"", int64(len(e.Data))+e.Omitted, parser.Escape(e.Data))
			if e.Omitted > 0 {
				fmt.Fprintf(&b, " (+%d bytes not kept)", e.Omitted)
			}
		}
		if e.Text != "" {
			b.WriteString(" " + xmlSafe(e.Text))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "sent %d bytes, received %d bytes, closed by %s\n", w.Sent, w.Received, w.ClosedBy)
	return b.String()
}

// xmlSafe replaces characters XML 1.0 cannot carry (control characters
// other than tab, line feed and carriage return; U+FFFE and U+FFFF) with
// \xNN and \uNNNN escapes.
func xmlSafe(s string) string {
	if !strings.ContainsFunc(s, xmlBad) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !xmlBad(r):
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

func xmlBad(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xfffe || r == 0xffff
}
