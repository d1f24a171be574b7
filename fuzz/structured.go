package fuzz

import (
	"strconv"
	"strings"

	fuzzheaders "github.com/AdaLogics/go-fuzz-headers"

	"github.com/conformhttp/conform/impl/parser"
)

// GenRequest is a structured HTTP/1.1 request as the structured-request
// target builds it: each part is a choice among forms or a string from an
// alphabet, so that mutations of the input move between meaningful
// requests, and each part carries the obfuscations that smuggling lives
// on. Every int is the index of a choice; Serialize writes the bytes.
type GenRequest struct {
	LineFlags int    // lineXxx bits: request-line obfuscations
	Method    int    // index into genMethods; the last means CustomMethod
	Custom    string // a token method
	Form      int    // formXxx: the request-target form
	Path      string // origin-form path (after "/"), absolute-form path, or raw target
	Host      string // authority host of absolute and authority forms
	Port      string // their port, "" for none
	Version   int    // index into genVersions
	HostField int    // hostXxx: Host field lines
	Fields    []GenField
	Framing   int    // frameXxx
	CLForm    int    // clXxx: how Content-Length is written
	TEForm    int    // index into genTE: how Transfer-Encoding is written
	FramePos  int    // where the framing fields go among Fields
	Body      []byte //
	Chunks    []GenChunk
	LastExt   int // chunk extension of the last chunk (index into genExt)
	Trailers  []GenField
	Declare   int // 1: a Trailer field names the trailers
}

// GenField is one field line: a name (an index into genNames, the last
// meaning Custom) in a case (caseXxx), a value and obfuscation bits
// (fieldXxx).
type GenField struct {
	Name   int
	Custom string
	Case   int
	Value  string
	Flags  int
	Bad    int // index into genBadBytes, with fieldBadByte
}

// GenChunk is one chunk of a chunked body: how many body bytes it holds
// (the last chunk takes the rest), how its size is written (sizeXxx), its
// extension (an index into genExt) and how its data ends (endXxx).
type GenChunk struct {
	Len  int
	Size int
	Ext  int
	End  int
}

// Request-line obfuscations.
const (
	lineDoubleSP1 = 1 << iota // two SPs after the method
	lineDoubleSP2             // two SPs before the version
	lineTrailSP               // SP after the version
	lineBareLF                // request line ends in LF
	lineLeadCRLF              // an empty line before the request line
	lineTab                   // HTAB instead of the first SP
	lineLowerHTTP             // "http/" instead of "HTTP/"
	lineBareCR                // request line ends in CR
)

// Request-target forms (RFC 9112 §3.2).
const (
	formOrigin = iota
	formAbsolute
	formAuthority
	formAsterisk
	formRaw // "/" and bytes from a wide alphabet
	formCount
)

// Host field lines.
const (
	hostOne = iota
	hostNone
	hostTwo
	hostEmpty
	hostCount
)

// Framing choices.
const (
	frameNone = iota
	frameLength
	frameChunked
	frameBoth   // Content-Length and chunked
	frameTE     // a Transfer-Encoding from genTE, no Content-Length
	frameTELine // Transfer-Encoding in two field lines: gzip, then chunked
	frameCount
)

// Content-Length forms.
const (
	clExact = iota
	clZeros
	clPlus
	clTrailingSP
	clList
	clDupSame
	clDupOther
	clMore
	clLess
	clHuge
	clCount
)

// Field-line obfuscations.
const (
	fieldSPColon = 1 << iota // SP between name and colon
	fieldNoSP                // no SP after the colon
	fieldTab                 // HTAB after the colon
	fieldTrailWS             // SP HTAB after the value
	fieldFold                // the value's second half on an obs-fold line
	fieldBareLF              // the line ends in LF
	fieldDup                 // the line twice
	fieldBadByte             // a byte from genBadBytes in the value
)

// Field-name cases.
const (
	caseAsIs = iota
	caseUpper
	caseLower
	caseCount
)

// Chunk-size forms.
const (
	sizeLower = iota
	sizeUpper
	sizeZeros
	sizeSP
	sizeTab
	sizeZeros17 // seventeen hex digits
	sizeCount
)

// Chunk-data ends.
const (
	endCRLF = iota
	endLF
	endNone
	endCount
)

// Alphabets and choice lists.
const (
	tcharAlphabet = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	hostAlphabet  = "abcdefghijklmnopqrstuvwxyz0123456789-."
	portAlphabet  = "0123456789"
	pathAlphabet  = "/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@%?"
	rawAlphabet   = pathAlphabet + "\"<>\\^`{|}#[]\x7f\x80\xff\t"
	valueAlphabet = " \t!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x80\xff"
)

func genMethods() []string {
	return []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "TRACE",
		"PROPFIND", "M-SEARCH", "PURGE", "QUERY", "get"}
}

func genVersions() []string {
	return []string{"1.1", "1.0", "1.2", "2.0", "0.9", "1.10", "1", "3"}
}

func genNames() []string {
	return []string{"Accept", "User-Agent", "Content-Type", "Cookie", "X-Forwarded-For", "Connection",
		"Upgrade", "Expect", "Via", "Pragma", "Cache-Control", "Transfer-Encoding", "Content-Length", "Host"}
}

func genTE() []string {
	return []string{"chunked", "Chunked", "gzip, chunked", "chunked, gzip", "identity", "chunked;q=1",
		"chunked, chunked", "gzip", " chunked", "chunked ,", "x, chunked"}
}

func genExt() []string {
	return []string{"", ";a", ";a=b", ";a=\"q\\\"s\"", " ; a = b", ";=x", ";a=b;c"}
}

func genBadBytes() []string { return []string{"\x00", "\x01", "\x7f", "\r", "\x0b", "\n"} }

// Limits on what one input builds.
const (
	maxFields   = 12
	maxTrailers = 4
	maxChunks   = 6
	maxStr      = 40
	maxBody     = 255
)

// chooser walks a GenRequest: a decoder fills it from fuzz input, an
// encoder writes the input that decodes to it. One walk function serves
// both, so that the two cannot drift apart.
type chooser interface {
	choice(v *int, n int)                    // 0 <= *v < n
	str(v *string, alphabet string, max int) // at most max bytes of alphabet
	raw(v *[]byte, max int)                  // at most max bytes
}

// decoder reads choices with go-fuzz-headers. Once the input runs out,
// every choice is zero and every string empty.
type decoder struct{ c *fuzzheaders.ConsumeFuzzer }

func (d decoder) choice(v *int, n int) {
	x, err := d.c.GetInt()
	if err != nil {
		*v = 0
		return
	}
	*v = x % n
}

func (d decoder) str(v *string, alphabet string, max int) {
	var n int
	d.choice(&n, max+1)
	s, err := d.c.GetStringFrom(alphabet, n)
	if err != nil {
		s = ""
	}
	*v = s
}

func (d decoder) raw(v *[]byte, max int) {
	var n int
	d.choice(&n, max+1)
	b, err := d.c.GetNBytes(n)
	if err != nil || n == 0 {
		b = nil
	}
	*v = b
}

// encoder writes the bytes that a decoder reads back as the walked values.
type encoder struct{ out []byte }

func (e *encoder) choice(v *int, n int) { e.out = append(e.out, byte(*v%n)) }

func (e *encoder) str(v *string, alphabet string, max int) {
	s := *v
	if len(s) > max {
		s = s[:max]
	}
	e.out = append(e.out, byte(len(s)))
	for i := 0; i < len(s); i++ {
		e.out = append(e.out, byte(max0(strings.IndexByte(alphabet, s[i]))))
	}
}

func (e *encoder) raw(v *[]byte, max int) {
	b := *v
	if len(b) > max {
		b = b[:max]
	}
	e.out = append(e.out, byte(len(b)))
	e.out = append(e.out, b...)
}

func max0(i int) int { return max(i, 0) }

// count walks the length of a list of at most max elements.
func count(c chooser, n int, max int) int {
	c.choice(&n, max+1)
	return n
}

func (r *GenRequest) walk(c chooser) {
	c.choice(&r.LineFlags, 256)
	c.choice(&r.Method, len(genMethods())+1)
	if r.Method == len(genMethods()) {
		c.str(&r.Custom, tcharAlphabet, 12)
	}
	c.choice(&r.Form, formCount)
	switch r.Form {
	case formOrigin, formAbsolute:
		c.str(&r.Path, pathAlphabet, maxStr)
	case formRaw:
		c.str(&r.Path, rawAlphabet, maxStr)
	}
	if r.Form == formAbsolute || r.Form == formAuthority {
		c.str(&r.Host, hostAlphabet, 20)
		c.str(&r.Port, portAlphabet, 6)
	}
	c.choice(&r.Version, len(genVersions()))
	c.choice(&r.HostField, hostCount)
	n := count(c, len(r.Fields), maxFields)
	r.Fields = resize(r.Fields, n)
	for i := range r.Fields {
		r.Fields[i].walk(c)
	}
	c.choice(&r.Framing, frameCount)
	c.choice(&r.CLForm, clCount)
	c.choice(&r.TEForm, len(genTE()))
	c.choice(&r.FramePos, maxFields+1)
	c.raw(&r.Body, maxBody)
	if r.chunked() {
		n := count(c, len(r.Chunks), maxChunks)
		r.Chunks = resize(r.Chunks, n)
		for i := range r.Chunks {
			ch := &r.Chunks[i]
			c.choice(&ch.Len, 256)
			c.choice(&ch.Size, sizeCount)
			c.choice(&ch.Ext, len(genExt()))
			c.choice(&ch.End, endCount)
		}
		c.choice(&r.LastExt, len(genExt()))
		n = count(c, len(r.Trailers), maxTrailers)
		r.Trailers = resize(r.Trailers, n)
		for i := range r.Trailers {
			r.Trailers[i].walk(c)
		}
		c.choice(&r.Declare, 2)
	}
}

func (f *GenField) walk(c chooser) {
	c.choice(&f.Name, len(genNames())+1)
	if f.Name == len(genNames()) {
		c.str(&f.Custom, tcharAlphabet, 16)
	}
	c.choice(&f.Case, caseCount)
	c.str(&f.Value, valueAlphabet, maxStr)
	c.choice(&f.Flags, 256)
	if f.Flags&fieldBadByte != 0 {
		c.choice(&f.Bad, len(genBadBytes()))
	}
}

func resize[T any](s []T, n int) []T {
	if len(s) >= n {
		return s[:n]
	}
	return append(s, make([]T, n-len(s))...)
}

// DecodeRequest builds the request that the fuzz input data describes.
func DecodeRequest(data []byte) *GenRequest {
	r := &GenRequest{}
	r.walk(decoder{fuzzheaders.NewConsumer(data)})
	return r
}

// Encode returns the fuzz input that DecodeRequest builds r from.
func (r *GenRequest) Encode() []byte {
	e := &encoder{}
	c := *r
	c.Fields = append([]GenField(nil), r.Fields...)
	c.Chunks = append([]GenChunk(nil), r.Chunks...)
	c.Trailers = append([]GenField(nil), r.Trailers...)
	c.walk(e)
	return e.out
}

func (r *GenRequest) chunked() bool {
	return r.Framing == frameChunked || r.Framing == frameBoth ||
		(r.Framing == frameTE || r.Framing == frameTELine) && r.teChunked()
}

// teChunked reports whether the Transfer-Encoding written ends in a bare
// "chunked", so that the body is sent chunked.
func (r *GenRequest) teChunked() bool {
	if r.Framing == frameTELine {
		return true
	}
	te := strings.ToLower(strings.TrimSpace(genTE()[r.TEForm]))
	return strings.HasSuffix(te, "chunked")
}

// Serialize writes the request.
func (r *GenRequest) Serialize() []byte {
	var b strings.Builder
	if r.LineFlags&lineLeadCRLF != 0 {
		b.WriteString("\r\n")
	}
	method := r.Custom
	if r.Method < len(genMethods()) {
		method = genMethods()[r.Method]
	}
	b.WriteString(method)
	switch {
	case r.LineFlags&lineTab != 0:
		b.WriteString("\t")
	case r.LineFlags&lineDoubleSP1 != 0:
		b.WriteString("  ")
	default:
		b.WriteString(" ")
	}
	b.WriteString(r.target())
	if r.LineFlags&lineDoubleSP2 != 0 {
		b.WriteString(" ")
	}
	if r.LineFlags&lineLowerHTTP != 0 {
		b.WriteString(" http/")
	} else {
		b.WriteString(" HTTP/")
	}
	b.WriteString(genVersions()[r.Version])
	if r.LineFlags&lineTrailSP != 0 {
		b.WriteString(" ")
	}
	switch {
	case r.LineFlags&lineBareLF != 0:
		b.WriteString("\n")
	case r.LineFlags&lineBareCR != 0:
		b.WriteString("\r")
	default:
		b.WriteString("\r\n")
	}
	host := r.Host
	if host == "" {
		host = "example.com"
	}
	switch r.HostField {
	case hostOne:
		b.WriteString("Host: " + host + "\r\n")
	case hostTwo:
		b.WriteString("Host: " + host + "\r\nHost: other.example\r\n")
	case hostEmpty:
		b.WriteString("Host:\r\n")
	}
	pos := min(r.FramePos, len(r.Fields))
	for i, f := range r.Fields {
		if i == pos {
			r.writeFraming(&b)
		}
		f.write(&b)
	}
	if pos == len(r.Fields) {
		r.writeFraming(&b)
	}
	if r.chunked() && r.Declare == 1 && len(r.Trailers) > 0 {
		names := make([]string, len(r.Trailers))
		for i, f := range r.Trailers {
			names[i] = f.name()
		}
		b.WriteString("Trailer: " + strings.Join(names, ", ") + "\r\n")
	}
	b.WriteString("\r\n")
	if r.chunked() {
		r.writeChunks(&b)
	} else if r.Framing != frameNone {
		b.Write(r.Body)
	}
	return []byte(b.String())
}

func (r *GenRequest) target() string {
	authority := r.Host
	if authority == "" {
		authority = "example.com"
	}
	if r.Port != "" {
		authority += ":" + r.Port
	}
	switch r.Form {
	case formAbsolute:
		return "http://" + authority + "/" + r.Path
	case formAuthority:
		return authority
	case formAsterisk:
		return "*"
	}
	return "/" + r.Path
}

func (r *GenRequest) writeFraming(b *strings.Builder) {
	n := len(r.Body)
	cl := strconv.Itoa(n)
	switch r.CLForm {
	case clZeros:
		cl = "00" + cl
	case clPlus:
		cl = "+" + cl
	case clTrailingSP:
		cl += " "
	case clList:
		cl += ", " + cl
	case clMore:
		cl = strconv.Itoa(n + 1)
	case clLess:
		cl = strconv.Itoa(max(n-1, 0))
	case clHuge:
		cl = "18446744073709551616"
	}
	writeCL := func() {
		b.WriteString("Content-Length: " + cl + "\r\n")
		switch r.CLForm {
		case clDupSame:
			b.WriteString("Content-Length: " + cl + "\r\n")
		case clDupOther:
			b.WriteString("Content-Length: " + strconv.Itoa(n+2) + "\r\n")
		}
	}
	switch r.Framing {
	case frameLength:
		writeCL()
	case frameChunked:
		b.WriteString("Transfer-Encoding: chunked\r\n")
	case frameBoth:
		writeCL()
		b.WriteString("Transfer-Encoding: chunked\r\n")
	case frameTE:
		b.WriteString("Transfer-Encoding: " + genTE()[r.TEForm] + "\r\n")
	case frameTELine:
		b.WriteString("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")
	}
}

func (r *GenRequest) writeChunks(b *strings.Builder) {
	body := r.Body
	for i, ch := range r.Chunks {
		if len(body) == 0 {
			break
		}
		n := ch.Len % (len(body) + 1)
		if i == len(r.Chunks)-1 || n == 0 {
			n = len(body)
		}
		b.WriteString(chunkSize(n, ch.Size))
		b.WriteString(genExt()[ch.Ext])
		b.WriteString("\r\n")
		b.Write(body[:n])
		body = body[n:]
		switch ch.End {
		case endCRLF:
			b.WriteString("\r\n")
		case endLF:
			b.WriteString("\n")
		}
	}
	if len(body) > 0 {
		// No chunk list (or a list that did not reach the end): one
		// chunk for the rest.
		b.WriteString(strconv.FormatInt(int64(len(body)), 16) + "\r\n")
		b.Write(body)
		b.WriteString("\r\n")
	}
	b.WriteString("0" + genExt()[r.LastExt] + "\r\n")
	for _, f := range r.Trailers {
		f.write(b)
	}
	b.WriteString("\r\n")
}

func chunkSize(n, form int) string {
	s := strconv.FormatInt(int64(n), 16)
	switch form {
	case sizeUpper:
		return strings.ToUpper(s)
	case sizeZeros:
		return "000" + s
	case sizeSP:
		return s + " "
	case sizeTab:
		return s + "\t"
	case sizeZeros17:
		return strings.Repeat("0", max(17-len(s), 0)) + s
	}
	return s
}

func (f GenField) name() string {
	n := f.Custom
	if f.Name < len(genNames()) {
		n = genNames()[f.Name]
	}
	switch f.Case {
	case caseUpper:
		n = strings.ToUpper(n)
	case caseLower:
		n = strings.ToLower(n)
	}
	return n
}

func (f GenField) write(b *strings.Builder) {
	line := f.name()
	if f.Flags&fieldSPColon != 0 {
		line += " "
	}
	line += ":"
	switch {
	case f.Flags&fieldTab != 0:
		line += "\t"
	case f.Flags&fieldNoSP == 0:
		line += " "
	}
	v := f.Value
	if f.Flags&fieldBadByte != 0 {
		bad := genBadBytes()[f.Bad]
		v = v[:len(v)/2] + bad + v[len(v)/2:]
	}
	if f.Flags&fieldFold != 0 && len(v) > 1 {
		v = v[:len(v)/2] + "\r\n " + v[len(v)/2:]
	}
	line += v
	if f.Flags&fieldTrailWS != 0 {
		line += " \t"
	}
	if f.Flags&fieldBareLF != 0 {
		line += "\n"
	} else {
		line += "\r\n"
	}
	b.WriteString(line)
	if f.Flags&fieldDup != 0 {
		b.WriteString(line)
	}
}

// FromMessage returns a GenRequest that serialises to (nearly) the request
// m, or false when the generator's forms cannot express m's method,
// target or version. Fields whose name or value fall outside the
// generator's alphabets are left out, Host fields become the generator's
// Host line, Content-Length and Transfer-Encoding its framing: the result
// is a seed close to m, not a copy of it.
func FromMessage(m Message) (*GenRequest, bool) {
	r := &GenRequest{Method: -1}
	for i, name := range genMethods() {
		if name == m.Method {
			r.Method = i
		}
	}
	if r.Method < 0 {
		if !within(m.Method, tcharAlphabet, 12) || m.Method == "" {
			return nil, false
		}
		r.Method, r.Custom = len(genMethods()), m.Method
	}
	if !r.setTarget(m.Target) {
		return nil, false
	}
	r.Version = -1
	for i, v := range genVersions() {
		if v == strconv.Itoa(m.Major)+"."+strconv.Itoa(m.Minor) {
			r.Version = i
		}
	}
	if r.Version < 0 {
		return nil, false
	}
	r.HostField = hostNone
	for _, f := range m.Fields {
		switch strings.ToLower(f.Name) {
		case "host":
			r.HostField = hostOne
		case "content-length", "transfer-encoding":
		default:
			if g, ok := genField(f); ok && len(r.Fields) < maxFields {
				r.Fields = append(r.Fields, g)
			}
		}
	}
	r.FramePos = len(r.Fields)
	r.Body = []byte(m.Body)
	if len(r.Body) > maxBody {
		return nil, false
	}
	switch {
	case m.Chunked:
		r.Framing = frameChunked
		for _, f := range m.Trailers {
			if g, ok := genField(f); ok && len(r.Trailers) < maxTrailers {
				r.Trailers = append(r.Trailers, g)
			}
		}
	case m.Flags&parser.FlagContentLength != 0:
		r.Framing = frameLength
	}
	return r, true
}

func (r *GenRequest) setTarget(t string) bool {
	switch {
	case t == "*":
		r.Form = formAsterisk
	case strings.HasPrefix(t, "/") && within(t[1:], pathAlphabet, maxStr):
		r.Form, r.Path = formOrigin, t[1:]
	case strings.HasPrefix(t, "/") && within(t[1:], rawAlphabet, maxStr):
		r.Form, r.Path = formRaw, t[1:]
	case strings.HasPrefix(t, "http://"):
		authority, path, ok := strings.Cut(t[len("http://"):], "/")
		if !ok || !within(path, pathAlphabet, maxStr) || !r.setAuthority(authority) {
			return false
		}
		r.Form, r.Path = formAbsolute, path
	default:
		if !r.setAuthority(t) {
			return false
		}
		r.Form = formAuthority
	}
	return true
}

func (r *GenRequest) setAuthority(a string) bool {
	host, port, _ := strings.Cut(a, ":")
	if host == "" || !within(host, hostAlphabet, 20) || !within(port, portAlphabet, 6) {
		return false
	}
	r.Host, r.Port = host, port
	return true
}

func genField(f Field) (GenField, bool) {
	g := GenField{Name: -1, Value: f.Value}
	for i, n := range genNames() {
		switch f.Name {
		case n:
			g.Name, g.Case = i, caseAsIs
		case strings.ToUpper(n):
			g.Name, g.Case = i, caseUpper
		case strings.ToLower(n):
			g.Name, g.Case = i, caseLower
		}
	}
	if g.Name < 0 {
		if !within(f.Name, tcharAlphabet, 16) || f.Name == "" {
			return g, false
		}
		g.Name, g.Custom = len(genNames()), f.Name
	}
	return g, within(f.Value, valueAlphabet, maxStr)
}

// within reports whether s has at most max bytes, all from alphabet.
func within(s, alphabet string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
