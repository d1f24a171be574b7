Feature: Pipelining — several requests in flight on one connection

  A client may send its next requests without waiting for the responses
  to the earlier ones. HTTP/1.1 has no request ids, so the client pairs
  each response with a request by order alone: a server MUST answer
  pipelined requests in the order it received them, and MAY work on them
  in parallel while it does (RFC 9112 §9.3.2).

  The reference server does what the seed chapter describes for Node.js:
  each request's handler starts as soon as its head is read, and each
  response waits in a queue until every earlier response has been sent.

  Rule: Responses come back in request order, however long each takes

    @reference @must @rfc9112-9.3.2
    Scenario: three requests are answered in order while the first handler is the slowest
      When the client sends in one write:
        """
        GET /delay?ms=300 HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET /delay?ms=100 HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET /delay?ms=0 HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 3 responses
      And response 1 has body "delayed 300 ms"
      And response 2 has body "delayed 100 ms"
      And response 3 has body "delayed 0 ms"

    @reference @may @rfc9112-9.3.2
    Scenario: the reference server works on pipelined requests in parallel
      When the client sends in one write:
        """
        GET /delay?ms=300 HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET /delay?ms=100 HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET /delay?ms=0 HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 3 responses
      And the handlers finished in the order "/delay?ms=0", "/delay?ms=100", "/delay?ms=300"

    @live @must @rfc9112-9.3.2
    Scenario: three pipelined requests sent in one write get three complete responses
      When the client sends 3 pipelined GET requests for "/"
      Then the client receives 3 responses

    @live @must @rfc9112-6.3
    Scenario: a HEAD request inside a pipeline gets a response without content
      The response to HEAD has no body even when it announces a
      Content-Length; a server that sent one anyway would shift every
      later response, and the third would not parse.
      When the client sends in one write:
        """
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        HEAD / HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 3 responses

  Rule: The end of the connection ends the pipeline

    # The request after the last response is never given to a handler: an
    # unanswered request must not take effect.
    @reference @must @rfc9112-9.6
    Scenario: a response with Connection: close in the middle ends the pipeline
      When the client sends in one write:
        """
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET /close HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 2 responses
      And response 2 has header "Connection" with value "close"
      And the server closes the connection
      And the server has started 2 handlers

    @live @must @rfc9112-9.6
    Scenario: requests pipelined after one with Connection: close are not answered
      When the client sends in one write:
        """
        GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives a response
      And the server closes the connection

    @live @must @rfc9112-9.6
    Scenario: a malformed request in the middle of a pipeline is refused and ends the connection
      The server cannot know where the request after a malformed one
      starts, so it answers the requests before it, refuses it, and
      answers nothing after it.
      When the client sends in one write:
        """
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\nBad Field: x\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives a response
      And the server rejects the request
      And the server closes the connection

  Rule: A request body is read by its framing, so the next request starts right after it

    @live @must @rfc9112-6.3
    Scenario: a request pipelined after a POST with a Content-Length body is answered
      The body here looks like a request; a server that did not read it as
      the body would answer it.
      When the client sends in one write:
        """
        POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 24\r\n\r\n
        GET /hidden HTTP/1.1\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 2 responses
      And no further response arrives

    @live @must @rfc9112-7.1
    Scenario: a request pipelined after a POST with a chunked body is answered
      When the client sends in one write:
        """
        POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n
        5\r\nhello\r\n0\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 2 responses
      And no further response arrives

    @reference @must @rfc9112-6.3
    Scenario: the reference server hands each pipelined body to its own request
      When the client sends in one write:
        """
        POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nfirst
        POST /echo HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n
        6\r\nsecond\r\n0\r\n\r\n
        """
      Then the client receives 2 responses
      And response 1 echoes the body "first"
      And response 2 echoes the body "second"

  Rule: A client that does not read cannot make the server buffer without bound

    @reference @should @rfc9112-9.3.2
    Scenario: the server stops reading while a non-reading client's responses pile up
      The seed's socket.pause(): once the responses waiting to be sent pass
      the high-water mark, or enough requests wait for their responses, the
      server reads no more requests until the client has taken some. Here
      at most 16 requests wait, and the client's buffer holds about four
      responses: the server works on at most 16 + 4 requests at a time.
      Given the server's pipeline limit is 16 requests
      And the server's high-water mark is 4096 bytes
      And the client's receive buffer holds 4096 bytes
      When the client starts sending 1000 pipelined GET requests for "/big?bytes=1000" without reading
      Then the server has started at most 20 handlers
      When the client reads every response
      Then the client has received 1000 responses
      And the server has started 1000 handlers
