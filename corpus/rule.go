package corpus

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule says what a conforming live server may answer to a case's bytes.
// It is a set of alternatives separated by "|"; each alternative is a
// sequence of steps separated by "then", matched against the responses in
// the order they arrived:
//
//	server: reject
//	server: accept then accept
//	server: reject | accept then close
//	server: status 101 | accept
//
// The observation matches an alternative when its steps consume every
// response, in order (interim 1xx responses other than 101 are skipped
// first: a server may always send them). The steps:
//
//	accept        one final response that is not a syntax rejection, that
//	              is any status 200..599 except 400, 411, 413, 414, 431 and
//	              505 (404, 405, 501 and so on are the application's
//	              business); 101 is not an accept: a protocol switch must be
//	              allowed by name, "status 101"
//	reject        one final response with a 4xx status, 501 or 505, or the
//	              connection closed with no further response
//	status LIST   one final response whose status is in LIST: codes and
//	              classes, comma-separated ("status 400,431", "status 2xx")
//	any           one response, whatever its status
//	unframed      bytes that are not an HTTP/1.x response (an HTTP/0.9 reply)
//	close         no further response, and the server closed the connection
//	wait          no further response, and the connection stayed open
//
// close and wait may only end a sequence. When a sequence ends with
// another step, the connection may be closed or open after the last
// response.
type Rule struct {
	// Text is the rule as written.
	Text string
	// Alts are the alternatives; a server passes when one of them matches.
	Alts [][]Step
}

// StepKind is a kind of Rule step.
type StepKind uint8

// The step kinds.
const (
	StepAccept StepKind = iota
	StepReject
	StepStatus
	StepAny
	StepUnframed
	StepClose
	StepWait
)

var stepNames = map[string]StepKind{
	"accept": StepAccept, "reject": StepReject, "status": StepStatus, "any": StepAny,
	"unframed": StepUnframed, "close": StepClose, "wait": StepWait,
}

// Step is one step of a Rule alternative.
type Step struct {
	Kind StepKind
	// Codes are the statuses a StepStatus accepts: a code, or a class
	// written as its hundred (400 for 4xx) with Class set.
	Codes []StatusCode
}

// StatusCode is a status code or class in a status step.
type StatusCode struct {
	Code  int
	Class bool // Code/100 is a class: 4xx
}

func (s StatusCode) matches(code int) bool {
	if s.Class {
		return code/100 == s.Code/100
	}
	return code == s.Code
}

func (s StatusCode) String() string {
	if s.Class {
		return fmt.Sprintf("%dxx", s.Code/100)
	}
	return strconv.Itoa(s.Code)
}

// Observation is what a live server did with a case's bytes.
type Observation struct {
	// Statuses are the status codes of the responses that arrived, in
	// order, interim (1xx) ones included; 0 stands for bytes that are not
	// an HTTP/1.x response.
	Statuses []int
	// Closed reports that the server closed the connection after the last
	// response in Statuses. False means the connection was still open when
	// the observer stopped waiting.
	Closed bool
}

func (o Observation) String() string {
	var parts []string
	for _, s := range o.Statuses {
		if s == 0 {
			parts = append(parts, "unframed bytes")
		} else {
			parts = append(parts, strconv.Itoa(s))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no response")
	}
	if o.Closed {
		parts = append(parts, "closed")
	} else {
		parts = append(parts, "still open")
	}
	return strings.Join(parts, ", ")
}

// syntaxRejections are the statuses "accept" does not take: the answers a
// server gives to a message it could not parse or would not read.
var syntaxRejections = [...]int{400, 411, 413, 414, 431, 505}

func isAccept(code int) bool {
	if code >= 200 && code <= 599 {
		for _, r := range syntaxRejections {
			if code == r {
				return false
			}
		}
		return true
	}
	return false
}

func isReject(code int) bool { return code/100 == 4 || code == 501 || code == 505 }

func parseRule(s string) (*Rule, error) {
	r := &Rule{Text: s}
	for _, alt := range strings.Split(s, "|") {
		var steps []Step
		words := strings.Fields(alt)
		if len(words) == 0 {
			return nil, fmt.Errorf("empty alternative in %q", s)
		}
		for i := 0; i < len(words); i++ {
			if len(steps) > 0 {
				if words[i] != "then" {
					return nil, fmt.Errorf("%q follows a step; steps are joined with \"then\"", words[i])
				}
				i++
				if i == len(words) {
					return nil, fmt.Errorf("\"then\" must be followed by a step")
				}
			}
			kind, ok := stepNames[words[i]]
			if !ok {
				return nil, fmt.Errorf("unknown step %q (known: accept, reject, status LIST, any, unframed, close, wait)", words[i])
			}
			if n := len(steps); n > 0 && (steps[n-1].Kind == StepClose || steps[n-1].Kind == StepWait) {
				return nil, fmt.Errorf("nothing may follow close or wait")
			}
			st := Step{Kind: kind}
			if kind == StepStatus {
				if i+1 == len(words) {
					return nil, fmt.Errorf("status needs a list of codes, such as status 400,431")
				}
				i++
				for _, c := range strings.Split(words[i], ",") {
					sc, err := parseStatusCode(c)
					if err != nil {
						return nil, err
					}
					st.Codes = append(st.Codes, sc)
				}
			}
			steps = append(steps, st)
		}
		r.Alts = append(r.Alts, steps)
	}
	return r, nil
}

func parseStatusCode(s string) (StatusCode, error) {
	if len(s) == 3 && s[1:] == "xx" && s[0] >= '1' && s[0] <= '5' {
		return StatusCode{Code: int(s[0]-'0') * 100, Class: true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return StatusCode{}, fmt.Errorf("bad status %q (want a code 100..599 or a class such as 4xx)", s)
	}
	return StatusCode{Code: n}, nil
}

// Judge reports whether the observation is one the rule allows, and why.
func (r *Rule) Judge(obs Observation) (ok bool, why string) {
	var resp []int
	for _, s := range obs.Statuses {
		if s >= 100 && s <= 199 && s != 101 {
			continue
		}
		resp = append(resp, s)
	}
	for _, alt := range r.Alts {
		if matchSteps(alt, resp, obs.Closed) {
			return true, fmt.Sprintf("%s matches %q", obs, altString(alt))
		}
	}
	return false, fmt.Sprintf("%s matches none of %q", obs, r.Text)
}

func matchSteps(steps []Step, resp []int, closed bool) bool {
	if len(steps) == 0 {
		return len(resp) == 0
	}
	st, rest := steps[0], steps[1:]
	switch st.Kind {
	case StepClose:
		return len(resp) == 0 && closed && matchSteps(rest, resp, closed)
	case StepWait:
		return len(resp) == 0 && !closed && matchSteps(rest, resp, closed)
	case StepReject:
		if len(resp) == 0 {
			return closed && matchSteps(rest, resp, closed)
		}
		return isReject(resp[0]) && matchSteps(rest, resp[1:], closed)
	}
	if len(resp) == 0 {
		return false
	}
	var hit bool
	switch st.Kind {
	case StepAccept:
		hit = isAccept(resp[0])
	case StepAny:
		hit = true
	case StepUnframed:
		hit = resp[0] == 0
	case StepStatus:
		for _, c := range st.Codes {
			hit = hit || c.matches(resp[0])
		}
	}
	return hit && matchSteps(rest, resp[1:], closed)
}

func altString(steps []Step) string {
	parts := make([]string, len(steps))
	for i, st := range steps {
		for name, k := range stepNames {
			if k == st.Kind {
				parts[i] = name
			}
		}
		if st.Kind == StepStatus {
			codes := make([]string, len(st.Codes))
			for j, c := range st.Codes {
				codes[j] = c.String()
			}
			parts[i] += " " + strings.Join(codes, ",")
		}
	}
	return strings.Join(parts, " then ")
}
