Feature: Timeouts — a server does not wait forever

  A client that opens connections and then sends slowly, or not at all,
  can hold a server's resources without end (slowloris). The seed chapter
  describes Node.js's defences, which the reference server shares: a
  headers timeout from the first byte of a request to the end of its head
  (answered 408 Request Timeout), a request timeout for the whole request,
  and a keep-alive timeout that closes an idle connection between requests
  silently. A server that times out SHOULD close gracefully
  (RFC 9112 §9.5), and 408 SHOULD say it closes (RFC 9110 §15.5.9).

  On the reference target these scenarios run on testing/synctest's fake
  clock under go test: a minute passes in no time. The @slow ones wait for
  real, against a live server whose timeouts are given to the run.

  Rule: A request head must be complete within the headers timeout

    @reference @should @rfc9110-15.5.9
    Scenario: an incomplete head is answered 408 when the headers timeout expires, and the connection closes
      Given the server's headers timeout is 10 seconds
      When the client sends "GET / HTTP/1.1\r\nHost: example.com\r\n"
      And 11 seconds pass
      Then the client receives a response with status 408
      And the response header "Connection" contains the token "close"
      And the server closes the connection
      And the server reported a headers timeout

    @reference @should @rfc9112-9.5
    Scenario: a head sent a few bytes at a time is cut off when the headers timeout expires
      Each piece arrives well within the timeout; what counts is the time
      since the head's first byte.
      Given the server's headers timeout is 10 seconds
      When the client sends "GET / HTTP/1.1\r\n"
      And 4 seconds pass
      And the client sends "Host: example.com\r\n"
      And 4 seconds pass
      And the client sends "X-Slow: 1\r\n"
      And 4 seconds pass
      Then the client receives a response with status 408
      And the server closes the connection

    @reference @should @rfc9112-9.5
    Scenario: a head completed just within the headers timeout is answered
      Given the server's headers timeout is 10 seconds
      When the client sends "GET / HTTP/1.1\r\nHost: example.com\r\n"
      And 9 seconds pass
      And the client sends "\r\n"
      Then the client receives a response with status 200

    @reference @should @rfc9112-9.5
    Scenario: the headers timer restarts for the next request on a kept-alive connection
      The seed resets the start of the headers timer when a request ends,
      so that a request is not charged for the ones before it. The
      reference server starts the timer at each request's first byte, so
      the idle time between requests (bounded by the keep-alive timeout)
      does not count either.
      Given the server's headers timeout is 10 seconds
      And the server's keep-alive timeout is 60 seconds
      When the client sends "GET / HTTP/1.1\r\n"
      And 8 seconds pass
      And the client sends "Host: example.com\r\n\r\n"
      Then the client receives a response with status 200
      When 30 seconds pass
      And the client sends "GET / HTTP/1.1\r\n"
      And 8 seconds pass
      And the client sends "Host: example.com\r\n\r\n"
      Then the client receives a response with status 200

    @reference @should @rfc9112-9.5
    Scenario: a connection that never sends a byte is closed silently after the headers timeout
      Given the server's headers timeout is 10 seconds
      And a connection to the server
      When 11 seconds pass
      Then the server closes the connection without a response

  Rule: The whole request, body included, must arrive within the request timeout

    @reference @should @rfc9110-15.5.9
    Scenario: a body that arrives too slowly is cut off with 408
      Given the server's request timeout is 30 seconds
      When the client sends "POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\nabc"
      And 31 seconds pass
      Then the client receives a response with status 408
      And the server closes the connection
      And the server reported a request timeout

    @reference @should @rfc9112-9.5
    Scenario: the headers timeout does not apply to the body
      Given the server's headers timeout is 10 seconds
      And the server's request timeout is 60 seconds
      When the client sends "POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 10\r\n\r\nabc"
      And 20 seconds pass
      And the client sends "defghij"
      Then the client receives a response with status 200
      And the echo shows the body "abcdefghij"

  Rule: An idle connection between requests is closed silently after the keep-alive timeout

    @reference @should @rfc9112-9.5
    Scenario: a connection idle past the keep-alive timeout is closed without a response
      Given the server's keep-alive timeout is 5 seconds
      When the client sends a GET request for "/"
      Then the client receives a response with status 200
      When 6 seconds pass
      Then the server closes the connection
      And the server reported a keep-alive timeout

    @reference @should @rfc9112-9.3
    Scenario: a connection idle for less than the keep-alive timeout carries the next request
      Given the server's keep-alive timeout is 5 seconds
      When the client sends a GET request for "/"
      Then the client receives a response with status 200
      When 4 seconds pass
      Then the connection is still open
      When the client sends a GET request for "/"
      Then the client receives a response with status 200

    @reference @should @rfc9112-9.5
    Scenario: the keep-alive timer starts when the response has been sent, not when the request came
      A handler slower than the keep-alive timeout still gets its answer
      out, and the connection then gets the whole idle time.
      Given the server's keep-alive timeout is 5 seconds
      When the client sends a GET request for "/delay?ms=8000"
      Then the client receives a response with status 200
      When 4 seconds pass
      Then the connection is still open

  Rule: A live server closes connections that stay silent

    @live @slow @should @rfc9112-9.5
    Scenario: a live server closes a connection left idle past its keep-alive timeout
      When the client sends a GET request for "/"
      Then the client receives a response
      When the connection stays idle for longer than the server's keep-alive timeout
      Then the server closes the connection

    @live @slow @should @rfc9112-9.5
    Scenario: a live server gives up on a head that never completes
      When the client sends "GET / HTTP/1.1\r\nHost: example.com\r\n"
      And more time passes than the server's headers timeout
      Then the server rejects the request
