Feature: Expect: 100-continue — asking before sending a body

  A client about to send a large body can send the head alone with
  "Expect: 100-continue" and wait: the server answers either 100
  (Continue), and the client sends the body, or at once with a final
  status, and the body is never sent (RFC 9110 §10.1.1).

  The reference server sends the 100 when the handler first reads the
  body, as Node.js does when nobody listens for 'checkContinue'. Other
  expectations are answered 417 (Expectation Failed).

  Rule: The server answers the head at once

    @reference @must @rfc9110-10.1.1
    Scenario: the server sends 100 Continue, then the final response once the body has come
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Expect: 100-continue\r\n
        Content-Length: 5\r\n
        \r\n
        """
      Then the client receives a response with status 100
      When the client sends "hello"
      Then the client receives a response with status 200
      And the echo shows the body "hello"

    @live @must @rfc9110-10.1.1
    Scenario: a server answers the head of an Expect: 100-continue request without waiting for the body
      When the client sends:
        """
        POST / HTTP/1.1\r\n
        Host: example.com\r\n
        Expect: 100-continue\r\n
        Content-Length: 5\r\n
        \r\n
        """
      Then the server answers with 100 Continue or a final status before the body is sent

    @reference @should @rfc9110-10.1.1
    Scenario: a handler that refuses the request answers without 100 and closes the connection
      The client may or may not send the body now, so the server cannot
      tell where the next request would start: it says it will close, and
      does.
      When the client sends:
        """
        POST /status/413 HTTP/1.1\r\n
        Host: example.com\r\n
        Expect: 100-continue\r\n
        Content-Length: 5\r\n
        \r\n
        """
      Then the client receives a response with status 413
      And the response header "Connection" contains the token "close"
      And the server closes the connection

    @reference @may @rfc9110-10.1.1
    Scenario: a request without content gets no 100 Continue
      When the client sends:
        """
        GET / HTTP/1.1\r\n
        Host: example.com\r\n
        Expect: 100-continue\r\n
        \r\n
        """
      Then the client receives a response with status 200

  Rule: Only HTTP/1.1 and 100-continue are expectations the server acts on

    @live @must @rfc9110-10.1.1
    Scenario: an expectation in an HTTP/1.0 request is ignored
      When the client sends:
        """
        POST / HTTP/1.0\r\n
        Host: example.com\r\n
        Expect: 100-continue\r\n
        Content-Length: 5\r\n
        \r\n
        """
      And the client waits a moment
      And the client sends "hello"
      Then the client receives a response that is not 100 Continue

    @reference @may @rfc9110-10.1.1
    Scenario: an expectation the server does not know is answered 417
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Expect: the-moon\r\n
        Content-Length: 5\r\n
        \r\n
        hello
        """
      Then the client receives a response with status 417
      And the server closes the connection

  Rule: A client that expects 100-continue holds its body back, but not forever

    @reference @may @rfc9110-10.1.1
    Scenario: the agent sends the body only after 100 Continue
      Given an agent that keeps sockets alive
      When the agent sends a POST request for "http://origin.test/echo" with body "hello" and "Expect: 100-continue"
      Then agent request 1 got 100 Continue before it sent its body
      And agent request 1 gets status 200
      And the echo of agent request 1 shows the body "hello"

    @reference @may @rfc9110-10.1.1
    Scenario: the agent sends the body anyway when no 100 Continue comes
      The agent waits one second (DefaultContinueTimeout) for the 100.
      Given an agent that keeps sockets alive
      And a server that answers every request with:
        """
        HTTP/1.1 200 OK\r\n
        Content-Length: 2\r\n
        \r\n
        ok
        """
      When the agent sends a POST request for "http://origin.test/" with body "hello" and "Expect: 100-continue"
      Then agent request 1 gets status 200
      And agent request 1 got no 100 Continue
