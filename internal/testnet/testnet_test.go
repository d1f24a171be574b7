package testnet

import (
	"io"
	"net"
	"sync/atomic"
	"testing"
)

// TestServe: every connection gets its own handler; the connection is
// closed when the handler returns; cleanup waits for the handlers.
func TestServe(t *testing.T) {
	var handled atomic.Int32
	var addr string
	t.Run("serve", func(t *testing.T) {
		addr = Serve(t, func(c net.Conn) {
			handled.Add(1)
			io.WriteString(c, "hi")
		})
		for range 3 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c)
			c.Close()
			if err != nil || string(got) != "hi" {
				t.Fatalf("read %q, %v; want \"hi\" and EOF once the handler returned", got, err)
			}
		}
	})
	if n := handled.Load(); n != 3 {
		t.Errorf("%d handlers ran, want 3", n)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("the listener at %s still accepts after cleanup", addr)
	}
}

// TestClosedAddr: a dial to the address is refused.
func TestClosedAddr(t *testing.T) {
	addr := ClosedAddr(t)
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("a dial to %s succeeded; want it refused", addr)
	}
}
