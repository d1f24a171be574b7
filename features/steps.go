package features

import "github.com/cucumber/godog"

// Step arguments in quotes may contain escapes (see escape.go); quoted
// matches a quoted argument, escaped quotes included.
const quoted = `"((?:[^"\\]|\\.)*)"`

// registerSteps binds every step to w. The steps are listed here, by
// concern, so that this function reads as the vocabulary of the feature
// files; each is a method in the steps_*.go file of its concern.
func (w *world) registerSteps(sc *godog.ScenarioContext) {
	// Connections and bytes sent (steps_send.go).
	w.step(sc, `^a connection to the server$`, w.openConnection)
	w.step(sc, `^the client sends:$`, w.sendDoc)
	w.step(sc, `^the client sends in one write:$`, w.sendDoc)
	w.step(sc, `^the client sends `+quoted+`$`, w.sendInline)
	w.step(sc, `^the client sends an? (GET|HEAD|POST|PUT|DELETE|OPTIONS) request for "([^"]*)"$`, w.sendRequest)
	w.step(sc, `^the client sends (\d+) pipelined GET requests for "([^"]*)"$`, w.sendPipelined)
	w.step(sc, `^the client sends a GET request for "([^"]*)" whose head is (\d+) bytes$`, w.sendSizedHead)
	w.step(sc, `^the client sends a GET request for "([^"]*)" with (\d+) header fields$`, w.sendManyFields)
	w.step(sc, `^the client sends a GET request for "([^"]*)" with a header field of (\d+) bytes$`, w.sendBigField)
	w.step(sc, `^the client sends a GET request for a target of (\d+) bytes$`, w.sendLongTarget)
	w.step(sc, `^the client sends a trailer field of (\d+) bytes$`, w.sendBigTrailer)
	w.step(sc, `^the client starts sending (\d+) pipelined GET requests for "([^"]*)" without reading$`, w.startFlood)
	w.step(sc, `^the client closes its sending side$`, w.halfClose)
	w.step(sc, `^the client waits a moment$`, w.waitMoment)

	// What comes back (steps_receive.go).
	w.step(sc, `^the client receives a response$`, w.receiveAny)
	w.step(sc, `^the client receives a response with status (\d+)$`, w.receiveStatus)
	w.step(sc, `^the client receives a response with status (\d+) or (\d+)$`, w.receiveEither)
	w.step(sc, `^the client receives a response that is not 100 Continue$`, w.receiveNot100)
	w.step(sc, `^the client receives (\d+) responses$`, w.receiveN)
	w.step(sc, `^the client reads every response$`, w.receiveAll)
	w.step(sc, `^the client has received (\d+) responses$`, w.haveReceived)
	w.step(sc, `^the client receives `+quoted+` through the tunnel$`, w.receiveTunnel)
	w.step(sc, `^the server closes the connection$`, w.serverCloses)
	w.step(sc, `^the server closes the connection without a response$`, w.serverClosesSilently)
	w.step(sc, `^the connection is still open$`, w.stillOpen)
	w.step(sc, `^no further response arrives$`, w.noFurtherResponse)
	w.step(sc, `^the server rejects the request$`, w.serverRejects)
	w.step(sc, `^the server either rejects the request or answers it$`, w.rejectsOrAnswers)
	w.step(sc, `^the server answers with 100 Continue or a final status before the body is sent$`, w.answersExpect)
	w.step(sc, `^a 2xx response, if one comes, has neither Content-Length nor Transfer-Encoding$`, w.connectUnframed)
	w.step(sc, `^a 101 response, if one comes, names "([^"]*)" in Upgrade$`, w.switchNames)

	// The response a step took (steps_response.go).
	w.step(sc, `^the response status is not (\d+)$`, w.statusIsNot)
	w.step(sc, `^if the server refused the request, it answered (\d+)$`, w.refusedWith)
	w.step(sc, `^the response body contains `+quoted+`$`, w.bodyContains)
	w.step(sc, `^the response has no header "([^"]*)"$`, w.noHeader)
	w.step(sc, `^the response header "([^"]*)" contains the token "([^"]*)"$`, w.headerHasToken)
	w.step(sc, `^the response header "([^"]*)" does not contain the token "([^"]*)"$`, w.headerLacksToken)
	w.step(sc, `^response (\d+) has status (\d+)$`, w.nthStatus)
	w.step(sc, `^response (\d+) has body `+quoted+`$`, w.nthBody)
	w.step(sc, `^response (\d+) has header "([^"]*)" with value "([^"]*)"$`, w.nthHeader)

	// What the reference server's /echo says it read (steps_echo.go).
	w.step(sc, `^the echo shows the body `+quoted+`$`, w.echoBody)
	w.step(sc, `^the echo shows the header "([^"]*)" with value `+quoted+`$`, w.echoHeader)
	w.step(sc, `^the echo shows (none|content-length|chunked|until-close) framing$`, w.echoFraming)
	w.step(sc, `^response (\d+) echoes the body `+quoted+`$`, w.nthEchoBody)
	w.step(sc, `^the echo of agent request (\d+) shows the body `+quoted+`$`, w.agentEchoBody)

	// The reference server: configuration and observation (steps_server.go).
	w.step(sc, `^the server parses leniently with "([^"]*)"$`, w.serverLenient)
	w.step(sc, `^the server's (headers|request|keep-alive) timeout is (\d+) seconds?$`, w.serverTimeout)
	w.step(sc, `^the server's maximum header size is (\d+) bytes$`, w.serverMaxHeaderSize)
	w.step(sc, `^the server accepts at most (\d+) header fields$`, w.serverMaxHeaders)
	w.step(sc, `^the server serves at most (\d+) requests? per connection$`, w.serverMaxRequests)
	w.step(sc, `^the server's high-water mark is (\d+) bytes$`, w.serverHighWater)
	w.step(sc, `^the server's pipeline limit is (\d+) requests$`, w.serverPipelineLimit)
	w.step(sc, `^the client's receive buffer holds (\d+) bytes$`, w.clientBuffer)
	w.step(sc, `^the server has no CONNECT handler$`, w.noConnectHook)
	w.step(sc, `^the server has no upgrade handler$`, w.noUpgradeHook)
	w.step(sc, `^the server closes the connection when the client half-closes$`, w.closeOnHalfClose)
	w.step(sc, `^the proxy can reach an echo service at "([^"]*)"$`, w.echoUpstream)
	w.step(sc, `^the proxy can reach a counting service at "([^"]*)"$`, w.countUpstream)
	w.step(sc, `^a server that answers every request with:$`, w.scriptedServer)
	w.step(sc, `^the handlers finished in the order (.+)$`, w.finishOrder)
	w.step(sc, `^the server has started at most (\d+) handlers$`, w.startedAtMost)
	w.step(sc, `^the server has started (\d+) handlers$`, w.startedExactly)
	w.step(sc, `^the server reported an? (headers|request|keep-alive|idle) timeout$`, w.reportedTimeout)
	w.step(sc, `^the echo service at "([^"]*)" received `+quoted+`$`, w.upstreamReceived)

	// Time (steps_time.go).
	w.step(sc, `^(\d+) seconds? pass(?:es)?$`, w.secondsPass)
	w.step(sc, `^the connection stays idle for longer than the server's keep-alive timeout$`, w.idlePastKeepAlive)
	w.step(sc, `^more time passes than the server's headers timeout$`, w.pastHeadersTimeout)

	// The Agent (steps_agent.go).
	w.step(sc, `^an agent that keeps sockets alive$`, w.agentKeepAlive)
	w.step(sc, `^an agent without keep-alive$`, w.agentNoKeepAlive)
	w.step(sc, `^an agent that keeps sockets alive and uses at most (\d+) sockets? per key$`, w.agentMaxSockets)
	w.step(sc, `^an agent that keeps sockets alive and keeps at most (\d+) free sockets? per key$`, w.agentMaxFree)
	w.step(sc, `^an agent that keeps sockets alive and schedules free sockets (lifo|fifo)$`, w.agentScheduling)
	w.step(sc, `^an agent that keeps sockets alive and closes sockets idle for (\d+) seconds?$`, w.agentTimeout)
	w.step(sc, `^an agent that keeps sockets alive and parses leniently with "([^"]*)"$`, w.agentLenient)
	w.step(sc, `^an agent that keeps sockets alive and reads response heads of at most (\d+) bytes$`, w.agentMaxHeader)
	w.step(sc, `^the agent sends a GET request for "([^"]*)"$`, w.agentGet)
	w.step(sc, `^the agent sends a POST request for "([^"]*)" with body "([^"]*)" and "Expect: 100-continue"$`, w.agentPostExpect)
	w.step(sc, `^the agent starts GET requests for (.+)$`, w.agentStartMany)
	w.step(sc, `^every agent request completes$`, w.agentAllDone)
	w.step(sc, `^agent request (\d+) got a new socket$`, w.agentNewSocket)
	w.step(sc, `^agent request (\d+) reused the socket of agent request (\d+)$`, w.agentReused)
	w.step(sc, `^no agent request reused a socket$`, w.agentNoReuse)
	w.step(sc, `^agent request (\d+) waited in the queue at position (\d+)$`, w.agentQueued)
	w.step(sc, `^the agent served the requests in the order (.+)$`, w.agentOrder)
	w.step(sc, `^the agent dialed (\d+) sockets?$`, w.agentDialed)
	w.step(sc, `^the agent keeps (\d+) free sockets?$`, w.agentFree)
	w.step(sc, `^(\d+) sockets? (?:was|were) closed because "([^"]*)"$`, w.agentClosedBecause)
	w.step(sc, `^agent request (\d+) fails with (HPE_[A-Z_]+)$`, w.agentFailsWith)
	w.step(sc, `^agent request (\d+) gets status (\d+)$`, w.agentStatus)
	w.step(sc, `^agent request (\d+) has header "([^"]*)" with value "([^"]*)"$`, w.agentHeader)
	w.step(sc, `^agent request (\d+) got 100 Continue before it sent its body$`, w.agentContinueFirst)
	w.step(sc, `^agent request (\d+) got no 100 Continue$`, w.agentNoContinue)
}
