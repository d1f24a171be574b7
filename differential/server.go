package differential

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/impl/server"
)

// ServerOracle names the server-level comparison in results: conform's
// server (impl/server) against a net/http server.
const ServerOracle = "nethttp-server"

// Echo headers: every answer of the servers' echo handler carries how the
// server read the request in echoHeader (base64 of echoMessage as JSON),
// and an answer to CONNECT or Upgrade, sent by the protocol-switch hooks,
// carries switchHeader. conform's server puts its parse error into
// errorHeader of the error responses it sends.
const (
	echoHeader   = "Conform-Echo"
	switchHeader = "Conform-Switch"
	errorHeader  = "Conform-Error"
)

// ioTimeout bounds one exchange with a server: a server that neither
// answers nor closes within it is a harness error, not a verdict.
const ioTimeout = 10 * time.Second

// Servers are conform's reference server and a net/http server, each on
// its own loopback port, both answering every request, whatever its
// target, with an echo of how they read it (in a response header, so that
// the answer to HEAD carries it too). CONNECT and Upgrade requests are
// answered by an echo and the end of the connection.
type Servers struct {
	oursLn, theirsLn net.Listener
	ours             *server.Server
	theirs           *http.Server
	done             chan error // one value per Serve goroutine
}

// StartServers starts both servers. Close stops them.
func StartServers() (*Servers, error) {
	s := &Servers{done: make(chan error, 2)}
	var err error
	if s.oursLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	if s.theirsLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.oursLn.Close()
		return nil, err
	}
	switchHook := func(kind string) func(r *server.Request, conn net.Conn, head []byte) {
		return func(r *server.Request, conn net.Conn, head []byte) {
			defer conn.Close()
			m := oursEcho(r, nil)
			m.Upgrade = true
			writeSwitchAnswer(conn, kind, m)
		}
	}
	s.ours = &server.Server{
		Handler: server.HandlerFunc(func(w server.ResponseWriter, r *server.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(400)
				return
			}
			w.Header().Set(echoHeader, encodeEcho(oursEcho(r, body)))
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(200)
		}),
		OnConnect: switchHook("connect"),
		OnUpgrade: switchHook("upgrade"),
		OnClientError: func(e *server.ClientError) []byte {
			return withHeader(e.Response(), errorHeader, clientErrorText(e.Err))
		},
	}
	s.theirs = &http.Server{
		Handler:           http.HandlerFunc(theirsHandler),
		ReadHeaderTimeout: ioTimeout,
		// OPTIONS * goes to the echo handler too.
		DisableGeneralOptionsHandler: true,
	}
	go func() { s.done <- s.ours.Serve(s.oursLn) }()
	go func() { s.done <- s.theirs.Serve(s.theirsLn) }()
	return s, nil
}

// Close stops both servers and waits for them.
func (s *Servers) Close() error {
	err := errors.Join(s.ours.Close(), s.theirs.Close())
	for range 2 {
		e := <-s.done
		if e != nil && !errors.Is(e, server.ErrServerClosed) && !errors.Is(e, http.ErrServerClosed) {
			err = errors.Join(err, e)
		}
	}
	return err
}

// Exchange sends data to both servers, each on a new connection, then
// half-closes the connections and reads each server's answers until it
// closes. It returns the two outcomes: the requests each server's
// handler saw, as Messages, and how the exchange ended (an error
// response is EndRejected, its status line the Reason).
func (s *Servers) Exchange(ctx context.Context, data []byte) (ours, theirs Outcome, err error) {
	type res struct {
		o   Outcome
		err error
	}
	ch := make(chan res, 1)
	go func() {
		o, err := exchange(ctx, s.theirsLn.Addr().String(), data)
		o.Oracle = ServerOracle
		ch <- res{o, err}
	}()
	ours, err = exchange(ctx, s.oursLn.Addr().String(), data)
	ours.Oracle = "ours-server"
	r := <-ch
	if err != nil {
		return Outcome{}, Outcome{}, fmt.Errorf("conform's server: %w", err)
	}
	if r.err != nil {
		return Outcome{}, Outcome{}, fmt.Errorf("net/http's server: %w", r.err)
	}
	return ours, r.o, nil
}

// exchange is one connection: send, half-close, read to EOF, parse the
// answers with our parser.
func exchange(ctx context.Context, addr string, data []byte) (Outcome, error) {
	d := net.Dialer{Timeout: ioTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Outcome{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(ioTimeout))
	}
	// The server may answer and close before it has read everything; a
	// failed write is then part of the outcome, not a harness error.
	writeErr := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		if err == nil {
			err = conn.(*net.TCPConn).CloseWrite()
		}
		writeErr <- err
	}()
	answer, readErr := io.ReadAll(conn)
	<-writeErr
	if readErr != nil && !isReset(readErr) {
		return Outcome{}, fmt.Errorf("reading the answers: %w (read %d bytes)", readErr, len(answer))
	}
	return readAnswers(answer)
}

// isReset reports whether err is a connection reset, which a server that
// closes with unread input causes; what was read before it counts.
func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

// readAnswers turns a server's answers into an Outcome: every echo is the
// message the handler saw; the first answer without one (an error
// response) ends it as a rejection.
func readAnswers(answer []byte) (Outcome, error) {
	out := Outcome{End: End{Kind: EndClean}, Consumed: -1}
	var (
		heads   []parser.HeadersDecision
		current answerHead
		answers []answerHead
		name    strings.Builder
		value   strings.Builder
	)
	cb := &parser.Callbacks{
		OnMessageBegin: func(*parser.Parser) error { current = answerHead{}; return nil },
		OnStatus: func(_ *parser.Parser, b []byte) error {
			current.reason += string(b)
			return nil
		},
		OnHeaderField: func(_ *parser.Parser, b []byte) error { name.Write(b); return nil },
		OnHeaderValue: func(_ *parser.Parser, b []byte) error { value.Write(b); return nil },
		OnHeaderValueComplete: func(*parser.Parser) error {
			current.fields = append(current.fields, Field{Name: name.String(), Value: trimOWS(value.String())})
			name.Reset()
			value.Reset()
			return nil
		},
		OnHeadersComplete: func(p *parser.Parser) (parser.HeadersDecision, error) {
			current.status = p.StatusCode()
			d := parser.Proceed
			if current.get(switchHeader) != "" {
				// The hooks answer and close: no body to read.
				d = parser.SkipBodyUpgrade
			} else if current.get(echoHeader) != "" {
				// Echoes carry no body; the answer to HEAD has a
				// Content-Length of one that is not sent.
				d = parser.SkipBody
			}
			heads = append(heads, d)
			if p.StatusCode()/100 == 1 && p.StatusCode() != 101 {
				return d, nil
			}
			answers = append(answers, current)
			return d, nil
		},
	}
	p := parser.New(parser.Config{Type: parser.Response, MaxHeaderSize: -1}, cb)
	_, perr := p.Execute(answer)
	if perr == nil {
		perr = p.Finish()
	}
	var pe *parser.Error
	if perr != nil && !(errors.As(perr, &pe) && pe.Code == parser.ErrPausedUpgrade) {
		return Outcome{}, fmt.Errorf("the answers do not parse as HTTP responses: %w (answers: %q)", perr, answer)
	}
	for _, a := range answers {
		enc := a.get(echoHeader)
		if enc == "" {
			out.End = End{Kind: EndRejected, Code: a.get(errorHeader), Reason: strconv.Itoa(a.status) + " " + trimOWS(a.reason)}
			if out.End.Code == "" {
				out.End.Code = strconv.Itoa(a.status)
			}
			return out, nil
		}
		m, err := decodeEcho(enc)
		if err != nil {
			return Outcome{}, err
		}
		out.Messages = append(out.Messages, m)
		if a.get(switchHeader) != "" {
			out.End = End{Kind: EndUpgrade}
			return out, nil
		}
	}
	return out, nil
}

// answerHead is the head of one answer.
type answerHead struct {
	status int
	reason string
	fields []Field
}

func (a answerHead) get(name string) string {
	for _, f := range a.fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// echoMessage is Message on the wire: bytes as base64, so that no byte is
// lost to JSON's UTF-8.
type echoMessage struct {
	Method, Target, Version, Host []byte
	Header, Trailer               [][2][]byte
	Framing                       FramingKind
	Length                        int64
	Body                          []byte
	Upgrade                       bool
}

func encodeEcho(m Message) string {
	e := echoMessage{Method: []byte(m.Method), Target: []byte(m.Target), Version: []byte(m.Version),
		Host: []byte(m.Host), Framing: m.Framing.Kind, Length: m.Framing.Length, Body: []byte(m.Body), Upgrade: m.Upgrade}
	for _, f := range m.Header {
		e.Header = append(e.Header, [2][]byte{[]byte(f.Name), []byte(f.Value)})
	}
	for _, f := range m.Trailer {
		e.Trailer = append(e.Trailer, [2][]byte{[]byte(f.Name), []byte(f.Value)})
	}
	b, err := json.Marshal(e)
	if err != nil {
		// A struct of byte slices, strings and numbers always marshals.
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeEcho(s string) (Message, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return Message{}, fmt.Errorf("echo header: %w", err)
	}
	var e echoMessage
	if err := json.Unmarshal(raw, &e); err != nil {
		return Message{}, fmt.Errorf("echo header: %w", err)
	}
	m := Message{Method: string(e.Method), Target: string(e.Target), Version: string(e.Version), Host: string(e.Host),
		Framing: Framing{Kind: e.Framing, Length: e.Length}, Body: string(e.Body), Upgrade: e.Upgrade}
	for _, f := range e.Header {
		m.Header = append(m.Header, Field{Name: string(f[0]), Value: string(f[1])})
	}
	for _, f := range e.Trailer {
		m.Trailer = append(m.Trailer, Field{Name: string(f[0]), Value: string(f[1])})
	}
	return m, nil
}

// oursEcho describes a request as conform's server read it.
func oursEcho(r *server.Request, body []byte) Message {
	m := Message{Method: r.Method, Target: r.Target, Version: strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor), Body: string(body)}
	var hosts []string
	for _, f := range r.Header {
		switch {
		case strings.EqualFold(f.Name, "Host"):
			hosts = append(hosts, f.Value)
		case isFramingField(f.Name):
		default:
			m.Header = append(m.Header, Field{f.Name, f.Value})
		}
	}
	for _, f := range r.Trailer {
		m.Trailer = append(m.Trailer, Field{f.Name, f.Value})
	}
	m.Host = authority(m.Method, m.Target)
	if m.Host == "" {
		m.Host = strings.Join(hosts, ", ")
	}
	switch r.Framing {
	case server.FramingContentLength:
		m.Framing = Framing{Kind: FramingLength, Length: r.ContentLength}
	case server.FramingChunked:
		m.Framing = Framing{Kind: FramingChunked}
	case server.FramingNone:
		m.Framing = Framing{Kind: FramingNone}
	default:
		m.Framing = Framing{Kind: FramingEOF}
	}
	return m
}

// theirsHandler is the net/http server's echo handler. A request that
// switches protocols (CONNECT, or an HTTP/1.1 request with Upgrade) has its
// body read, as the NetHTTP oracle models a server with an upgrade-aware
// handler, and is answered as conform's server's hooks answer: an echo,
// then the end of the connection.
func theirsHandler(w http.ResponseWriter, r *http.Request) {
	m := Message{Method: r.Method, Target: r.RequestURI, Version: strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor),
		Host: r.Host, Header: netFields(r.Header, true)}
	switch {
	case slices.Contains(r.TransferEncoding, "chunked"):
		m.Framing = Framing{Kind: FramingChunked}
	case r.ContentLength >= 0 && r.Header["Content-Length"] != nil:
		m.Framing = Framing{Kind: FramingLength, Length: r.ContentLength}
	default:
		m.Framing = Framing{Kind: FramingNone}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading the body: "+err.Error(), 400)
		return
	}
	m.Body = string(body)
	m.Trailer = netFields(r.Trailer, false)
	if r.Method == "CONNECT" || r.ProtoAtLeast(1, 1) && wantsUpgrade(r.Header) {
		// As the NetHTTP oracle models it: the body net/http frames is
		// read, then the connection is taken over.
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer conn.Close()
		m.Upgrade = true
		kind := "upgrade"
		if r.Method == "CONNECT" {
			kind = "connect"
		}
		writeSwitchAnswer(conn, kind, m)
		return
	}
	w.Header().Set(echoHeader, encodeEcho(m))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(200)
}

// writeSwitchAnswer writes the answer of a protocol-switch hook.
func writeSwitchAnswer(conn net.Conn, kind string, m Message) {
	fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\n%s: %s\r\n%s: %s\r\nConnection: close\r\n\r\n", switchHeader, kind, echoHeader, encodeEcho(m))
}

// withHeader inserts a field after the status line of a response.
func withHeader(resp []byte, name, value string) []byte {
	i := bytes.Index(resp, []byte("\r\n"))
	if i < 0 {
		return resp
	}
	var b bytes.Buffer
	b.Write(resp[:i+2])
	fmt.Fprintf(&b, "%s: %s\r\n", name, value)
	b.Write(resp[i+2:])
	return b.Bytes()
}

// clientErrorText names a server's client error for the echo: the llhttp
// code of a parse error, else the error's text, on one line.
func clientErrorText(err error) string {
	var pe *parser.Error
	switch {
	case errors.As(err, &pe) && pe.Err != nil:
		// A check of the server's own, made in a parser callback.
		return parser.Escape([]byte(pe.Err.Error()))
	case pe != nil:
		return pe.Code.String() + ": " + parser.Escape([]byte(pe.Reason))
	}
	return parser.Escape([]byte(err.Error()))
}

// The oracle names of the server-level results.
const (
	// OursServerOracle compares our parser's reading with what conform's
	// server (impl/server) did with the same stream.
	OursServerOracle = "ours-server"
	// NetHTTPServerOracle compares net/http's ReadRequest reading with
	// what a net/http server did with the same stream.
	NetHTTPServerOracle = "nethttp-server"
	// ServersOracle compares conform's server with the net/http server.
	ServersOracle = "servers"
)

// The server level skips an input with its own head size limit
// (Input.MaxHeaderSize): the servers run with their defaults, and Check
// returns no result for it.
//
// ExplainedByParsers is the Known value of a server-level disagreement
// that the parsers explain: each server did what its parser read, and the
// parsers' disagreement is on the known list.
const ExplainedByParsers = "(parser level)"

// Check sends in, a request stream that ends after its bytes, to both
// servers, and returns three results: our parser's reading against what
// conform's server did (OursServerOracle), net/http's ReadRequest reading
// against what the net/http server did (NetHTTPServerOracle), and the two
// servers against each other (ServersOracle). In the first two, Ours is
// the parser's outcome and Theirs the server's; a server that does not do
// what its parser read is a finding unless known.txt has an entry for that
// oracle. A disagreement between the servers is explained (Known is
// ExplainedByParsers) when both servers did what their parsers read and
// the parsers' disagreement on the same bytes is known.
func (s *Servers) Check(ctx context.Context, in Input, known *KnownList) ([]Result, error) {
	in = in.Resolve()
	if in.Type != parser.Request {
		return nil, fmt.Errorf("%s: the server level takes request streams, not %s", in.Name, in.Type)
	}
	if in.MaxHeaderSize != 0 {
		return nil, nil
	}
	in.EOF = true
	start := time.Now()
	oursSrv, theirsSrv, err := s.Exchange(ctx, in.Data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	took := time.Since(start)
	oursP, err := Ours{}.Parse(ctx, in)
	if err != nil {
		return nil, err
	}
	theirsP, err := NetHTTP{}.Parse(ctx, in)
	if err != nil {
		return nil, err
	}
	parsers := Result{Input: in, Oracle: NetHTTP{}.Name(), Ours: oursP, Theirs: theirsP, Comparison: Compare(oursP, theirsP)}
	known.Apply(&parsers)

	results := []Result{
		consistency(in, OursServerOracle, oursP, oursSrv, took),
		consistency(in, NetHTTPServerOracle, theirsP, theirsSrv, took),
		{Input: in, Oracle: ServersOracle, Ours: oursSrv, Theirs: theirsSrv, Comparison: Compare(oursSrv, theirsSrv), Duration: took},
	}
	for i := range results {
		known.Apply(&results[i])
	}
	if len(results[0].Unknown()) == 0 && len(results[1].Unknown()) == 0 && len(parsers.Unknown()) == 0 {
		r := &results[2]
		if r.Class.Disagrees() && r.RejectionKnown == "" {
			r.RejectionKnown = ExplainedByParsers
		}
		for i := range r.Differences {
			if r.Differences[i].Known == "" {
				r.Differences[i].Known = ExplainedByParsers
			}
		}
	}
	return results, nil
}

// consistency compares a parser's reading with what a server did. The
// server's side carries no keep-alive decision and no byte counts, so
// neither is compared.
func consistency(in Input, oracle string, parsed, served Outcome, took time.Duration) Result {
	p := parsed
	p.Messages = slices.Clone(p.Messages)
	for i := range p.Messages {
		p.Messages[i].KeepAlive = false
	}
	p.Consumed = -1
	return Result{Input: in, Oracle: oracle, Ours: parsed, Theirs: served, Comparison: Compare(p, served), Duration: took}
}
