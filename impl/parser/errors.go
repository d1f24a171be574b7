package parser

import (
	"fmt"
	"strconv"
)

// Errno is an llhttp error number. The numbers are llhttp's (llhttp.h,
// enum llhttp_errno) so that traces and errors can be compared with llhttp's
// line by line; conform's own additions start at 64. The list is
// append-only: a number, once given, keeps its meaning.
//
// Errno implements error, so a caller can match any error returned by the
// parser with errors.Is(err, parser.ErrInvalidChunkSize).
type Errno uint8

// The llhttp error numbers.
const (
	OK                               Errno = 0
	ErrInternal                      Errno = 1
	ErrStrict                        Errno = 2
	ErrLFExpected                    Errno = 3
	ErrUnexpectedContentLength       Errno = 4
	ErrClosedConnection              Errno = 5
	ErrInvalidMethod                 Errno = 6
	ErrInvalidURL                    Errno = 7
	ErrInvalidConstant               Errno = 8
	ErrInvalidVersion                Errno = 9
	ErrInvalidHeaderToken            Errno = 10
	ErrInvalidContentLength          Errno = 11
	ErrInvalidChunkSize              Errno = 12
	ErrInvalidStatus                 Errno = 13
	ErrInvalidEOFState               Errno = 14
	ErrInvalidTransferEncoding       Errno = 15
	ErrCBMessageBegin                Errno = 16
	ErrCBHeadersComplete             Errno = 17
	ErrCBMessageComplete             Errno = 18
	ErrCBChunkHeader                 Errno = 19
	ErrCBChunkComplete               Errno = 20
	ErrPaused                        Errno = 21
	ErrPausedUpgrade                 Errno = 22
	ErrPausedH2Upgrade               Errno = 23
	ErrUser                          Errno = 24
	ErrCRExpected                    Errno = 25
	ErrCBURLComplete                 Errno = 26
	ErrCBStatusComplete              Errno = 27
	ErrCBHeaderFieldComplete         Errno = 28
	ErrCBHeaderValueComplete         Errno = 29
	ErrUnexpectedSpace               Errno = 30
	ErrCBReset                       Errno = 31
	ErrCBMethodComplete              Errno = 32
	ErrCBVersionComplete             Errno = 33
	ErrCBChunkExtensionNameComplete  Errno = 34
	ErrCBChunkExtensionValueComplete Errno = 35
	ErrCBProtocolComplete            Errno = 38

	// ErrHeaderOverflow is conform's (Node reports it from JavaScript as
	// HPE_HEADER_OVERFLOW, outside llhttp): the head of a message, or its
	// trailer section, is larger than Config.MaxHeaderSize.
	ErrHeaderOverflow Errno = 64
	// ErrChunkExtensionsOverflow is conform's (Node's
	// HPE_CHUNK_EXTENSIONS_OVERFLOW): a chunk-size line, with its
	// extensions, is larger than Config.MaxHeaderSize.
	ErrChunkExtensionsOverflow Errno = 65
)

var errnoNames = map[Errno]string{
	OK:                               "HPE_OK",
	ErrInternal:                      "HPE_INTERNAL",
	ErrStrict:                        "HPE_STRICT",
	ErrLFExpected:                    "HPE_LF_EXPECTED",
	ErrUnexpectedContentLength:       "HPE_UNEXPECTED_CONTENT_LENGTH",
	ErrClosedConnection:              "HPE_CLOSED_CONNECTION",
	ErrInvalidMethod:                 "HPE_INVALID_METHOD",
	ErrInvalidURL:                    "HPE_INVALID_URL",
	ErrInvalidConstant:               "HPE_INVALID_CONSTANT",
	ErrInvalidVersion:                "HPE_INVALID_VERSION",
	ErrInvalidHeaderToken:            "HPE_INVALID_HEADER_TOKEN",
	ErrInvalidContentLength:          "HPE_INVALID_CONTENT_LENGTH",
	ErrInvalidChunkSize:              "HPE_INVALID_CHUNK_SIZE",
	ErrInvalidStatus:                 "HPE_INVALID_STATUS",
	ErrInvalidEOFState:               "HPE_INVALID_EOF_STATE",
	ErrInvalidTransferEncoding:       "HPE_INVALID_TRANSFER_ENCODING",
	ErrCBMessageBegin:                "HPE_CB_MESSAGE_BEGIN",
	ErrCBHeadersComplete:             "HPE_CB_HEADERS_COMPLETE",
	ErrCBMessageComplete:             "HPE_CB_MESSAGE_COMPLETE",
	ErrCBChunkHeader:                 "HPE_CB_CHUNK_HEADER",
	ErrCBChunkComplete:               "HPE_CB_CHUNK_COMPLETE",
	ErrPaused:                        "HPE_PAUSED",
	ErrPausedUpgrade:                 "HPE_PAUSED_UPGRADE",
	ErrPausedH2Upgrade:               "HPE_PAUSED_H2_UPGRADE",
	ErrUser:                          "HPE_USER",
	ErrCRExpected:                    "HPE_CR_EXPECTED",
	ErrCBURLComplete:                 "HPE_CB_URL_COMPLETE",
	ErrCBStatusComplete:              "HPE_CB_STATUS_COMPLETE",
	ErrCBHeaderFieldComplete:         "HPE_CB_HEADER_FIELD_COMPLETE",
	ErrCBHeaderValueComplete:         "HPE_CB_HEADER_VALUE_COMPLETE",
	ErrUnexpectedSpace:               "HPE_UNEXPECTED_SPACE",
	ErrCBReset:                       "HPE_CB_RESET",
	ErrCBMethodComplete:              "HPE_CB_METHOD_COMPLETE",
	ErrCBVersionComplete:             "HPE_CB_VERSION_COMPLETE",
	ErrCBChunkExtensionNameComplete:  "HPE_CB_CHUNK_EXTENSION_NAME_COMPLETE",
	ErrCBChunkExtensionValueComplete: "HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE",
	ErrCBProtocolComplete:            "HPE_CB_PROTOCOL_COMPLETE",
	ErrHeaderOverflow:                "HPE_HEADER_OVERFLOW",
	ErrChunkExtensionsOverflow:       "HPE_CHUNK_EXTENSIONS_OVERFLOW",
}

// String returns llhttp's name for the error, such as "HPE_INVALID_CHUNK_SIZE".
func (e Errno) String() string {
	if s, ok := errnoNames[e]; ok {
		return s
	}
	return "HPE_UNKNOWN_" + strconv.Itoa(int(e))
}

// Error implements error.
func (e Errno) Error() string { return e.String() }

// ErrnoByName returns the Errno whose String is name ("HPE_INVALID_URL"),
// or false.
func ErrnoByName(name string) (Errno, bool) {
	for k, v := range errnoNames {
		if v == name {
			return k, true
		}
	}
	return 0, false
}

// Error is what Execute and Finish return. Code is llhttp's number, Reason
// our description of what was wrong, and Offset the position of the byte at
// fault counted from the first byte given to the parser since the last Reset
// (the same count the trace uses). Err holds the error a callback returned,
// when a callback caused it.
//
// An Error matches its Code with errors.Is: errors.Is(err,
// parser.ErrInvalidChunkSize).
type Error struct {
	Code   Errno
	Reason string
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s at offset %d: %s", e.Code, e.Offset, e.Reason)
}

// Is reports whether target is e's Errno, or an *Error with the same Code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Errno:
		return e.Code == t
	case *Error:
		return e.Code == t.Code
	}
	return false
}

// Unwrap returns the callback's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the Errno of an error the parser returned, or OK for nil
// and for errors that are not the parser's. It does not allocate.
func CodeOf(err error) Errno {
	switch e := err.(type) {
	case *Error:
		if e != nil {
			return e.Code
		}
	case Errno:
		return e
	}
	return OK
}
