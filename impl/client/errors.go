package client

import "errors"

// Errors a caller can match with errors.Is. Errors returned by the Agent
// wrap one of these (or a net or parser error) with what was being done
// and where.
var (
	// ErrAgentClosed: the Agent was closed before or while the request
	// ran.
	ErrAgentClosed = errors.New("client: agent closed")

	// ErrInvalidRequest: the Request cannot be sent as given (bad method
	// token, CR or LF in a header value, unsupported URL). Request.Raw
	// sends anything.
	ErrInvalidRequest = errors.New("client: invalid request")

	// ErrTimeout: the socket saw no activity for the request's timeout
	// (Request.Timeout, else AgentOptions.Timeout), as Node's socket
	// timeout in setRequestSocket. The socket is destroyed.
	ErrTimeout = errors.New("client: socket timeout")

	// ErrConnClosed: the connection ended before the response did.
	ErrConnClosed = errors.New("client: connection closed before the response ended")

	// ErrBodyLength: the body written differs from the declared
	// Content-Length.
	ErrBodyLength = errors.New("client: body length differs from Content-Length")

	// ErrBodyNotSent: the server answered a request that expected
	// 100-continue with a final status, so the body was not sent (RFC 9110
	// §10.1.1). Response returns that answer.
	ErrBodyNotSent = errors.New("client: server answered before the body was sent")

	// ErrRequestState: a ClientRequest method was called out of order
	// (Write after End, Response before End, ...).
	ErrRequestState = errors.New("client: request used out of order")

	// ErrExtraResponse: the server sent bytes after the end of the
	// response, such as a second response to one request; the socket is
	// destroyed (Node: "the server sent multiple responses").
	ErrExtraResponse = errors.New("client: data after the response")

	// Reasons a socket was not kept for reuse, as given to
	// ClientTrace.PutIdleConn.
	ErrNotKeepAlive    = errors.New("client: response does not allow keep-alive")
	ErrTooManyFree     = errors.New("client: maxFreeSockets reached")
	ErrKeepAliveHint   = errors.New("client: server's Keep-Alive timeout too short to reuse")
	ErrBodyNotConsumed = errors.New("client: response body closed before its end")
	ErrSlotNeeded      = errors.New("client: socket closed to make room for a waiting request")
)
