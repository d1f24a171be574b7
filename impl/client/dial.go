package client

import (
	"context"
	"net"
	"strconv"
	"time"
)

// Target is where a connection goes: the fields Node's Agent uses to name
// a pool (agent.getName). Requests whose Targets are equal share sockets.
type Target struct {
	// Host is a host name or IP address literal (without brackets).
	Host string
	// Port is the TCP port, 80 when the URL gives none.
	Port int
	// LocalAddr, when set, is the local IP address to dial from.
	LocalAddr string
	// Family is 4 or 6 to force IPv4 or IPv6 resolution; 0 lets the
	// resolver choose. Other values are an error.
	Family int
	// SocketPath, when set, is a Unix domain socket to dial instead of
	// Host and Port (Host still names the Host header).
	SocketPath string
}

// Name is the pool key, as Node's agent.getName:
// "host:port:localAddress[:family][:socketPath]".
func (t Target) Name() string {
	return string(t.appendName(make([]byte, 0, len(t.Host)+len(t.LocalAddr)+len(t.SocketPath)+12)))
}

func (t *Target) appendName(b []byte) []byte {
	b = append(b, t.Host...)
	b = append(b, ':')
	if t.Port != 0 {
		b = strconv.AppendInt(b, int64(t.Port), 10)
	}
	b = append(b, ':')
	b = append(b, t.LocalAddr...)
	if t.Family == 4 || t.Family == 6 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(t.Family), 10)
	}
	if t.SocketPath != "" {
		b = append(b, ':')
		b = append(b, t.SocketPath...)
	}
	return b
}

// Network returns the network to dial: "unix", "tcp4", "tcp6" or "tcp".
func (t Target) Network() string {
	switch {
	case t.SocketPath != "":
		return "unix"
	case t.Family == 4:
		return "tcp4"
	case t.Family == 6:
		return "tcp6"
	}
	return "tcp"
}

// Address returns the address to dial: the socket path, or host:port.
func (t Target) Address() string {
	if t.SocketPath != "" {
		return t.SocketPath
	}
	return net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
}

// A Dialer opens connections for an Agent. Connections it returns must
// support deadlines (SetDeadline and friends), which the Agent uses for
// timeouts and to watch idle sockets; net.Pipe's ends do.
//
// Tests and fuzz targets supply their own Dialer to run the Agent over
// in-memory connections.
type Dialer interface {
	DialTarget(ctx context.Context, t Target) (net.Conn, error)
}

// NetDialer dials TCP and Unix domain sockets with package net.
type NetDialer struct {
	// Timeout bounds connection establishment; zero means no limit other
	// than the context's.
	Timeout time.Duration
}

// DialTarget implements Dialer.
func (d NetDialer) DialTarget(ctx context.Context, t Target) (net.Conn, error) {
	nd := net.Dialer{Timeout: d.Timeout, KeepAlive: -1} // the Agent sets keep-alive
	if t.LocalAddr != "" && t.SocketPath == "" {
		ip := net.ParseIP(t.LocalAddr)
		if ip == nil {
			return nil, &net.AddrError{Err: "local address is not an IP address", Addr: t.LocalAddr}
		}
		nd.LocalAddr = &net.TCPAddr{IP: ip}
	}
	return nd.DialContext(ctx, t.Network(), t.Address())
}

// keepAliveSetter is implemented by *net.TCPConn.
type keepAliveSetter interface {
	SetKeepAlive(bool) error
	SetKeepAlivePeriod(time.Duration) error
}
