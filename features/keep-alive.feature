Feature: Persistent connections — when a connection carries another request

  HTTP/1.1 connections persist by default: after a response the client
  may send the next request on the same connection. The "close"
  connection option ends that: the side that sends or receives it closes
  the connection after the response. An HTTP/1.0 connection closes after
  each response unless both sides use the old "keep-alive" option
  (RFC 9112 §9.3, §9.6).

  Rule: HTTP/1.1 keeps the connection; "close" ends it after the response

    @live @should @rfc9112-9.3
    Scenario: an HTTP/1.1 connection carries a second request
      When the client sends a GET request for "/"
      Then the client receives a response
      And the response header "Connection" does not contain the token "close"
      When the client sends a GET request for "/"
      Then the client receives a response

    @live @must @rfc9112-9.6
    Scenario: a request with Connection: close is answered, then the server closes the connection
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: close\r\n
        \r\n
        """
      Then the client receives a response
      And the server closes the connection

    @live @should @rfc9112-9.6
    Scenario: the answer to a request with Connection: close says close too
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: close\r\n
        \r\n
        """
      Then the client receives a response
      And the response header "Connection" contains the token "close"

    @reference @must @rfc9112-9.6
    Scenario: a server that answers with Connection: close closes the connection after that response
      When the client sends a GET request for "/close"
      Then the client receives a response with status 200
      And the response header "Connection" contains the token "close"
      And the server closes the connection

  Rule: HTTP/1.0 closes after each response unless both sides keep it alive

    @live @must @rfc9112-9.3
    Scenario: an HTTP/1.0 request without keep-alive is answered, then the connection closes
      When the client sends:
        """
        GET / HTTP/1.0\r\n
        Host: example.com\r\n
        \r\n
        """
      Then the client receives a response
      And the server closes the connection

    @live @must @rfc9112-9.3
    Scenario: a request pipelined after an HTTP/1.0 request without keep-alive is not answered
      When the client sends in one write:
        """
        GET / HTTP/1.0\r\nHost: example.com\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives a response
      And the server closes the connection

    @reference @may @rfc9112-9.3
    Scenario: the reference server honours HTTP/1.0 keep-alive
      When the client sends "GET / HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n"
      Then the client receives a response with status 200
      And the response header "Connection" contains the token "keep-alive"
      When the client sends "GET / HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n"
      Then the client receives a response with status 200

  Rule: The server decides how many requests one connection carries

    @reference @should @rfc9112-9.6
    Scenario: the last request a connection may carry is answered with Connection: close
      Given the server serves at most 2 requests per connection
      When the client sends a GET request for "/"
      Then the client receives a response with status 200
      And the response header "Connection" does not contain the token "close"
      When the client sends a GET request for "/"
      Then the client receives a response with status 200
      And the response header "Connection" contains the token "close"
      And the server closes the connection

  Rule: A client that stops sending still gets its answers, unless the server is told otherwise

    @reference @may @rfc9112-9.6
    Scenario: after the client half-closes, the server answers what it has read and then closes
      When the client sends in one write:
        """
        GET /delay?ms=50 HTTP/1.1\r\nHost: example.com\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      And the client closes its sending side
      Then the client receives 2 responses
      And the server closes the connection

    @reference @may @rfc9112-9.6
    Scenario: a server set to close on half-close abandons the requests it has not answered
      As Node.js does with allowHalfOpen false.
      Given the server closes the connection when the client half-closes
      When the client sends a GET request for "/delay?ms=50"
      And the client closes its sending side
      Then the server closes the connection without a response
