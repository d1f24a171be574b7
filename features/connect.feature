Feature: CONNECT — turning a connection into a tunnel

  CONNECT asks a proxy to open a TCP connection to the authority in its
  request-target and then relay bytes both ways. A 2xx answer turns the
  HTTP connection into a tunnel at the end of the response head; from then
  on nothing on it is HTTP (RFC 9110 §9.3.6).

  The reference server gives CONNECT requests to its connect hook (Node's
  'connect' event) with the raw connection and the bytes that arrived after
  the request head. The reference target's hook is the seed chapter's
  proxy, restricted to the upstream services a scenario names.

  Background:
    Given the proxy can reach an echo service at "echo.test:7"

  Rule: A 2xx answer opens a tunnel that relays bytes both ways

    @reference @must @rfc9110-9.3.6
    Scenario: the tunnel relays bytes both ways
      When the client sends "CONNECT echo.test:7 HTTP/1.1\r\nHost: echo.test:7\r\n\r\n"
      Then the client receives a response with status 200
      When the client sends "ping"
      Then the client receives "ping" through the tunnel
      And the echo service at "echo.test:7" received "ping"

    @reference @must @rfc9110-9.3.6
    Scenario: a 2xx answer to CONNECT has no Content-Length or Transfer-Encoding
      When the client sends "CONNECT echo.test:7 HTTP/1.1\r\nHost: echo.test:7\r\n\r\n"
      Then the client receives a response with status 200
      And the response has no header "Content-Length"
      And the response has no header "Transfer-Encoding"

    @reference @should @rfc9110-9.3.6
    Scenario: bytes sent right after the CONNECT head reach the upstream
      A client may start talking through the tunnel in the same write as
      the CONNECT request (the seed's "head"); those bytes belong to the
      tunnel, not to a next HTTP request.
      When the client sends "CONNECT echo.test:7 HTTP/1.1\r\nHost: echo.test:7\r\n\r\nGET / HTTP/1.1\r\n\r\n"
      Then the client receives a response with status 200
      And the client receives "GET / HTTP/1.1\r\n\r\n" through the tunnel
      And the echo service at "echo.test:7" received "GET / HTTP/1.1\r\n\r\n"

    @reference @must @rfc9110-9.3.6
    Scenario: when the client half-closes, the upstream sees the end and its last bytes still come back
      A tunnel ends when one side closes: the proxy passes the end on and
      still delivers what the other side sends before it closes too.
      Given the proxy can reach a counting service at "count.test:9"
      When the client sends "CONNECT count.test:9 HTTP/1.1\r\nHost: count.test:9\r\n\r\n"
      Then the client receives a response with status 200
      When the client sends "12345"
      And the client closes its sending side
      Then the client receives "received 5 bytes" through the tunnel
      And the server closes the connection

    @reference @must @rfc9112-9.3.2
    Scenario: responses to requests pipelined before CONNECT are sent before the tunnel opens
      When the client sends in one write:
        """
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        CONNECT echo.test:7 HTTP/1.1\r\nHost: echo.test:7\r\n\r\n
        hello
        """
      Then the client receives 2 responses
      And response 1 has body "ok"
      And response 2 has status 200
      And the client receives "hello" through the tunnel

  Rule: A CONNECT the server will not serve opens no tunnel

    @reference @should @rfc9110-9.3.6
    Scenario: CONNECT to an address the proxy does not allow is refused
      When the client sends "CONNECT 10.0.0.1:22 HTTP/1.1\r\nHost: 10.0.0.1:22\r\n\r\nSSH-2.0-probe\r\n"
      Then the client receives a response with status 403
      And the server closes the connection

    @reference @may @rfc9110-9.3.6
    Scenario: without a connect hook the reference server closes the connection without an answer
      As Node.js does when nobody listens for 'connect'.
      Given the server has no CONNECT handler
      When the client sends "CONNECT echo.test:7 HTTP/1.1\r\nHost: echo.test:7\r\n\r\n"
      Then the server closes the connection without a response

    @live @must @rfc9110-9.3.6
    Scenario: any 2xx answer to CONNECT comes without body framing
      A server that is not a proxy refuses CONNECT; one that accepts it
      must not send Content-Length or Transfer-Encoding, since what follows
      the head is tunnel data.
      When the client sends "CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n"
      Then a 2xx response, if one comes, has neither Content-Length nor Transfer-Encoding
