package features

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/conformhttp/conform/impl/parser"
	"github.com/conformhttp/conform/impl/server"
	"github.com/cucumber/godog"
)

func (w *world) serverLenient(names string) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	l, err := parser.ParseLenient(names)
	if err != nil {
		return harness("%v", err)
	}
	return ref.configure("lenient modes", func(s *server.Server) { s.Lenient = l })
}

func (w *world) serverTimeout(kind string, seconds int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	d := w.scaled(time.Duration(seconds) * time.Second)
	return ref.configure(kind+" timeout", func(s *server.Server) {
		switch kind {
		case "headers":
			s.HeadersTimeout = d
		case "request":
			s.RequestTimeout = d
		case "keep-alive":
			s.KeepAliveTimeout = d
		}
	})
}

func (w *world) serverMaxHeaderSize(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("maximum header size", func(s *server.Server) { s.MaxHeaderSize = n })
}

func (w *world) serverMaxHeaders(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("maximum header fields", func(s *server.Server) { s.MaxHeaders = n })
}

func (w *world) serverMaxRequests(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("requests per connection", func(s *server.Server) { s.MaxRequestsPerSocket = n })
}

func (w *world) serverHighWater(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("high-water mark", func(s *server.Server) { s.HighWaterMark = n })
}

func (w *world) serverPipelineLimit(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("pipeline limit", func(s *server.Server) { s.PipelineLimit = n })
}

func (w *world) clientBuffer(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	if n < 1 {
		return harness("a receive buffer holds at least 1 byte")
	}
	return ref.configure("client receive buffer", func(*server.Server) { ref.toClient = n })
}

func (w *world) noConnectHook() error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("connect handler", func(*server.Server) { ref.noConnect = true })
}

func (w *world) noUpgradeHook() error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("upgrade handler", func(*server.Server) { ref.noUpgrade = true })
}

func (w *world) closeOnHalfClose() error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	return ref.configure("close on half-close", func(s *server.Server) { s.CloseOnHalfClose = true })
}

// echoUpstream and countUpstream configure what the reference proxy can
// reach. On other targets there is nothing to configure: a live server
// decides itself what its CONNECT reaches.
func (w *world) echoUpstream(name string) error {
	if w.ref != nil {
		w.ref.addUpstream(name, "echo")
	}
	return nil
}

func (w *world) countUpstream(name string) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	ref.addUpstream(name, "sink")
	return nil
}

func (w *world) scriptedServer(doc *godog.DocString) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	b, err := decodeDocString(doc.Content)
	if err != nil {
		return harness("%v", err)
	}
	ref.script = b
	return nil
}

// quotedList matches the items of a list such as `"a", "b" and "c"`.
var quotedList = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// parseList splits a list such as `"a", "b" and "c"` into its items, and
// checks that nothing else is in it.
func parseList(s string) ([]string, error) {
	var items []string
	rest := quotedList.ReplaceAllStringFunc(s, func(m string) string {
		items = append(items, m[1:len(m)-1])
		return ""
	})
	rest = strings.NewReplacer(",", "", "and", "", " ", "").Replace(rest)
	if rest != "" || len(items) == 0 {
		return nil, harness("%q is not a list such as \"a\", \"b\" and \"c\"", s)
	}
	return items, nil
}

func (w *world) finishOrder(list string) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	want, err := parseList(list)
	if err != nil {
		return err
	}
	var got []string
	for _, e := range ref.rec.snapshot() {
		if e.Kind == "finish" {
			got = append(got, e.Target)
		}
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("the handlers finished in the order %q, want %q", got, want)
	}
	return nil
}

func (w *world) startedAtMost(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	w.ex.settle()
	if got := ref.rec.count("start"); got > n {
		return fmt.Errorf("the server has started %d handlers, want at most %d", got, n)
	}
	return nil
}

func (w *world) startedExactly(n int) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	w.ex.settle()
	if got := ref.rec.count("start"); got != n {
		return fmt.Errorf("the server has started %d handlers, want %d", got, n)
	}
	return nil
}

func (w *world) reportedTimeout(kind string) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	got := ref.timeoutKinds()
	if !slices.Contains(got, kind) {
		return fmt.Errorf("the server reported the timeouts %q, want one of kind %q", got, kind)
	}
	return nil
}

func (w *world) upstreamReceived(name, s string) error {
	ref, err := w.needRef()
	if err != nil {
		return err
	}
	u := ref.upstreams[name]
	if u == nil {
		return harness("no upstream %q; a step \"the proxy can reach an echo service at %q\" comes first", name, name)
	}
	want, err := wantBytes(s)
	if err != nil {
		return err
	}
	w.ex.settle()
	got, _ := u.got()
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s received %s, want %s", name, clip(got), clip(want))
	}
	return nil
}
