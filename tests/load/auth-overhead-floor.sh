#!/usr/bin/env bash
# The framework's floor for tests/load/auth-overhead.sh: the same /ping and /api/ping pair, the same builder and
# measurement, behind a scheme that does nothing but return a one-claim principal for any Authorization header.
# What the floor's ratio is, no real authentication (with its principal and audit event) can beat.
#
#   tests/load/auth-overhead-floor.sh [ROUNDS] [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOL="$ROOT/../shared/tools/auth-overhead.sh"
PUBLISH="$ROOT/artifacts/load/floor"
PORT="${PORT:-5094}"
[ -r "$TOOL" ] || { echo "error: $TOOL not found (it lives in shared/, beside the checkout)" >&2; exit 1; }
dotnet publish "$ROOT/tests/load/floor/FloorServer.csproj" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
cd "$PUBLISH"
env ASPNETCORE_URLS="http://127.0.0.1:$PORT" 'Logging__LogLevel__Default=Warning' \
  taskset -c 0 dotnet "$PUBLISH/FloorServer.dll" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/ping" >/dev/null && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer floor" "http://127.0.0.1:$PORT/api/ping")" = 200 ] \
  || { echo "error: the floor server does not authenticate" >&2; exit 1; }
taskset -c 1 wrk -t1 -c32 -d10s "http://127.0.0.1:$PORT/ping" >/dev/null
taskset -c 1 wrk -t1 -c32 -d10s -H "Authorization: Bearer floor" "http://127.0.0.1:$PORT/api/ping" >/dev/null
bash "$TOOL" "$server" "http://127.0.0.1:$PORT/ping" "http://127.0.0.1:$PORT/api/ping" "Authorization: Bearer floor" "${1:-7}" "${2:-5}"
