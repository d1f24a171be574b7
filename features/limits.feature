Feature: Limits — how much a server reads for one request

  A server bounds what one request may make it hold: the size of the
  request head, the number of header fields, and how many requests one
  connection may carry. A request beyond a limit is refused with a 4xx
  status, 431 (Request Header Fields Too Large) for a head that is too big
  (RFC 9110 §5.4, RFC 6585 §5), and the connection is closed, since the
  rest of the refused message cannot be read reliably.

  The reference server's defaults are Node.js's: 16 KiB of head, 100
  header fields, no limit on requests per connection. These scenarios set
  smaller limits.

  Rule: The request head has a size limit

    @reference @must @rfc9110-5.4
    Scenario Outline: a request head of <size> bytes against a 1024-byte limit is answered <status>
      Given the server's maximum header size is 1024 bytes
      When the client sends a GET request for "/" whose head is <size> bytes
      Then the client receives a response with status <status>

      Examples:
        | size | status |
        | 1024 | 200    |
        | 1025 | 431    |

    @reference @must @rfc9110-5.4
    Scenario: a head over the limit is refused with 431 and the connection closes
      Given the server's maximum header size is 1024 bytes
      When the client sends a GET request for "/" whose head is 4000 bytes
      Then the client receives a response with status 431
      And the server closes the connection

    @reference @must @rfc9110-5.4
    Scenario: the trailer section of a chunked body has its own size limit
      Given the server's maximum header size is 1024 bytes
      When the client sends:
        """
        POST /echo HTTP/1.1\r\n
        Host: example.com\r\n
        Transfer-Encoding: chunked\r\n
        \r\n
        5\r\n
        hello\r\n
        0\r\n
        """
      And the client sends a trailer field of 2000 bytes
      Then the client receives a response with status 431
      And the server closes the connection

    @live @must @rfc9110-5.4
    Scenario: a 64 KiB header field is answered, not dropped
      A server may accept a head this large, or refuse it with a 4xx
      status; it must not just close the connection.
      When the client sends a GET request for "/" with a header field of 65536 bytes
      Then the client receives a response

  Rule: A request-target too long to parse has its own status, 414

    @live @must @rfc9112-3
    Scenario: a request-target too long for the server is refused with 414, not 431
      A server that will not parse a request-target this long answers 414
      (URI Too Long); 431 is for header fields. A server may also accept
      it and answer as usual.
      When the client sends a GET request for a target of 65536 bytes
      Then the client receives a response
      And if the server refused the request, it answered 414

  Rule: The number of header fields has a limit

    @reference @must @rfc9110-5.4
    Scenario Outline: a request with <count> header fields against a limit of 10 is answered <status>
      Given the server accepts at most 10 header fields
      When the client sends a GET request for "/" with <count> header fields
      Then the client receives a response with status <status>

      Examples:
        | count | status |
        | 10    | 200    |
        | 11    | 431    |

  Rule: A connection may carry a limited number of requests

    @reference @should @rfc9112-9.6
    Scenario: requests pipelined beyond the per-connection limit are not answered
      Given the server serves at most 2 requests per connection
      When the client sends 3 pipelined GET requests for "/"
      Then the client receives 2 responses
      And response 2 has header "Connection" with value "close"
      And the server closes the connection
