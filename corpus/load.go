package corpus

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/conformhttp/conform/impl/parser"
)

//go:embed cases/*.txt
var embedded embed.FS

// Load parses every embedded case file (cases/*.txt) and returns the cases
// in file order, files sorted by name.
func Load() ([]*Case, error) {
	sub, err := fs.Sub(embedded, "cases")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS parses every *.txt file at the top of fsys. Case ids must be unique
// across all files.
func LoadFS(fsys fs.FS) ([]*Case, error) {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var all []*Case
	var errs []error
	seen := map[string]*Case{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		cases, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
		}
		for _, c := range cases {
			if prev, dup := seen[c.ID]; dup {
				errs = append(errs, &SyntaxError{File: c.File, Line: c.Line,
					Msg: fmt.Sprintf("duplicate id %q (first at %s:%d)", c.ID, prev.File, prev.Line)})
				continue
			}
			seen[c.ID] = c
			all = append(all, c)
		}
	}
	return all, errors.Join(errs...)
}

// SyntaxError is a problem in a case file, located by file and line.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse parses the case file named name. It returns the cases it could read
// and an error joining every problem found, each a *SyntaxError.
func Parse(name string, data []byte) ([]*Case, error) {
	return parseFile(name, data, false)
}

// parseFile parses a case file; with keepOrphans a trace block whose
// lenient line is gone is recorded for removal instead of being an error.
func parseFile(name string, data []byte, keepOrphans bool) ([]*Case, error) {
	p := &fileParser{file: path.Base(name), keepOrphans: keepOrphans}
	lines := strings.Split(string(data), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	for i, line := range lines {
		p.line(i+1, strings.TrimSuffix(line, "\r"))
	}
	p.finishCase()
	return p.cases, errors.Join(p.errs...)
}

type block uint8

const (
	noBlock block = iota
	rawBlock
	traceBlock
)

type fileParser struct {
	file        string
	keepOrphans bool
	cases       []*Case
	errs        []error

	cur     *caseDraft
	blk     block
	blkN    int // line of the key that opened the block
	blkLast int // last line of the block so far
}

// caseDraft gathers one case's lines before it is checked.
type caseDraft struct {
	c        *Case
	keys     map[string]int // key -> line
	rawLine  int
	raw      []byte
	rawSeen  bool
	traces   map[parser.Lenient]*[]string
	traceAt  map[parser.Lenient]int
	lenients map[parser.Lenient]int
	curTrace *[]string
	curFlags parser.Lenient
	errs     int // len(fileParser.errs) when the case began
}

func (p *fileParser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &SyntaxError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *fileParser) line(n int, s string) {
	switch {
	case strings.HasPrefix(s, "#"):
		return
	case strings.TrimSpace(s) == "":
		if p.blk != noBlock {
			p.endBlock()
		}
		return
	case strings.HasPrefix(s, "|"):
		p.rawLine(n, s)
		return
	case strings.HasPrefix(s, "  "):
		p.traceLine(n, s)
		return
	case s[0] == ' ' || s[0] == '\t':
		p.errorf(n, "line starts with whitespace; trace lines are indented by exactly two spaces, raw lines start with \"|\"")
		return
	}
	if p.blk != noBlock {
		p.endBlock()
	}
	key, val, ok := strings.Cut(s, ":")
	if !ok {
		p.errorf(n, "%q is not \"key: value\", a raw line (\"| ...\"), a trace line (two spaces) or a comment (\"#\")", s)
		return
	}
	if val != "" && val[0] != ' ' {
		p.errorf(n, "key %q must be followed by \": \"", key)
		return
	}
	val = strings.TrimSpace(val)
	word, arg, _ := strings.Cut(key, " ")
	if word == "id" {
		p.finishCase()
		p.startCase(n, val)
		if arg != "" {
			p.errorf(n, "key \"id\" takes no argument before the colon")
		}
		return
	}
	if p.cur == nil {
		p.errorf(n, "%s: before the first \"id:\" line; every case starts with its id", word)
		return
	}
	d := p.cur
	d.c.pos.last = n
	if word != "lenient" && word != "trace" {
		if arg != "" {
			p.errorf(n, "key %q takes no argument before the colon", word)
			return
		}
		if prev, dup := d.keys[word]; dup {
			p.errorf(n, "%s given twice in case %q (first at line %d); does a new case lack its \"id:\" line?", word, d.c.ID, prev)
			return
		}
		d.keys[word] = n
	}
	if err := p.setKey(n, word, arg, val); err != nil {
		p.errorf(n, "%s: %v", word, err)
	}
}

func (p *fileParser) startCase(n int, id string) {
	c := &Case{File: p.file, Line: n, Type: parser.Request, Newline: CRLF}
	c.pos.last = n
	p.cur = &caseDraft{c: c, keys: map[string]int{}, traces: map[parser.Lenient]*[]string{},
		traceAt: map[parser.Lenient]int{}, lenients: map[parser.Lenient]int{}, errs: len(p.errs)}
	if id == "" {
		p.errorf(n, "empty id; every case needs one")
	} else if !validID(id) {
		p.errorf(n, "id %q must be lower-case letters, digits and single dashes, starting with a letter", id)
	}
	c.ID = id
}

func validID(id string) bool {
	if id == "" || id[0] < 'a' || id[0] > 'z' || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (p *fileParser) setKey(n int, word, arg, val string) error {
	d := p.cur
	c := d.c
	needVal := func() error {
		if val == "" {
			return fmt.Errorf("empty value")
		}
		return nil
	}
	var err error
	switch word {
	case "title":
		c.Title = val
		return needVal()
	case "reason":
		c.Reason = val
		return needVal()
	case "rfc":
		c.RFC, err = parseRefs(val)
	case "level":
		c.Level, err = parseLevel(val)
	case "type":
		c.Type, err = parser.ParseType(val)
	case "newline":
		c.Newline, err = parseNewline(val)
	case "finish":
		switch val {
		case "yes":
			c.Finish = true
		case "no":
		default:
			err = fmt.Errorf("want yes or no, not %q", val)
		}
	case "max-header-size":
		c.MaxHeaderSize, err = strconv.Atoi(val)
		if err != nil || c.MaxHeaderSize <= 0 {
			err = fmt.Errorf("want a positive number of bytes, not %q", val)
		}
	case "decide":
		c.Decide, err = parseDecide(val)
	case "expect":
		c.pos.expect = n
		c.Expect, err = parseExpect(val)
	case "server":
		c.Server, err = parseRule(val)
	case "known-deviation":
		c.KnownDeviation = val
		return needVal()
	case "lenient":
		flags, err := parseFlags(arg)
		if err != nil {
			return err
		}
		if prev, dup := d.lenients[flags]; dup {
			return fmt.Errorf("flags %s given twice (first at line %d)", flags, prev)
		}
		e, err := parseExpect(val)
		if err != nil {
			return err
		}
		d.lenients[flags] = n
		c.Lenient = append(c.Lenient, Variant{Flags: flags, Expect: e, Line: n})
	case "raw":
		if val != "" {
			return fmt.Errorf("the raw block starts on the next line, with lines that begin with \"|\"")
		}
		d.rawLine = n
		p.blk, p.blkN, p.blkLast = rawBlock, n, n
	case "trace":
		if val != "" {
			return fmt.Errorf("the trace starts on the next line, indented by two spaces")
		}
		var flags parser.Lenient
		if arg != "" {
			if flags, err = parseFlags(arg); err != nil {
				return err
			}
		}
		if prev, dup := d.traceAt[flags]; dup {
			return fmt.Errorf("trace for %q given twice (first at line %d)", flags, prev)
		}
		lines := []string{}
		d.traces[flags] = &lines
		d.traceAt[flags] = n
		d.curTrace, d.curFlags = &lines, flags
		p.blk, p.blkN, p.blkLast = traceBlock, n, n
	default:
		return fmt.Errorf("unknown key (known: id, title, reason, rfc, level, type, newline, finish, max-header-size, decide, raw, expect, lenient FLAGS, server, known-deviation, trace, trace FLAGS)")
	}
	return err
}

func parseFlags(s string) (parser.Lenient, error) {
	if strings.TrimSpace(s) == "" {
		return 0, fmt.Errorf("needs lenient flags before the colon, such as \"lenient headers: ...\"")
	}
	l, err := parser.ParseLenient(s)
	if err != nil {
		return 0, err
	}
	if l == 0 {
		return 0, fmt.Errorf("flags %q name no lenient mode", s)
	}
	return l, nil
}

func parseRefs(s string) ([]Ref, error) {
	var out []Ref
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		rest, ok := strings.CutPrefix(part, "RFC ")
		num, sec, ok2 := strings.Cut(rest, " §")
		n, err := strconv.Atoi(num)
		// An appendix section starts with its letter: "§C.2.2".
		digits := strings.TrimLeft(sec, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		if !ok || !ok2 || err != nil || n <= 0 || sec == "" || len(sec)-len(digits) > 1 || strings.Trim(digits, "0123456789.") != "" {
			return nil, fmt.Errorf("%q is not a section reference such as \"RFC 9112 §6.3\" or \"RFC 9112 §C.2.2\"", part)
		}
		out = append(out, Ref{RFC: n, Section: sec})
	}
	return out, nil
}

func (p *fileParser) rawLine(n int, s string) {
	d := p.cur
	if p.blk != rawBlock || d == nil {
		p.errorf(n, "raw line outside a raw block (a raw block follows \"raw:\" with no blank line inside)")
		return
	}
	text := s[1:]
	if text != "" {
		if text[0] != ' ' {
			p.errorf(n, "raw line must be \"|\" alone or \"| \" followed by the text")
			return
		}
		text = text[1:]
	}
	if s == "| " {
		p.errorf(n, "raw line ends in whitespace, which editors strip; write an empty line as \"|\"")
		return
	}
	raw, err := decodeRawLine(d.raw, text, d.c.Newline.bytes())
	if err != nil {
		p.errorf(n, "%v", err)
		return
	}
	d.raw = raw
	d.rawSeen = true
	d.c.pos.last = n
	p.blkLast = n
}

func (p *fileParser) traceLine(n int, s string) {
	d := p.cur
	if p.blk != traceBlock || d == nil {
		p.errorf(n, "indented line outside a trace block (a trace block follows \"trace:\" with no blank line inside)")
		return
	}
	*d.curTrace = append(*d.curTrace, s[2:])
	d.c.pos.last = n
	p.blkLast = n
}

func (p *fileParser) endBlock() {
	d := p.cur
	if p.blk == traceBlock && d != nil {
		d.c.pos.blocks = append(d.c.pos.blocks, tracePos{flags: d.curFlags, start: p.blkN, end: p.blkLast})
	}
	if p.blk == rawBlock && d != nil && !d.rawSeen {
		p.errorf(p.blkN, "raw: block has no lines")
	}
	p.blk = noBlock
}

// finishCase checks the case being read and adds it.
func (p *fileParser) finishCase() {
	if p.blk != noBlock {
		p.endBlock()
	}
	d := p.cur
	if d == nil {
		return
	}
	p.cur = nil
	c := d.c
	for _, k := range []string{"title", "reason", "rfc", "level", "raw", "expect"} {
		if _, ok := d.keys[k]; !ok {
			p.errorf(c.Line, "case %q has no %s", c.ID, k)
		}
	}
	if _, ok := d.keys["newline"]; ok && d.keys["newline"] > d.rawLine && d.rawLine > 0 {
		p.errorf(d.keys["newline"], "newline must come before raw: (it decides how raw lines are read)")
	}
	switch {
	case c.Type == parser.Request && c.Server == nil && d.keys["server"] == 0:
		p.errorf(c.Line, "request case %q has no server rule (server: ...)", c.ID)
	case c.Type == parser.Response && d.keys["server"] != 0:
		p.errorf(d.keys["server"], "server rules are for requests; case %q is a response", c.ID)
	}
	for flags, at := range d.traceAt {
		if flags == 0 {
			c.Trace = *d.traces[0]
			continue
		}
		found := false
		for i := range c.Lenient {
			if c.Lenient[i].Flags == flags {
				c.Lenient[i].Trace = *d.traces[flags]
				found = true
			}
		}
		switch {
		case found:
		case p.keepOrphans:
			for _, b := range c.pos.blocks {
				if b.flags == flags {
					c.pos.orphans = append(c.pos.orphans, b)
				}
			}
		default:
			p.errorf(at, "trace %s has no matching \"lenient %s:\" line", flags, flags)
		}
	}
	c.input = d.raw
	if len(p.errs) == d.errs {
		p.cases = append(p.cases, c)
	}
}
