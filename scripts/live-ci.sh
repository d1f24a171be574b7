#!/usr/bin/env bash
# live-ci.sh — conform against real servers: nginx and Node.js, from CI.
#
#   scripts/live-ci.sh [OUTDIR]        (default OUTDIR: reports/out/live)
#
# 1. Installs nginx and chromium from Debian's packages when they are missing
#    (needs root then; Go and node must already be there).
# 2. Starts nginx on 127.0.0.1 (scripts/nginx.conf: Debian's http defaults
#    and one location answering 200) with a temporary prefix for its pid
#    file, logs and temp files, and scripts/hello-server.js (Node's
#    http.createServer) on another loopback port. Ports come from
#    18080-18099, the first two found free.
# 3. Waits for both to accept and answer, with a deadline.
# 4. Runs `conform run` over the matrix reference (the embedded server),
#    nginx and node, writing report.html, results.json, junit.xml and the
#    run's output into OUTDIR. Exit status 3 (non-conformance found) is
#    expected from real servers; 1, 2 or a timeout fail the script.
# 5. Renders the report in headless Chromium: its DOM (OUTDIR/dom.html) and
#    a screenshot (OUTDIR/report.png).
# 6. Checks facts known about the three servers and the rendered DOM
#    (scripts/checkresults; output in OUTDIR/facts.txt). A check the facts
#    rest on that conform could not decide (verdict error) is run once more.
#
# Every wait has a deadline; both servers and any browser are stopped by pid
# on every exit. Exit status: 0 when every fact held, else non-zero.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
out=${1:-$root/reports/out/live}

port_lo=18080          # ports tried for the two servers, lowest first
port_hi=18099
start_deadline=60      # seconds for a server to accept and answer
conform_deadline=300   # seconds for conform run
chromium_deadline=180  # seconds for each Chromium invocation
build_deadline=600     # seconds for each go build (a cold module cache)

log() { printf 'live-ci: %s\n' "$*"; }
die() {
	printf 'live-ci: error: %s\n' "$*" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/conform-live.XXXXXX")
chmod 0755 "$work" # nginx workers may run as nobody
servers=()         # pids of nginx's master and node, stopped at exit
fg_pid=            # a bounded foreground command (build, run, browser)
started=$SECONDS

# stop ends one process we started: TERM, up to 10 s to go, then KILL (and
# for nginx's master its workers, found by parent pid).
stop() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	log "pid $pid did not stop on TERM within 10s; killing it"
	if command -v pgrep >/dev/null; then
		local child
		for child in $(pgrep -P "$pid" || true); do kill -KILL "$child" 2>/dev/null || true; done
	fi
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	if [[ -n $fg_pid ]]; then stop "$fg_pid"; fi
	for pid in "${servers[@]}"; do stop "$pid"; done
	for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
	log "done in $((SECONDS - started))s, exit status $rc"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bounded SECS OUT ERR CMD...: runs CMD under timeout in the background,
# its output appended to the files OUT and ERR ("-": this script's own), and
# waits for it, so that a signal to this script is handled at once and
# cleanup can stop it. The redirections stay inside: a function call
# redirected from outside would send cleanup's own messages to the file too.
# Returns CMD's status (124 on timeout).
bounded() {
	local secs=$1 o=$2 e=$3 rc=0
	shift 3
	if [[ $o == - && $e == - ]]; then
		timeout --kill-after=10 "$secs" "$@" &
	elif [[ $o == - ]]; then
		timeout --kill-after=10 "$secs" "$@" 2>>"$e" &
	elif [[ $e == - ]]; then
		timeout --kill-after=10 "$secs" "$@" >>"$o" &
	else
		timeout --kill-after=10 "$secs" "$@" >>"$o" 2>>"$e" &
	fi
	fg_pid=$!
	wait "$fg_pid" || rc=$?
	fg_pid=
	return "$rc"
}

# ---- 1. tools -------------------------------------------------------------

command -v go >/dev/null || die "go is not on PATH; this script runs on a machine with Go installed"
command -v node >/dev/null || die "node is not on PATH; this script checks the machine's Node.js"

nginx_bin() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }
chromium_bin() { command -v chromium || command -v chromium-browser || true; }

missing=()
[[ -n $(nginx_bin) ]] || missing+=(nginx)
[[ -n $(chromium_bin) ]] || missing+=(chromium)
if ((${#missing[@]} > 0)); then
	[[ $(id -u) == 0 ]] || die "${missing[*]} missing and not root: install them (apt-get install ${missing[*]}) or run as root"
	command -v apt-get >/dev/null || die "${missing[*]} missing and no apt-get to install them with"
	log "installing ${missing[*]} from Debian's packages (log: $work/apt.log)"
	# Keep the packages' maintainer scripts from starting a system nginx on
	# port 80: policy-rc.d answering 101 forbids service starts.
	made_policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	apt_rc=0
	apt_log=$work/apt.log
	bounded "$build_deadline" "$apt_log" "$apt_log" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
		bounded "$build_deadline" "$apt_log" "$apt_log" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "${missing[@]}" || apt_rc=$?
	if [[ -n $made_policy ]]; then rm -f /usr/sbin/policy-rc.d; fi
	if ((apt_rc != 0)); then
		tail -n 30 "$work/apt.log" >&2
		die "apt-get failed (status $apt_rc) installing ${missing[*]}"
	fi
fi
nginx=$(nginx_bin)
chromium=$(chromium_bin)
[[ -n $nginx && -n $chromium ]] || die "nginx or chromium still missing after installing"

log "go:       $(go version)"
log "node:     $(node --version)"
log "nginx:    $("$nginx" -v 2>&1)"
log "chromium: $("$chromium" --version 2>/dev/null)"

# go run would turn conform's exit status 3 into 1, so build binaries.
log "building conform and checkresults"
bounded "$build_deadline" - - go build -o "$work/conform" ./cmd/conform || die "go build ./cmd/conform failed"
bounded "$build_deadline" - - go build -o "$work/checkresults" ./scripts/checkresults || die "go build ./scripts/checkresults failed"

# ---- 2. servers -----------------------------------------------------------

# accepts PORT: something accepts TCP connections on 127.0.0.1:PORT.
accepts() { timeout 2 bash -c ": <>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# free_port AFTER: the first port above AFTER in the range that nothing
# listens on.
free_port() {
	local p
	for ((p = $1 + 1; p <= port_hi; p++)); do
		if ! accepts "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

nginx_port=$(free_port $((port_lo - 1))) || die "no free port in $port_lo-$port_hi for nginx"
node_port=$(free_port "$nginx_port") || die "no free port in $((nginx_port + 1))-$port_hi for node"

ngx=$work/nginx
mkdir -p "$ngx"
sed -e "s#@PREFIX@#$ngx#g" -e "s#@LISTEN@#127.0.0.1:$nginx_port#g" scripts/nginx.conf >"$ngx/nginx.conf"
log "starting nginx on 127.0.0.1:$nginx_port (prefix $ngx)"
"$nginx" -p "$ngx/" -e "$ngx/error.log" -c "$ngx/nginx.conf" >"$ngx/stdout.log" 2>&1 &
servers+=($!)
nginx_pid=$!

log "starting node scripts/hello-server.js on 127.0.0.1:$node_port"
node scripts/hello-server.js "$node_port" >"$work/node.log" 2>&1 &
servers+=($!)
node_pid=$!

# await NAME PID PORT LOGFILE WANT: waits until PID accepts on PORT and
# answers a GET with a body containing WANT, or fails at the deadline.
await() {
	local name=$1 pid=$2 port=$3 logfile=$4 want=$5 begin=$SECONDS end=$((SECONDS + start_deadline)) answer='' tries=0
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$logfile" >&2 || true
			die "$name (pid $pid) exited before accepting on 127.0.0.1:$port"
		fi
		tries=$((tries + 1))
		if accepts "$port"; then
			answer=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port
				printf 'GET /live-ci HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
				cat <&3" 2>/dev/null || true)
			if [[ $answer == *"$want"* ]]; then
				log "$name answers on 127.0.0.1:$port after $((SECONDS - begin))s (${answer%%$'\r'*})"
				return 0
			fi
		fi
		if ((SECONDS >= end)); then
			cat "$logfile" >&2 || true
			die "$name did not answer \"$want\" on 127.0.0.1:$port within ${start_deadline}s ($tries tries; last answer: ${answer:-none}; its log is above)"
		fi
		sleep 0.2
	done
}
await nginx "$nginx_pid" "$nginx_port" "$ngx/error.log" "hello from nginx: GET /live-ci"
await node "$node_pid" "$node_port" "$work/node.log" "hello from node: GET /live-ci"

# ---- 3. conform run -------------------------------------------------------

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out"/{report.html,results.json,junit.xml,run.txt,run.log,dom.html,report.png,facts.txt,recheck,recheck.txt}
nginx_t=127.0.0.1:$nginx_port
node_t=127.0.0.1:$node_port
log "conform run --target reference --target $nginx_t --target $node_t (output: $out)"
run_rc=0
bounded "$conform_deadline" "$out/run.txt" "$out/run.log" "$work/conform" run \
	--target reference --target "nginx=$nginx_t" --target "node=$node_t" \
	--timeouts fast --report "$out" --junit "$out/junit.xml" || run_rc=$?
case $run_rc in
0) log "conform run: exit 0 (no MUST broken anywhere)" ;;
3) log "conform run: exit 3 (non-conformance found, as expected of real servers)" ;;
124) die "conform run did not finish within ${conform_deadline}s (progress: $(tail -n 1 "$out/run.log"))" ;;
*)
	cat "$out/run.txt" "$out/run.log" >&2
	die "conform run failed with exit status $run_rc"
	;;
esac
# The per-target counts and the files; the per-check lines are in run.txt.
grep -v '^  ' "$out/run.txt" | sed 's/^/  /'
[[ -s $out/results.json && -s $out/report.html ]] || die "conform run wrote no results.json or report.html in $out"

# ---- 4. the report in headless Chromium -------------------------------------

# chrome OUT ERR ARGS...: headless Chromium with a new empty profile, flags
# that keep it off the network (the machine's network is closed) and a
# deadline; OUT and ERR as for bounded.
chrome() {
	local o=$1 e=$2 profile
	shift 2
	profile=$(mktemp -d "$work/chromium.XXXXXX")
	bounded "$chromium_deadline" "$o" "$e" "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@"
}
url=file://$out/report.html
log "rendering the report in headless Chromium"
chrome "$out/dom.html" "$work/chromium-dom.log" --dump-dom "$url" ||
	{ tail -n 20 "$work/chromium-dom.log" >&2; die "chromium --dump-dom failed"; }
chrome "$work/chromium-shot.log" "$work/chromium-shot.log" \
	--hide-scrollbars --window-size=1280,2000 --screenshot="$out/report.png" "$url" ||
	{ tail -n 20 "$work/chromium-shot.log" >&2; die "chromium --screenshot failed"; }
[[ $(head -c 8 "$out/report.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
	die "$out/report.png is not a PNG"
# A blank 1280x2000 page compresses to under 10 KB; the report's first
# screen (banner, summary cards, tables) to about 200 KB.
(($(wc -c <"$out/report.png") > 32768)) || die "$out/report.png is nearly empty: Chromium took it before the report was painted"
log "screenshot: $out/report.png ($(wc -c <"$out/report.png") bytes)"

# ---- 5. facts ---------------------------------------------------------------

roles=(-target reference=reference -target nginx=nginx -target node=node)
# A check the facts rest on (a fact's own, or any of the reference server's)
# that ended in error (conform could not decide: on a loaded machine a target
# can stay silent longer than a probe's idle wait) is run once more, and that
# run decides it. A fail is never run again.
recheck=()
undecided=$("$work/checkresults" -results "$out/results.json" -undecided "${roles[@]}")
if [[ -n $undecided ]]; then
	log "conform could not decide $undecided; running them again"
	rc=0
	bounded "$conform_deadline" "$out/recheck.txt" "$out/recheck.txt" "$work/conform" run \
		--target reference --target "nginx=$nginx_t" --target "node=$node_t" \
		--timeouts fast --only "$undecided" --report "$out/recheck" || rc=$?
	case $rc in
	0 | 1 | 3) recheck=(-recheck "$out/recheck/results.json") ;;
	*) die "conform run --only $undecided failed with exit status $rc" ;;
	esac
fi

log "checking known facts and the rendered report"
"$work/checkresults" -results "$out/results.json" "${recheck[@]}" -dom "$out/dom.html" "${roles[@]}" |
	tee "$out/facts.txt" | sed 's/^/  /'
log "report: $out/report.html"
