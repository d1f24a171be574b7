Feature: The Agent — a client's pool of connections

  Opening a TCP connection costs a round trip, so a client keeps
  connections open and sends later requests on them. conform's Agent does
  what Node.js's http.Agent does (seed chapter 18.4): it names each pool
  by a key made of host, port, local address, address family and socket
  path; a request takes a free socket of its key, or dials a new one while
  the key has fewer than maxSockets, or waits in the key's queue. When a
  response ends, its socket goes to the first waiting request, else to
  the free list (at most maxFreeSockets of them), else it is closed.

  The agent's sockets here reach the reference server in memory, whatever
  host a URL names; the host only picks the pool.

  Rule: A free socket of the same key carries the next request

    @reference @may @rfc9112-9.3
    Scenario: a second request reuses the socket the first one freed
      Given an agent that keeps sockets alive
      When the agent sends a GET request for "http://origin.test/"
      And the agent sends a GET request for "http://origin.test/"
      Then agent request 1 got a new socket
      And agent request 2 reused the socket of agent request 1
      And the agent dialed 1 socket

    @reference @may @rfc9112-9.3
    Scenario: an agent without keep-alive dials a socket for every request
      Given an agent without keep-alive
      When the agent sends a GET request for "http://origin.test/"
      And the agent sends a GET request for "http://origin.test/"
      Then agent request 2 got a new socket
      And the agent dialed 2 sockets
      And the agent keeps 0 free sockets

    @reference @may @rfc9112-9.3
    Scenario: requests to different keys never share a socket
      Given an agent that keeps sockets alive
      When the agent sends a GET request for "http://a.test/"
      And the agent sends a GET request for "http://b.test/"
      And the agent sends a GET request for "http://a.test:8080/"
      Then the agent dialed 3 sockets
      And the agent keeps 3 free sockets
      And no agent request reused a socket

  Rule: maxSockets bounds the sockets per key; the requests beyond it wait their turn

    @reference @may @rfc9112-9.4
    Scenario: requests beyond maxSockets wait in the queue and are served in the order they came
      Given an agent that keeps sockets alive and uses at most 1 socket per key
      When the agent starts GET requests for "http://origin.test/delay?ms=100", "http://origin.test/delay?ms=10" and "http://origin.test/"
      Then every agent request completes
      And agent request 2 waited in the queue at position 1
      And agent request 3 waited in the queue at position 2
      And the agent served the requests in the order 1, 2, 3
      And the agent dialed 1 socket

    @reference @may @rfc9112-9.4
    Scenario: four requests share two sockets when maxSockets is 2
      Given an agent that keeps sockets alive and uses at most 2 sockets per key
      When the agent starts GET requests for "http://origin.test/delay?ms=30", "http://origin.test/delay?ms=20", "http://origin.test/delay?ms=10" and "http://origin.test/"
      Then every agent request completes
      And the agent dialed 2 sockets
      And agent request 3 waited in the queue at position 1
      And agent request 4 waited in the queue at position 2

  Rule: maxFreeSockets bounds the idle sockets kept; which free socket is taken is the scheduling

    @reference @may @rfc9112-9.3
    Scenario: sockets beyond maxFreeSockets are closed when their responses end
      Given an agent that keeps sockets alive and keeps at most 1 free socket per key
      When the agent starts GET requests for "http://origin.test/delay?ms=10", "http://origin.test/delay?ms=20" and "http://origin.test/delay?ms=30"
      Then every agent request completes
      And the agent dialed 3 sockets
      And the agent keeps 1 free socket
      And 2 sockets were closed because "maxFreeSockets reached"

    @reference @may @rfc9112-9.3
    Scenario Outline: with <scheduling> scheduling the next request takes the socket freed <which>
      Given an agent that keeps sockets alive and schedules free sockets <scheduling>
      When the agent starts GET requests for "http://origin.test/delay?ms=100" and "http://origin.test/delay?ms=300"
      Then every agent request completes
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 3 reused the socket of agent request <request>

      Examples:
        | scheduling | which | request |
        | lifo       | last  | 2       |
        | fifo       | first | 1       |

  Rule: A socket the server closes, or says it will close, is not used again

    @reference @must @rfc9112-9.6
    Scenario: a response with Connection: close takes its socket out of the pool
      Given an agent that keeps sockets alive
      When the agent sends a GET request for "http://origin.test/close"
      And the agent sends a GET request for "http://origin.test/"
      Then agent request 2 got a new socket
      And the agent dialed 2 sockets

    @reference @must @rfc9112-9.3
    Scenario: an HTTP/1.0 response without keep-alive takes its socket out of the pool
      Given an agent that keeps sockets alive
      And a server that answers every request with:
        """
        HTTP/1.0 200 OK\r\n
        Content-Length: 2\r\n
        \r\n
        ok
        """
      When the agent sends a GET request for "http://origin.test/"
      And the agent sends a GET request for "http://origin.test/"
      Then agent request 2 got a new socket
      And the agent dialed 2 sockets

    @reference @may @rfc9112-9.6
    Scenario: a socket the server closes hands its place to a waiting request
      The server here closes every connection after one response.
      Given the server serves at most 1 request per connection
      And an agent that keeps sockets alive and uses at most 1 socket per key
      When the agent starts GET requests for "http://origin.test/delay?ms=100" and "http://origin.test/"
      Then every agent request completes
      And agent request 2 waited in the queue at position 1
      And agent request 2 got a new socket
      And the agent dialed 2 sockets

    @reference @should @rfc9112-9.5
    Scenario: a free socket the server closes is removed, and the next request dials a new one
      Implementations SHOULD watch open connections for the peer's close.
      Given the server's keep-alive timeout is 5 seconds
      And an agent that keeps sockets alive
      When the agent sends a GET request for "http://origin.test/"
      And 6 seconds pass
      Then the agent keeps 0 free sockets
      When the agent sends a GET request for "http://origin.test/"
      Then agent request 2 got a new socket
      And agent request 2 gets status 200

    @reference @may @rfc9112-9.5
    Scenario: a free socket idle longer than the agent's timeout is closed
      Given an agent that keeps sockets alive and closes sockets idle for 2 seconds
      When the agent sends a GET request for "http://origin.test/"
      Then the agent keeps 1 free socket
      When 3 seconds pass
      Then the agent keeps 0 free sockets
