package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/server"
)

// Limits of the routes.
const (
	maxBody   = 8 << 20
	maxDelay  = 600000
	maxChunks = 100000
	maxBig    = 1 << 30
)

// Handler returns the handler of the routes the package documentation
// lists.
func Handler() server.Handler {
	return server.HandlerFunc(route)
}

func route(w server.ResponseWriter, r *server.Request) {
	path := r.Path()
	switch {
	case path == "/":
		text(w, 200, "ok")
	case path == "/echo":
		echo(w, r)
	case path == "/delay":
		delay(w, r)
	case strings.HasPrefix(path, "/status/"):
		status(w, strings.TrimPrefix(path, "/status/"))
	case path == "/stream":
		stream(w, r)
	case path == "/big":
		big(w, r)
	case path == "/close":
		w.Header().Set("Connection", "close")
		text(w, 200, "closing")
	default:
		text(w, 404, "404 not found: "+path+"\n")
	}
}

func text(w server.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	w.WriteString(body)
}

func echo(w server.ResponseWriter, r *server.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case err != nil:
		text(w, 400, "reading the body: "+err.Error()+"\n")
		return
	case len(body) > maxBody:
		w.Header().Set("Connection", "close")
		text(w, 413, fmt.Sprintf("/echo reads at most %d bytes of body\n", maxBody))
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(newEcho(r, body)); err != nil {
		text(w, 500, "encoding: "+err.Error()+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}

// queryInt returns the integer query parameter name, def when absent, or
// an error naming the parameter and its allowed range.
func queryInt(r *server.Request, name string, def, lo, hi int) (int, error) {
	for _, kv := range strings.Split(r.RawQuery(), "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != name {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%s: %s=%q must be an integer from %d to %d", r.Path(), name, v, lo, hi)
		}
		return n, nil
	}
	return def, nil
}

func delay(w server.ResponseWriter, r *server.Request) {
	ms, err := queryInt(r, "ms", 0, 0, maxDelay)
	if err != nil {
		text(w, 400, err.Error()+"\n")
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	text(w, 200, "delayed "+strconv.Itoa(ms)+" ms")
}

var errStatus = errors.New("the status must be an integer from 100 to 999, and not 101 (use an Upgrade request)")

func status(w server.ResponseWriter, s string) {
	code, err := strconv.Atoi(s)
	if err != nil || code < 100 || code > 999 || code == 101 {
		text(w, 400, fmt.Sprintf("/status/%s: %v\n", s, errStatus))
		return
	}
	if code < 200 {
		w.WriteHeader(code)
		code = 200
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	w.WriteString("status " + strconv.Itoa(code))
}

func stream(w server.ResponseWriter, r *server.Request) {
	n, err := queryInt(r, "chunks", 3, 0, maxChunks)
	if err != nil {
		text(w, 400, err.Error()+"\n")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(200)
	for i := range n {
		w.WriteString("chunk " + strconv.Itoa(i) + "\n")
		if err := w.Flush(); err != nil {
			return
		}
	}
}

func big(w server.ResponseWriter, r *server.Request) {
	n, err := queryInt(r, "bytes", 0, 0, maxBig)
	if err != nil {
		text(w, 400, err.Error()+"\n")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(n))
	piece := bytes.Repeat([]byte("x"), min(n, 32<<10))
	for n > 0 {
		k := min(n, len(piece))
		if _, err := w.Write(piece[:k]); err != nil {
			return
		}
		n -= k
	}
}
