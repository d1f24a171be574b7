// Package probe sends raw bytes to an HTTP/1.x target over TCP and reads
// what comes back, bounded in time and size, for conform's live checks.
//
// A Probe is the bytes to send, as chunks written one by one (with a pause
// between them to send a message in fragments), and how many responses to
// wait for. Do dials the target, writes the chunks from one goroutine
// while it reads from another, parses the answer with impl/parser in
// response mode (a response to HEAD has no body; a 2xx answer to CONNECT
// or a 101 switches protocols), and records a wire log: every chunk sent
// and received with its time, and who closed the connection.
//
// Do never hangs and never holds unbounded memory, whatever the target
// does: Limits.Deadline bounds the exchange, Limits.MaxBytes what is read,
// Limits.LogCap what the log keeps, and the parser's head limit what one
// response head may take. A target that never answers ends in EndIdle or
// EndDeadline, one that drips a byte at a time in EndDeadline, an endless
// body in EndCap, garbage in a Response with a parser error, a reset in
// EndReset. Grading what happened is the caller's business.
package probe
