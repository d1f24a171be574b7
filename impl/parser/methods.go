package parser

// Method is an HTTP method with llhttp's number (llhttp.h, enum
// llhttp_method). Only the methods llhttp accepts in HTTP mode are known to
// the parser; the RTSP-only numbers 35..45 are reserved and never produced.
type Method uint8

// llhttp's method numbers.
const (
	MethodDelete      Method = 0
	MethodGet         Method = 1
	MethodHead        Method = 2
	MethodPost        Method = 3
	MethodPut         Method = 4
	MethodConnect     Method = 5
	MethodOptions     Method = 6
	MethodTrace       Method = 7
	MethodCopy        Method = 8
	MethodLock        Method = 9
	MethodMkcol       Method = 10
	MethodMove        Method = 11
	MethodPropfind    Method = 12
	MethodProppatch   Method = 13
	MethodSearch      Method = 14
	MethodUnlock      Method = 15
	MethodBind        Method = 16
	MethodRebind      Method = 17
	MethodUnbind      Method = 18
	MethodACL         Method = 19
	MethodReport      Method = 20
	MethodMkactivity  Method = 21
	MethodCheckout    Method = 22
	MethodMerge       Method = 23
	MethodMSearch     Method = 24
	MethodNotify      Method = 25
	MethodSubscribe   Method = 26
	MethodUnsubscribe Method = 27
	MethodPatch       Method = 28
	MethodPurge       Method = 29
	MethodMkcalendar  Method = 30
	MethodLink        Method = 31
	MethodUnlink      Method = 32
	MethodSource      Method = 33
	MethodPRI         Method = 34
	MethodQuery       Method = 46
)

// methodNames is indexed by Method; "" marks a number not used in HTTP.
var methodNames = [...]string{
	MethodDelete: "DELETE", MethodGet: "GET", MethodHead: "HEAD",
	MethodPost: "POST", MethodPut: "PUT", MethodConnect: "CONNECT",
	MethodOptions: "OPTIONS", MethodTrace: "TRACE", MethodCopy: "COPY",
	MethodLock: "LOCK", MethodMkcol: "MKCOL", MethodMove: "MOVE",
	MethodPropfind: "PROPFIND", MethodProppatch: "PROPPATCH",
	MethodSearch: "SEARCH", MethodUnlock: "UNLOCK", MethodBind: "BIND",
	MethodRebind: "REBIND", MethodUnbind: "UNBIND", MethodACL: "ACL",
	MethodReport: "REPORT", MethodMkactivity: "MKACTIVITY",
	MethodCheckout: "CHECKOUT", MethodMerge: "MERGE", MethodMSearch: "M-SEARCH",
	MethodNotify: "NOTIFY", MethodSubscribe: "SUBSCRIBE",
	MethodUnsubscribe: "UNSUBSCRIBE", MethodPatch: "PATCH", MethodPurge: "PURGE",
	MethodMkcalendar: "MKCALENDAR", MethodLink: "LINK", MethodUnlink: "UNLINK",
	MethodSource: "SOURCE", MethodPRI: "PRI", MethodQuery: "QUERY",
}

// String returns the method's name as sent on the wire ("M-SEARCH").
func (m Method) String() string {
	if int(m) < len(methodNames) && methodNames[m] != "" {
		return methodNames[m]
	}
	return "<unknown method>"
}

// Methods returns every method the parser accepts, in llhttp's order.
func Methods() []Method {
	var out []Method
	for i, n := range methodNames {
		if n != "" {
			out = append(out, Method(i))
		}
	}
	return out
}

// lookupMethod maps a complete method token to its Method.
func lookupMethod(b []byte) (Method, bool) {
	// A switch on string(b) compiles to a comparison without allocating.
	switch string(b) {
	case "GET":
		return MethodGet, true
	case "POST":
		return MethodPost, true
	case "PUT":
		return MethodPut, true
	case "HEAD":
		return MethodHead, true
	case "DELETE":
		return MethodDelete, true
	case "OPTIONS":
		return MethodOptions, true
	case "CONNECT":
		return MethodConnect, true
	case "PATCH":
		return MethodPatch, true
	case "TRACE":
		return MethodTrace, true
	}
	for i, n := range methodNames {
		if n != "" && n == string(b) {
			return Method(i), true
		}
	}
	return 0, false
}

// methodPrefixLen returns how many leading bytes of b are a prefix of some
// known method: the offset where an unknown method is reported.
func methodPrefixLen(b []byte) int {
	best := 0
	for _, n := range methodNames {
		k := 0
		for k < len(b) && k < len(n) && b[k] == n[k] {
			k++
		}
		if k > best {
			best = k
		}
	}
	return best
}

// methodBytes holds each method's name as bytes, for span callbacks.
var methodBytes = func() (t [len(methodNames)][]byte) {
	for i, n := range methodNames {
		t[i] = []byte(n)
	}
	return t
}()

// quickMethod recognises the commonest methods followed by SP in the first
// five bytes of a request line, returning the method and its length (0 if
// it is not one of them).
func quickMethod(b []byte) (Method, int) {
	switch {
	case b[0] == 'G' && b[1] == 'E' && b[2] == 'T' && b[3] == ' ':
		return MethodGet, 3
	case b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T' && b[4] == ' ':
		return MethodPost, 4
	case b[0] == 'P' && b[1] == 'U' && b[2] == 'T' && b[3] == ' ':
		return MethodPut, 3
	case b[0] == 'H' && b[1] == 'E' && b[2] == 'A' && b[3] == 'D' && b[4] == ' ':
		return MethodHead, 4
	}
	return 0, 0
}
