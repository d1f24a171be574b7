package client

import (
	"net"
	"time"
)

// ClientTrace receives events from one request, in the spirit of
// net/http/httptrace. Every field may be nil. Hooks run synchronously on
// the goroutine that drives the request (the one calling Do, Start,
// Write, End, Response or reading the body) and must not block.
type ClientTrace struct {
	// GetConn is called before a socket is looked for, with the pool key.
	GetConn func(key string)
	// ConnQueued is called when no socket can be had at once and the
	// request waits in its key's queue; position counts from 1.
	ConnQueued func(key string, position int)
	// ConnectStart and ConnectDone surround the dial of a new socket.
	ConnectStart func(network, addr string)
	ConnectDone  func(network, addr string, err error)
	// GotConn is called when the request has a socket.
	GotConn func(GotConnInfo)
	// WroteHeaders is called when the head has been handed to the socket.
	WroteHeaders func()
	// Got100Continue is called when a 100 (Continue) arrives.
	Got100Continue func()
	// GotFirstResponseByte is called when the first byte of the response
	// (including any 1xx) has been read.
	GotFirstResponseByte func()
	// PutIdleConn is called when the response has ended and the socket
	// was either kept (err nil: put in the free list or handed to a
	// waiting request) or destroyed (err says why).
	PutIdleConn func(err error)
	// Retried is called when a request that failed on a reused socket is
	// sent again on a fresh one; err is the failure.
	Retried func(err error)
}

// GotConnInfo describes the socket a request got.
type GotConnInfo struct {
	// Conn is the socket. It belongs to the Agent: use it only to look
	// at its addresses.
	Conn net.Conn
	// Reused is true when the socket carried an earlier request.
	Reused bool
	// WasIdle is true when the socket came from the free list (as
	// opposed to being handed over straight from a finished request).
	WasIdle bool
	// IdleTime is how long it was idle, when WasIdle.
	IdleTime time.Duration
}
