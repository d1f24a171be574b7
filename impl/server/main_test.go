package server

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines started by the tests (servers,
// connections, handlers, hooks, clients) are still alive after it, once
// they have had a bounded time to exit.
func TestMain(m *testing.M) {
	before := goroutineIDs(allStacks())
	code := m.Run()
	if code == 0 {
		if leaked := waitForLeaks(before, 5*time.Second); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d goroutines leaked:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// waitForLeaks returns the stacks of goroutines not in before that belong
// to code under test, waiting up to limit for them to exit.
func waitForLeaks(before map[string]bool, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	for {
		var leaked []string
		for _, g := range allStacks() {
			id := goroutineID(g)
			if before[id] || !suspect(g) {
				continue
			}
			leaked = append(leaked, g)
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// suspect reports whether a goroutine runs code the tests started: this
// module, net/http servers of the benchmarks, or connections.
func suspect(stack string) bool {
	if strings.Contains(stack, "testing.(*M).Run") || strings.Contains(stack, "main.main()") {
		return false
	}
	return strings.Contains(stack, "github.com/conformhttp/conform/") ||
		strings.Contains(stack, "net/http.") || strings.Contains(stack, "net.(*")
}

func allStacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(strings.TrimSpace(string(buf[:n])), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

func goroutineIDs(stacks []string) map[string]bool {
	ids := make(map[string]bool, len(stacks))
	for _, g := range stacks {
		ids[goroutineID(g)] = true
	}
	return ids
}

// goroutineID returns N from the "goroutine N [state]:" header line.
func goroutineID(stack string) string {
	line, _, _ := strings.Cut(stack, "\n")
	line = strings.TrimPrefix(line, "goroutine ")
	id, _, _ := strings.Cut(line, " ")
	return id
}
