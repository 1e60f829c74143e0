#!/usr/bin/env bash
# First uses of fresh keys while a flood of wrong secrets comes from 250 addresses.
#
#   tests/load/first-use-flood.sh [SECONDS] [SOURCES]
#
# Publishes the sample server (Release) and starts it on both cores with logging at Warning. tests/load/flood.py
# then sends, for SECONDS (default 30), well-formed keys with random secrets for the seeded key ids from SOURCES
# (default 250) loopback addresses (127.0.1.1-250), each kept alive: every one a would-be Argon2id check for a known
# key. Meanwhile a legitimate client on 127.0.0.1 creates a personal key through the management API (with the seeded
# root-admin key, already verified) and uses it at once, over and over: each use is a first use, which needs one
# Argon2id check. Prints each first use's status and time, how many succeeded, and the flood's answers by status.
# CHECKOUT=<another checkout> measures that one instead (an earlier commit in a git worktree, say).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${PORT:-5095}"
SECS="${1:-30}"
SOURCES="${2:-250}"
KEY="veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"   # root-admin's seeded key
KEY_IDS=(losOssXbrfFxgOSJ hmCtZptxwwLdbT2d)                                          # seeded key ids to attack
. "$ROOT/tests/load/sample.sh"
start_sample first-use-flood "$PORT" 0,1 Warning
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$BASE/api/me")" = 200 ] \
  || { echo "error: the seeded key does not authenticate on the sample" >&2; exit 1; }

out="$(mktemp)"
python3 "$ROOT/tests/load/flood.py" 127.0.0.1 "$PORT" "$SECS" "$SOURCES" "${KEY_IDS[@]}" >"$out" &
flood=$!
sleep 3   # let every flooding address connect and start
ok=0 tries=0 i=0
end=$((SECONDS + SECS - 5))
while [ $SECONDS -lt $end ]; do
  i=$((i + 1))
  created="$(curl -sf -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "{\"name\":\"first-use-$i-$RANDOM\"}" \
    "$BASE/api/preview/keys" | python3 -c 'import sys, json; v = json.load(sys.stdin)["value"]; print(v["id"], v["access_key"])')" \
    || { echo "use $i: could not create a key"; continue; }
  result="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer ${created#* }" "$BASE/api/me")"
  # Deleted again, so the user's key quota never runs out.
  curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $KEY" "$BASE/api/preview/keys/${created%% *}" || true
  tries=$((tries + 1))
  [ "${result%% *}" = 200 ] && ok=$((ok + 1))
  echo "first use $i: status ${result%% *}, ${result##* } s"
done
wait $flood
echo "legitimate first uses: $ok of $tries succeeded"
cat "$out"
rm -f "$out"
