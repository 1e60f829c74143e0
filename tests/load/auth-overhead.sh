#!/usr/bin/env bash
# Server CPU time per request for GET /ping (anonymous) and GET /api/ping (the same handler behind the seeded
# personal key), with the sample server pinned to core 0 and wrk on core 1, measured by the shared tool
# ../shared/tools/auth-overhead.sh (alternated rounds, median ratio anonymous/authenticated; 1.0 = free).
#
#   tests/load/auth-overhead.sh [ROUNDS] [SECONDS] [key|token|user]
#
# "key" (default) authenticates with the seeded root-admin API key; "token" with an OAuth2 access token of the
# seeded client (engineering-worker), got from the sample's token endpoint first, with a 1-hour lifetime; "user"
# with an access token of the seeded user root-admin for the seeded app sample-webapp, got through the app flow
# first (sign-in, consent, code with PKCE, token: tests/load/grant_client.py), also with a 1-hour lifetime.
# Logging is at Warning, as in production; the call audit event goes to the default sink (dropped at Debug).
# CHECKOUT=<another checkout> measures that one instead (an earlier commit in a git worktree, say).
# STORAGE=InMemory|Sqlite|PostgreSql (default Sqlite, the sample's own default) chooses the stores (tests/load/storage.sh;
# PostgreSql needs VEZA_LOAD_POSTGRES).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="${CHECKOUT:-$ROOT}"
TOOL="$ROOT/../shared/tools/auth-overhead.sh"
PUBLISH="$ROOT/artifacts/load/publish${CHECKOUT:+-other}"
PORT="${PORT:-5092}"
KEY="veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"   # root-admin's seeded key
[ -x "$TOOL" ] || [ -r "$TOOL" ] || { echo "error: $TOOL not found (it lives in shared/, beside the checkout)" >&2; exit 1; }

source "$ROOT/tests/load/storage.sh"
dotnet publish "$SRC/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
storage_env "${STORAGE:-Sqlite}" "$PUBLISH"
# The content root is the publish folder, where appsettings.Development.json (the seed) lives.
cd "$PUBLISH"
env "${STORAGE_ENV[@]}" ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Microsoft.AspNetCore=Warning' \
  'Logging__LogLevel__Veza.Authentication=Warning' \
    'Veza__Seed__OAuth2Clients__0__AccessTokenLifetime=01:00:00' 'Veza__Seed__OAuth2Apps__0__AccessTokenLifetime=01:00:00' \
  taskset -c 0 dotnet "$PUBLISH/Veza.Authentication.Samples.Server.dll" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
if [ "${3:-key}" = token ]; then
  KEY="$(curl -sf -u engineering-worker:sample-worker-secret-change-me-0123456789 -d grant_type=client_credentials \
    "http://127.0.0.1:$PORT/oauth2/token" | python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')"
elif [ "${3:-key}" = user ]; then
  KEY="$(python3 "$ROOT/tests/load/grant_client.py" access veza "http://127.0.0.1:$PORT")"
fi
# Measure only what is meant: the credential must authenticate (200), or every "authenticated" request would be a 401.
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/ping")" = 200 ] \
  || { echo "error: the ${3:-key} does not authenticate on the sample" >&2; exit 1; }
# Let tiered compilation settle before the measured rounds.
taskset -c 1 wrk -t1 -c32 -d10s "http://127.0.0.1:$PORT/ping" >/dev/null
taskset -c 1 wrk -t1 -c32 -d10s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/api/ping" >/dev/null
bash "$TOOL" "$server" "http://127.0.0.1:$PORT/ping" "http://127.0.0.1:$PORT/api/ping" "Authorization: Bearer $KEY" "${1:-7}" "${2:-5}"
