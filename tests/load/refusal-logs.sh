#!/usr/bin/env bash
# Log bytes per 10,000 refused requests on each OAuth2 endpoint, at production log levels.
#
#   tests/load/refusal-logs.sh [SECONDS]
#
# Publishes the sample server (Release) and starts it pinned to core 0 with the console logger writing to a file at
# the levels a production host uses: Default Information, Microsoft.AspNetCore Warning, Veza.Authentication
# Information. For each kind of refused request below, wrk (-t1 -c4, core 1) sends it for SECONDS (default 10); the
# script prints the requests sent, the bytes the log grew by, and that growth per 10,000 requests. The Warning
# summary of refusals is written once a minute, so it lands in whichever case is running when a minute ends.
# CHECKOUT=<another checkout> measures that one instead (an earlier commit in a git worktree, say).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECS="${1:-10}"
LOG="$ROOT/artifacts/load/refusal-logs.log"
WORK="$(mktemp -d)"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
. "$ROOT/tests/load/sample.sh"
mkdir -p "$ROOT/artifacts/load"
start_sample refusal-logs "${PORT:-5094}" 0 Information "$LOG"
trap 'kill $server 2>/dev/null || true; rm -rf "$WORK"' EXIT

BAD_BASIC="Basic $(printf 'engineering-worker:a-wrong-secret-that-is-long-enough-0001' | base64 -w0)"
GOOD_BASIC="Basic $(printf 'engineering-worker:sample-worker-secret-change-me-0123456789' | base64 -w0)"
post() {   # name path body authorization
  cat >"$WORK/$1.lua" <<LUA
wrk.method = "POST"
wrk.path = "$2"
wrk.body = "$3"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "$4"
LUA
}
get() {    # name path
  printf 'wrk.method = "GET"\nwrk.path = "%s"\n' "$2" >"$WORK/$1.lua"
}
get  authorize-unknown-app   "/oauth2/authorize?client_id=nosuchapp"
get  authorize-bad-redirect  "/oauth2/authorize?client_id=sample-webapp&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
get  authorize-to-the-app    "/oauth2/authorize?client_id=sample-webapp&redirect_uri=http%3A%2F%2F127.0.0.1%3A5090%2Fsignin-veza&response_type=token"
post token-wrong-secret      /oauth2/token      "grant_type=client_credentials"                 "$BAD_BASIC"
post token-bad-grant         /oauth2/token      "grant_type=password&username=x&password=y"     "$GOOD_BASIC"
post token-bad-code          /oauth2/token      "grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A5090%2Fsignin-veza&code_verifier=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" \
     "Basic $(printf 'sample-webapp:sample-webapp-secret-change-me-0123456789' | base64 -w0)"
post revoke-wrong-secret     /oauth2/revoke     "token=x"                                       "$BAD_BASIC"
post introspect-no-token     /oauth2/introspect ""                                              "$GOOD_BASIC"
post introspect-wrong-secret /oauth2/introspect "token=x"                                       "$BAD_BASIC"

printf '%-24s %10s %12s %14s  %s\n' case requests "log bytes" "per 10,000" statuses
total_requests=0 total_bytes=0
for case in authorize-unknown-app authorize-bad-redirect authorize-to-the-app token-wrong-secret token-bad-grant token-bad-code \
            revoke-wrong-secret introspect-no-token introspect-wrong-secret; do
  before=$(stat -c %s "$LOG")
  out="$(taskset -c 1 wrk -t1 -c4 -d"${SECS}s" -s "$WORK/$case.lua" "$BASE")"
  sleep 0.5
  after=$(stat -c %s "$LOG")
  n=$(awk '/requests in/{print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out")
  total_requests=$((total_requests + n)); total_bytes=$((total_bytes + after - before))
  printf '%-24s %10s %12s %14s  %s\n' "$case" "$n" "$((after - before))" "$(( (after - before) * 10000 / (n > 0 ? n : 1) ))" "non-2xx/3xx: ${non2xx:-0}"
done
printf '%-24s %10s %12s %14s\n' all "$total_requests" "$total_bytes" "$(( total_bytes * 10000 / total_requests ))"
echo "log lines at Warning or above: $(grep -cE '^(warn|fail|crit)' "$LOG" || true) (of $(wc -l <"$LOG") lines in all, start-up included)"
