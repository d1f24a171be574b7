package server

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// routes is the handler most tests use. Every answer is text/plain.
//
//	/sleep?ms=N   sleeps N ms (fake time under synctest), then answers
//	/close        answers with Connection: close
//	/echo         answers with the request body, then the trailers as "k=v;"
//	/status?code=N answers with status N
//	/stream?n=N   flushes N chunks "chunk i\n"
//	/noread       answers without reading the body
//	/panic        panics
//	anything else answers "<method> <target>"
func routes(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain")
	q := r.RawQuery()
	switch r.Path() {
	case "/sleep":
		ms, _ := strconv.Atoi(strings.TrimPrefix(q, "ms="))
		time.Sleep(time.Duration(ms) * time.Millisecond)
	case "/close":
		w.Header().Set("Connection", "close")
	case "/echo":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(500)
			w.WriteString("read error: " + err.Error())
			return
		}
		w.Write(b)
		for _, f := range r.Trailer {
			w.WriteString(";" + f.Name + "=" + f.Value)
		}
		return
	case "/status":
		code, _ := strconv.Atoi(strings.TrimPrefix(q, "code="))
		w.WriteHeader(code)
	case "/stream":
		n, _ := strconv.Atoi(strings.TrimPrefix(q, "n="))
		for i := range n {
			w.WriteString("chunk " + strconv.Itoa(i) + "\n")
			w.Flush()
		}
		return
	case "/noread":
		w.WriteString("not read")
		return
	case "/panic":
		panic("test panic")
	}
	w.WriteString(r.Method + " " + r.Target)
}

// recorder records events from handlers running concurrently.
type recorder struct {
	mu  sync.Mutex
	evs []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, s)
}

func (r *recorder) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.evs...)
}
