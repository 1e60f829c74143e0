#!/usr/bin/env bash
# The server's memory under a one-minute authorization flood from one signed-in user who consented once: every
# request of the flood is a valid authorization request that gets a code (302), none of them redeemed.
#
#   tests/load/authorize-flood.sh [SECONDS]
#
# Publishes the sample server (Release), starts it pinned to core 0 with logging at Warning, signs the seeded
# root-admin in and consents once (tests/load/grant_client.py cookie), warms up for 5 s, then runs wrk (-t1 -c4,
# core 1) on GET /oauth2/authorize with that session's cookie and a new state per request for SECONDS (default 60).
# Prints the server's resident memory (VmRSS) before and after the flood, and again 15 s later.
# CHECKOUT=<another checkout> measures that one instead (an earlier commit in a git worktree, say).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECS="${1:-60}"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
. "$ROOT/tests/load/sample.sh"
start_sample authorize-flood "${PORT:-5093}" 0 Warning
COOKIE="$(python3 "$ROOT/tests/load/grant_client.py" cookie veza "$BASE")"
LUA="$(mktemp --suffix .lua)"
cat >"$LUA" <<LUA
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/oauth2/authorize?response_type=code&client_id=sample-webapp"
    .. "&redirect_uri=http%3A%2F%2F127.0.0.1%3A5090%2Fsignin-veza&scope=graph%3Aread%20offline_access"
    .. "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s" .. n,
    { ["Cookie"] = "$COOKIE" })
end
LUA
rss() { awk '/VmRSS/{printf "%.0f MB", $2 / 1024}' "/proc/$server/status"; }
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/oauth2/authorize?response_type=code&client_id=sample-webapp&redirect_uri=http%3A%2F%2F127.0.0.1%3A5090%2Fsignin-veza&scope=graph%3Aread&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=check")"
[ "$status" = 302 ] || { echo "error: the signed-in authorization request answered $status, not 302" >&2; exit 1; }
taskset -c 1 wrk -t1 -c4 -d5s -s "$LUA" "$BASE" >/dev/null
echo "before the flood:   $(rss)"
taskset -c 1 wrk -t1 -c4 -d"${SECS}s" -s "$LUA" "$BASE" | awk '/requests in|Requests\/sec|Non-2xx/{print "wrk: " $0}'
echo "after the flood:    $(rss)"
sleep 15
echo "15 s later:         $(rss)"
rm -f "$LUA"
