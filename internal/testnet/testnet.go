// Package testnet holds network helpers for tests of several packages:
// loopback servers whose goroutines belong to the test. It imports
// "testing" and is meant for _test.go files only.
package testnet

import (
	"net"
	"sync"
	"testing"
)

// Serve starts a loopback TCP listener that runs handle for every
// connection, each in a goroutine of its own, and closes the connection
// when handle returns. It returns the listener's address. Cleanup closes
// the listener and waits for every handler: a handler must end once its
// peer has closed the connection.
func Serve(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

// ClosedAddr returns a loopback address nothing listens on: a port the
// system just handed out and that was closed at once, so that a dial to
// it is refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
