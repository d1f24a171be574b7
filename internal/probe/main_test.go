package probe

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestMain fails the run when a probe goroutine outlives the tests: Do
// must have stopped its writer before it returns.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "probe.(*writer).run") {
				fmt.Fprintf(os.Stderr, "leaked probe goroutine:\n%s\n", g)
				code = 1
			}
		}
	}
	os.Exit(code)
}
