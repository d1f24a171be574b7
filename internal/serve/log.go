package serve

import (
	"io"
	"log"
)

// newLogger logs the server's errors (handler panics, accept errors) to w.
func newLogger(w io.Writer) *log.Logger {
	return log.New(w, "conform serve: ", log.LstdFlags)
}
