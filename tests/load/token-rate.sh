#!/usr/bin/env bash
# Client-credentials tokens per second from the sample server's token endpoint and from the OpenIddict reference
# server (../shared/anchors/openiddict-ref), measured in the same run with the shared tool
# ../shared/anchors/token-rate.sh: each server alone, pinned to core 0, wrk on core 1, rounds alternating.
#
#   tests/load/token-rate.sh [ROUNDS] [SECONDS]
#
# Our client is the seeded engineering-worker (its secret is checked with Argon2id once, then remembered); the
# anchor's is ref-client (PBKDF2 on every request, a token entry written to SQLite).
# STORAGES (default "Sqlite PostgreSql" when VEZA_LOAD_POSTGRES is set, else "Sqlite") lists the stores the sample is
# measured with in each round (tests/load/storage.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="$ROOT/../shared"
TOOL="$SHARED/anchors/token-rate.sh"
PUBLISH="$ROOT/artifacts/load/publish"
# Built outside the checkout, so that the repository's Directory.*.props (central package versions) do not apply.
ANCHOR="${TMPDIR:-/tmp}/veza-openiddict-ref"
ROUNDS="${1:-3}"
DURATION="${2:-10}"
[ -r "$TOOL" ] || { echo "error: $TOOL not found (it lives in shared/, beside the checkout)" >&2; exit 1; }

source "$ROOT/tests/load/storage.sh"
STORAGES="${STORAGES:-Sqlite${VEZA_LOAD_POSTGRES:+ PostgreSql}}"
dotnet publish "$ROOT/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
rm -rf "$ANCHOR" && cp -r --no-preserve=mode "$SHARED/anchors/openiddict-ref" "$ANCHOR"
(cd "$ANCHOR" && dotnet build -c Release --nologo -v quiet >/dev/null)

server=""
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=""; }
trap stop EXIT
wait_for() { for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; echo "error: $1 did not answer" >&2; exit 1; }

veza() {
  storage_env "$1" "$PUBLISH"
  (cd "$PUBLISH" && exec env "${STORAGE_ENV[@]}" ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://127.0.0.1:5092 \
    'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Veza.Authentication=Warning' \
    taskset -c 0 dotnet Veza.Authentication.Samples.Server.dll >/dev/null 2>&1) &
  server=$!
  wait_for http://127.0.0.1:5092/health
  bash "$TOOL" http://127.0.0.1:5092/oauth2/token engineering-worker sample-worker-secret-change-me-0123456789 graph:read 3 >/dev/null   # warm-up
  bash "$TOOL" http://127.0.0.1:5092/oauth2/token engineering-worker sample-worker-secret-change-me-0123456789 graph:read "$DURATION" | awk '{print $1}'
  stop
}

anchor() {
  (cd "$ANCHOR" && exec env 'Logging__LogLevel__Default=Warning' taskset -c 0 dotnet bin/Release/net10.0/OpenIddictRef.dll --urls http://127.0.0.1:5090 \
    >/dev/null 2>&1) &
  server=$!
  wait_for http://127.0.0.1:5090/ping
  bash "$TOOL" http://127.0.0.1:5090/connect/token ref-client ref-client-secret api 3 >/dev/null   # warm-up
  bash "$TOOL" http://127.0.0.1:5090/connect/token ref-client ref-client-secret api "$DURATION" | awk '{print $1}'
  stop
}

for r in $(seq 1 "$ROUNDS"); do
  for storage in $STORAGES; do
    if [ $((r % 2)) -eq 1 ]; then v=$(veza "$storage"); a=$(anchor); else a=$(anchor); v=$(veza "$storage"); fi
    echo "round $r: Veza ($storage) $v tokens/s, OpenIddict $a tokens/s, ratio $(python3 -c "print(f'{$v/$a:.1f}')")"
  done
done
