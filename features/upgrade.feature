Feature: Upgrade — switching protocols on an HTTP/1.1 connection

  A client offers other protocols with an Upgrade field, and lists
  "upgrade" in Connection so that no intermediary forwards the offer. A
  server that accepts answers 101 (Switching Protocols), names the protocol
  it switches to, and speaks it right after the empty line that ends the
  101. A server may also ignore the offer and answer in HTTP/1.1
  (RFC 9110 §7.8).

  The reference target's upgrade hook speaks "conform-echo", a protocol
  that sends every byte back.

  Rule: A 101 names the protocol, and the new protocol starts right after it

    @reference @must @rfc9110-7.8
    Scenario: the server switches to the offered protocol and speaks it
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: upgrade\r\n
        Upgrade: conform-echo\r\n
        \r\n
        """
      Then the client receives a response with status 101
      And the response header "Upgrade" contains the token "conform-echo"
      And the response header "Connection" contains the token "upgrade"
      When the client sends "hello"
      Then the client receives "hello" through the tunnel

    @reference @must @rfc9110-7.8
    Scenario: bytes sent right after the upgrade request belong to the new protocol
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: upgrade\r\n
        Upgrade: conform-echo\r\n
        \r\n
        early bytes
        """
      Then the client receives a response with status 101
      And the client receives "early bytes" through the tunnel

    @reference @must @rfc9110-7.8
    Scenario: the server does not switch to a protocol the client did not offer
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: upgrade\r\n
        Upgrade: something-else/1\r\n
        \r\n
        """
      Then the client receives a response with status 200

  Rule: A server may ignore Upgrade and go on in HTTP/1.1

    @reference @may @rfc9110-7.8
    Scenario: without an upgrade hook the server ignores the offer and keeps speaking HTTP/1.1
      Given the server has no upgrade handler
      When the client sends in one write:
        """
        GET / HTTP/1.1\r\nHost: example.com\r\nConnection: upgrade\r\nUpgrade: conform-echo\r\n\r\n
        GET / HTTP/1.1\r\nHost: example.com\r\n\r\n
        """
      Then the client receives 2 responses
      And response 1 has status 200
      And response 2 has status 200

    @reference @may @rfc9110-7.8
    Scenario: an upgrade request with a body goes to the ordinary handler
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: upgrade\r\n
        Upgrade: conform-echo\r\n
        Content-Length: 4\r\n
        \r\n
        body
        """
      Then the client receives a response with status 200
      And the echo shows the body "body"

    @live @must @rfc9110-7.8
    Scenario: a server does not switch to a protocol nobody offered
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Connection: upgrade\r\n
        Upgrade: conform-test/1\r\n
        \r\n
        """
      Then the client receives a response
      And a 101 response, if one comes, names "conform-test/1" in Upgrade

    @live @must @rfc9110-7.8
    Scenario: Upgrade in an HTTP/1.0 request is ignored
      When the client sends:
        """
        GET / HTTP/1.0\r\n
        Host: example.com\r\n
        Connection: upgrade\r\n
        Upgrade: conform-echo\r\n
        \r\n
        """
      Then the client receives a response
      And the response status is not 101
