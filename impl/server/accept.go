package server

import (
	"errors"
	"syscall"
)

// isTemporaryAccept reports whether an Accept error is worth retrying: the
// process or system ran out of descriptors or buffers, or the peer gave up
// before the connection was accepted.
func isTemporaryAccept(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ECONNRESET)
}
