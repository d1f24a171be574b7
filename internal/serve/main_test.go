package serve

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines the tests started outlive them.
func TestMain(m *testing.M) {
	before := map[string]bool{}
	for _, g := range stacks() {
		before[goroutineID(g)] = true
	}
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for {
			var leaked []string
			for _, g := range stacks() {
				if !before[goroutineID(g)] && strings.Contains(g, "github.com/conformhttp/conform/") && !strings.Contains(g, "testing.(*M).Run") {
					leaked = append(leaked, g)
				}
			}
			if len(leaked) == 0 {
				break
			}
			if time.Now().After(deadline) {
				fmt.Fprintf(os.Stderr, "FAIL: %d goroutines leaked:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
				code = 1
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(code)
}

func stacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(strings.TrimSpace(string(buf[:n])), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

func goroutineID(stack string) string {
	line, _, _ := strings.Cut(stack, "\n")
	id, _, _ := strings.Cut(strings.TrimPrefix(line, "goroutine "), " ")
	return id
}

// TestMainServesUntilCancelled runs the command in-process: it prints the
// address it listens on, answers, and returns nil once its context ends.
func TestMainServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--addr", "127.0.0.1:0"}, outW, &stderr)
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listen line: %v", err)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "conform serve: listening on ")
	if !ok {
		t.Fatalf("first line %q, want \"conform serve: listening on HOST:PORT\"", line)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "ok" {
		t.Errorf("GET / = %q, want \"ok\"", body)
	}
	tr.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Main = %v, want nil after cancellation", err)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
}

func TestMainUsage(t *testing.T) {
	var stdout, stderr strings.Builder
	err := Main(context.Background(), []string{"--addr"}, &stdout, &stderr)
	if !errors.Is(err, ErrUsage) {
		t.Errorf("Main with a flag missing its value = %v, want ErrUsage", err)
	}
	if !strings.Contains(stderr.String(), "flag needs an argument: -addr") {
		t.Errorf("stderr %q does not explain the mistake", stderr.String())
	}
	stdout.Reset()
	if err := Main(context.Background(), []string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("Main -h = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stdout.String(), "Usage: conform serve") || !strings.Contains(stdout.String(), "-keep-alive-timeout") {
		t.Errorf("-h printed %q, want the usage with the flags", stdout.String())
	}
}
