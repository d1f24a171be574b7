Feature: Parsing requests and responses, strictly and leniently

  HTTP/1.1 messages are parsed by rules that leave little room: a message
  whose framing two parsers could read differently is how requests are
  smuggled past proxies. RFC 9112 says what a recipient MUST reject, what
  it MAY accept, and when it must close the connection afterwards.

  conform's parser is strict by default and every relaxation is a named
  lenient mode. These scenarios show each rule by example: the bytes sent,
  what a server answers, and — for responses — the error a client sees.

  Raw bytes are written with visible escapes: \r is CR, \n is LF, \t is
  HTAB, \xNN any byte. Line breaks inside a docstring are layout only.

  Rule: A request whose framing is ambiguous is rejected and its connection closed

    @live @must @rfc9112-6.3
    Scenario: two different Content-Length values are rejected with 400
      When the client sends:
        """
        POST / HTTP/1.1\r\n
        Host: example.com\r\n
        Content-Length: 5\r\n
        Content-Length: 6\r\n
        \r\n
        hello!
        """
      Then the client receives a response with status 400
      And the server closes the connection

    @live @must @rfc9112-6.3
    Scenario: a Content-Length that is not a number is rejected with 400
      When the client sends:
        """
        POST / HTTP/1.1\r\n
        Host: example.com\r\n
        Content-Length: 5x\r\n
        \r\n
        hello
        """
      Then the client receives a response with status 400
      And the server closes the connection

    @reference @may @rfc9110-8.6
    Scenario: the strict reference server also rejects a repeated Content-Length whose values agree
      Two Content-Length fields of 5 read as "5, 5". RFC 9110 §8.6 lets a
      recipient either reject that or take it as 5; llhttp and the
      reference server refuse any second Content-Length.
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Content-Length: 5\r\n
        Content-Length: 5\r\n
        \r\n
        hello
        """
      Then the client receives a response with status 400
      And the response body contains "HPE_UNEXPECTED_CONTENT_LENGTH"
      And the server closes the connection

    @live @must @rfc9112-6.1
    Scenario: a request with both Content-Length and Transfer-Encoding is answered or rejected, then the connection is closed
      A server may reject such a request or read it by Transfer-Encoding
      alone, but either way it must not keep the connection: the bytes
      after the message could be a smuggled request.
      When the client sends:
        """
        POST / HTTP/1.1\r\n
        Host: example.com\r\n
        Content-Length: 4\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        0\r\n
        \r\n
        GET /smuggled HTTP/1.1\r\n
        Host: example.com\r\n
        \r\n
        """
      Then the client receives a response
      And the server closes the connection

    @reference @may @rfc9112-6.1
    Scenario: the strict reference server rejects Content-Length with Transfer-Encoding
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Content-Length: 4\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        0\r\n
        \r\n
        """
      Then the client receives a response with status 400
      And the response body contains "HPE_INVALID_CONTENT_LENGTH"
      And the server closes the connection

    @reference @must @rfc9112-6.3 @rfc9112-6.1
    Scenario: in chunked-length lenient mode Transfer-Encoding wins and the connection still closes
      Given the server parses leniently with "chunked-length"
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Content-Length: 100\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        5\r\n
        hello\r\n
        0\r\n
        \r\n
        """
      Then the client receives a response with status 200
      And the echo shows chunked framing
      And the echo shows the body "hello"
      And the server closes the connection

    @live @must @rfc9112-6.3
    Scenario: a Transfer-Encoding that does not end in chunked is rejected, and the connection closed
      The length of such a body cannot be known. RFC 9112 §6.3 asks for
      400; §6.1 lets a server that does not know a coding answer 501 (Not
      Implemented). Either way the connection ends.
      When the client sends:
        """
        POST / HTTP/1.1\r\n
        Host: example.com\r\n
        Transfer-Encoding: chunked, gzip\r\n
        \r\n
        """
      Then the client receives a response with status 400 or 501
      And the server closes the connection

    @live @must @rfc9112-7.1
    Scenario: a chunk size too large for 64 bits is never wrapped around
      0x10000000000000005 wraps to 5 in 64-bit arithmetic; a server that
      read it so would take "hello" as the chunk and answer the request
      hidden after it. A server may answer the POST before it reads the
      body, but it must find the chunk size invalid and close.
      When the client sends:
        """
        POST / HTTP/1.1\r\n
        Host: example.com\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        10000000000000005\r\n
        hello\r\n
        0\r\n
        \r\n
        GET /smuggled HTTP/1.1\r\n
        Host: example.com\r\n
        \r\n
        """
      Then the server either rejects the request or answers it
      And the server closes the connection

    @reference @must @rfc9112-7.1
    Scenario: the reference server names the chunk-size overflow
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        10000000000000005\r\n
        hello\r\n
        0\r\n
        \r\n
        """
      Then the client receives a response with status 400
      And the response body contains "HPE_INVALID_CHUNK_SIZE"
      And the server closes the connection

    @reference @must @rfc9112-7.1
    Scenario: a chunked body found invalid after the response was sent still ends the connection
      A handler may answer before it reads the body. When the body then
      turns out to be malformed, the server cannot tell where the next
      request starts: it must close the connection rather than wait.
      When the client sends "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
      Then the client receives a response with status 200
      When the client sends "10000000000000005\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
      Then the server closes the connection

  Rule: Lines end in CRLF; a bare LF MAY end a line, a bare CR never does

    @live @may @rfc9112-2.2
    Scenario: a request whose lines end in bare LF is either rejected or read as if they ended in CRLF
      When the client sends:
        """
        GET / HTTP/1.1\n
        Host: example.com\n
        \n
        """
      Then the server either rejects the request or answers it

    @reference @may @rfc9112-2.2
    Scenario Outline: bare LF line endings under the reference server's <mode> parser
      Given the server parses leniently with "<lenient>"
      When the client sends:
        """
        GET / HTTP/1.1\n
        Host: example.com\n
        \n
        """
      Then the client receives a response with status <status>

      Examples:
        | mode                          | lenient               | status |
        | strict                        |                       | 400    |
        | optional-cr-before-lf lenient | optional-cr-before-lf | 200    |

    @live @must @rfc9112-2.2
    Scenario: a bare CR inside a field value is rejected or replaced by a space
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        X-Note: a\rb\r\n
        \r\n
        """
      Then the server either rejects the request or answers it

    @reference @must @rfc9112-2.2
    Scenario: the strict reference server rejects a bare CR
      When the client sends:
        """
        GET /echo HTTP/1.1\r\n
        Host: example.com\r\n
        X-Note: a\rb\r\n
        \r\n
        """
      Then the client receives a response with status 400
      And the server closes the connection

  Rule: Field lines have no folding and no whitespace before the colon

    @live @must @rfc9112-5.2
    Scenario: an obs-fold in a request is rejected or replaced by a space
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        X-Folded: first\r\n
        \tsecond\r\n
        \r\n
        """
      Then the server either rejects the request or answers it

    @reference @must @rfc9112-5.2
    Scenario: the strict reference server rejects obs-fold with 400
      When the client sends:
        """
        GET /echo HTTP/1.1\r\n
        Host: example.com\r\n
        X-Folded: first\r\n
        \tsecond\r\n
        \r\n
        """
      Then the client receives a response with status 400
      And the response body contains "HPE_INVALID_HEADER_TOKEN"
      And the server closes the connection

    @reference @must @rfc9112-5.2
    Scenario: the reference server in headers lenient mode replaces obs-fold with a space
      Given the server parses leniently with "headers"
      When the client sends:
        """
        GET /echo HTTP/1.1\r\n
        Host: example.com\r\n
        X-Folded: first\r\n
        \tsecond\r\n
        \r\n
        """
      Then the client receives a response with status 200
      And the echo shows the header "X-Folded" with value "first second"

    @live @must @rfc9112-5.1
    Scenario: whitespace between a field name and its colon is rejected with 400
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Transfer-Encoding : chunked\r\n
        \r\n
        0\r\n
        \r\n
        """
      Then the client receives a response with status 400

  Rule: Host is required exactly once in an HTTP/1.1 request

    @live @must @rfc9112-3.2
    Scenario Outline: a request with <what> is rejected with 400
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        <first field>\r\n
        <second field>\r\n
        \r\n
        """
      Then the client receives a response with status 400

      Examples:
        | what            | first field         | second field        |
        | no Host field   | User-Agent: conform | Accept: */*         |
        | two Host fields | Host: example.com   | Host: example.org   |
        | an invalid Host | Host: exa mple.com  | User-Agent: conform |

  Rule: A client sees the parse error of a malformed response and does not reuse its connection

    @reference @must @rfc9112-6.3
    Scenario: the agent refuses a response with two different Content-Length values
      A user agent that receives such a response MUST close the connection
      and discard the response.
      Given an agent that keeps sockets alive
      And a server that answers every request with:
        """
        HTTP/1.1 200 OK\r\n
        Content-Length: 2\r\n
        Content-Length: 3\r\n
        \r\n
        ok!
        """
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 1 fails with HPE_UNEXPECTED_CONTENT_LENGTH
      And the agent keeps 0 free sockets

    @reference @must @rfc9112-7.1
    Scenario: the agent refuses a response whose chunk size overflows
      Given an agent that keeps sockets alive
      And a server that answers every request with:
        """
        HTTP/1.1 200 OK\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        10000000000000002\r\n
        ok\r\n
        0\r\n
        \r\n
        """
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 1 fails with HPE_INVALID_CHUNK_SIZE
      And the agent keeps 0 free sockets

    @reference @may @rfc9112-2.2
    Scenario: the strict agent refuses a status line ending in bare LF
      Given an agent that keeps sockets alive
      And a server that answers every request with:
        """
        HTTP/1.1 200 OK\n
        Content-Length: 2\r\n
        \r\n
        ok
        """
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 1 fails with HPE_CR_EXPECTED
      And the agent keeps 0 free sockets

    @reference @may @rfc9110-5.4
    Scenario: the agent refuses a response head larger than its limit
      Given an agent that keeps sockets alive and reads response heads of at most 64 bytes
      And a server that answers every request with:
        """
        HTTP/1.1 200 OK\r\n
        X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n
        Content-Length: 2\r\n
        \r\n
        ok
        """
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 1 fails with HPE_HEADER_OVERFLOW
      And the agent keeps 0 free sockets

    @reference @must @rfc9112-5.2
    Scenario: an agent in headers lenient mode unfolds an obs-fold in a response
      A user agent MUST replace obs-fold in a response with spaces; the
      strict default agent refuses it instead (HPE_INVALID_HEADER_TOKEN),
      so a client that must talk to such servers enables "headers".
      Given an agent that keeps sockets alive and parses leniently with "headers"
      And a server that answers every request with:
        """
        HTTP/1.1 200 OK\r\n
        X-Folded: first\r\n
        \tsecond\r\n
        Content-Length: 2\r\n
        \r\n
        ok
        """
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 1 gets status 200
      And agent request 1 has header "X-Folded" with value "first second"
