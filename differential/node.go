package differential

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"

	"github.com/conformhttp/conform/impl/parser"
)

// nodeScript is node/llhttp-oracle.js, the Node.js side of the Node oracle.
//
//go:embed node/llhttp-oracle.js
var nodeScript string

// ErrNoNode is returned by StartNode when no node executable is on PATH.
var ErrNoNode = errors.New("node is not on PATH; the Node.js (llhttp) oracle is skipped")

// Node is the oracle for llhttp as Node.js runs it: one node process,
// started by StartNode, reads every input with the HTTPParser binding that
// Node's http.Server uses (see node/llhttp-oracle.js). Inputs go to it as
// JSON lines on its standard input, one at a time. A Node is safe for
// concurrent use; calls are serialised.
type Node struct {
	// Lenient is passed to llhttp as Node's lenient flags; conform's
	// bits above LenientSpacesAfterChunkSize have no llhttp counterpart
	// and are dropped.
	Lenient parser.Lenient

	mu     sync.Mutex // guards the fields below and the pipe protocol
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *strings.Builder
	nextID int
	err    error // sticky: the process failed
}

// StartNode starts the node process; Close ends it. It returns ErrNoNode
// when node is not on PATH.
func StartNode() (*Node, error) {
	path, err := exec.LookPath("node")
	if err != nil {
		return nil, ErrNoNode
	}
	cmd := exec.Command(path, "-e", nodeScript)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	n := &Node{cmd: cmd, stdin: stdin, stdout: bufio.NewReaderSize(stdout, 1<<16), stderr: new(strings.Builder)}
	cmd.Stderr = n.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting node: %w", err)
	}
	return n, nil
}

// Name returns "node".
func (*Node) Name() string { return "node" }

// Close ends the node process and waits for it.
func (n *Node) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return nil
	}
	n.stdin.Close()
	err := n.cmd.Wait()
	n.cmd = nil
	if n.err == nil {
		n.err = errors.New("the node oracle is closed")
	}
	if err != nil {
		return fmt.Errorf("node oracle: %w (stderr: %s)", err, strings.TrimSpace(n.stderr.String()))
	}
	return nil
}

// nodeRequest and nodeAnswer are the two sides of the line protocol.
type nodeRequest struct {
	ID            int      `json:"id"`
	Type          string   `json:"type"`
	Data          []byte   `json:"data"`
	EOF           bool     `json:"eof"`
	Methods       []string `json:"methods,omitempty"`
	MaxHeaderSize int      `json:"maxHeaderSize"`
	Lenient       uint32   `json:"lenient"`
}

type nodeAnswer struct {
	ID       int           `json:"id"`
	Fatal    string        `json:"fatal"`
	Messages []nodeMessage `json:"messages"`
	End      struct {
		Kind   string `json:"kind"`
		Code   string `json:"code"`
		Reason string `json:"reason"`
	} `json:"end"`
	Consumed int64 `json:"consumed"`
}

type nodeMessage struct {
	Method    int         `json:"method"`
	URL       string      `json:"url"`
	Status    int         `json:"status"`
	Reason    string      `json:"reason"`
	Version   string      `json:"version"`
	Headers   []nodeField `json:"headers"`
	Trailers  []nodeField `json:"trailers"`
	Body      string      `json:"body"`
	KeepAlive bool        `json:"keepAlive"`
	Upgrade   bool        `json:"upgrade"`
}

type nodeField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// nodeLenientMask is the lenient bits llhttp (and Node) know.
const nodeLenientMask = parser.LenientSpacesAfterChunkSize<<1 - 1

// Parse sends in to the node process and normalises its answer.
func (n *Node) Parse(ctx context.Context, in Input) (Outcome, error) {
	in = in.Resolve()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return Outcome{}, n.err
	}
	if err := ctx.Err(); err != nil {
		return Outcome{}, err
	}
	n.nextID++
	req := nodeRequest{ID: n.nextID, Type: in.Type.String(), Data: in.Data, EOF: in.EOF,
		Methods: in.Methods, MaxHeaderSize: in.MaxHeaderSize, Lenient: uint32(n.Lenient & nodeLenientMask)}
	line, err := json.Marshal(req)
	if err != nil {
		return Outcome{}, err
	}
	if _, err := n.stdin.Write(append(line, '\n')); err != nil {
		return Outcome{}, n.fail(fmt.Errorf("writing to node: %w", err))
	}
	reply, err := n.stdout.ReadBytes('\n')
	if err != nil {
		return Outcome{}, n.fail(fmt.Errorf("reading from node: %w", err))
	}
	var a nodeAnswer
	if err := json.Unmarshal(reply, &a); err != nil {
		return Outcome{}, n.fail(fmt.Errorf("node answered %q: %w", reply, err))
	}
	switch {
	case a.Fatal != "":
		return Outcome{}, fmt.Errorf("node oracle failed on %s: %s", in.Name, a.Fatal)
	case a.ID != req.ID:
		return Outcome{}, n.fail(fmt.Errorf("node answered request %d, want %d", a.ID, req.ID))
	}
	return a.outcome(in)
}

// fail makes err sticky: after a broken exchange the pipe is out of step.
func (n *Node) fail(err error) error {
	n.err = fmt.Errorf("%w (node stderr: %s)", err, strings.TrimSpace(n.stderr.String()))
	return n.err
}

// outcome normalises an answer.
func (a nodeAnswer) outcome(in Input) (Outcome, error) {
	out := Outcome{Oracle: "node", Consumed: a.Consumed}
	switch k := EndKind(a.End.Kind); k {
	case EndClean, EndUpgrade, EndClosed, EndIncomplete, EndTruncated, EndRejected:
		out.End = End{Kind: k, Code: a.End.Code, Reason: a.End.Reason}
	default:
		return Outcome{}, fmt.Errorf("node answered an unknown end %q", a.End.Kind)
	}
	switch out.End.Kind {
	case EndIncomplete, EndTruncated:
		// Node's binding does not say where the unfinished message began.
		out.Consumed = -1
	case EndUpgrade:
		if out.End.Code == parser.ErrPausedH2Upgrade.String() {
			// llhttp pauses inside the preface, after its request line.
			out.Consumed = -1
		}
	}
	for _, nm := range a.Messages {
		m := Message{
			Method:    parser.Method(nm.Method).String(),
			Target:    latin1(nm.URL),
			Status:    nm.Status,
			Reason:    trimOWS(latin1(nm.Reason)),
			Version:   nm.Version,
			Body:      latin1(nm.Body),
			Upgrade:   nm.Upgrade,
			KeepAlive: nm.KeepAlive && !nm.Upgrade,
		}
		var hosts []string
		for _, f := range nm.Headers {
			f := Field{Name: latin1(f.Name), Value: trimOWS(latin1(f.Value))}
			switch {
			case strings.EqualFold(f.Name, "Host"):
				hosts = append(hosts, f.Value)
			case isFramingField(f.Name):
			default:
				m.Header = append(m.Header, f)
			}
		}
		for _, f := range nm.Trailers {
			m.Trailer = append(m.Trailer, Field{Name: latin1(f.Name), Value: trimOWS(latin1(f.Value))})
		}
		if in.Type == parser.Request {
			m.Status, m.Reason = 0, ""
			m.Host = authority(m.Method, m.Target)
			if m.Host == "" {
				m.Host = strings.Join(hosts, ", ")
			}
		} else {
			m.Method, m.Target = "", ""
		}
		out.Messages = append(out.Messages, m)
	}
	return out, nil
}

// latin1 turns a string whose characters each stand for one byte (as Node
// sends them) back into those bytes.
func latin1(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}
