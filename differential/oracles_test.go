package differential

import (
	"errors"
	"testing"
)

// testOracles returns net/http and, when node is installed, Node; the
// Node process ends with the test.
func testOracles(t *testing.T) []Oracle {
	t.Helper()
	oracles := []Oracle{NetHTTP{}}
	n, err := StartNode()
	switch {
	case errors.Is(err, ErrNoNode):
		t.Log(err)
	case err != nil:
		t.Fatal(err)
	default:
		t.Cleanup(func() {
			if err := n.Close(); err != nil {
				t.Error(err)
			}
		})
		oracles = append(oracles, n)
	}
	return oracles
}
