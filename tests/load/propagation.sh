#!/usr/bin/env bash
# How long a revoke through one instance takes to be refused by another: two sample servers (Release) on one
# PostgreSQL database, the first on core 0 and the second on core 1, and tests/load/propagation.py between them.
#
#   tests/load/propagation.sh [N] [listen|poll]
#
# "listen" (default): changes wake the other instance through LISTEN/NOTIFY. "poll": notifications off
# (Veza:ListenForChanges=false, as behind PgBouncer in transaction mode), so only the feed's 1-second poll carries them.
# Each refused use counts as a failure of the address, so the measurement lifts the per-address failure limit.
# Needs VEZA_LOAD_POSTGRES (tests/load/storage.sh says how to start a throwaway server).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PUBLISH="$ROOT/artifacts/load/propagation"
source "$ROOT/tests/load/storage.sh"
dotnet publish "$ROOT/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
storage_env PostgreSql "$PUBLISH"
listen=true
[ "${2:-listen}" = poll ] && listen=false

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop EXIT
start() {
  local port=$1 core=$2
  (cd "$PUBLISH" && exec env "${STORAGE_ENV[@]}" "Veza__ListenForChanges=$listen" ASPNETCORE_ENVIRONMENT=Development \
    ASPNETCORE_URLS="http://127.0.0.1:$port" 'Veza__Authentication__SecretChecks__FailureLimitPerSource=1000000' \
    'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Veza.Authentication=Warning' \
    taskset -c "$core" dotnet Veza.Authentication.Samples.Server.dll >/dev/null 2>&1) &
  pids+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.2; done
  echo "error: the sample on $port did not start" >&2
  exit 1
}
# The first migrates and seeds the new database; the second finds it ready.
start 5101 0
start 5102 1
echo "notifications: $listen"
python3 "$ROOT/tests/load/propagation.py" http://127.0.0.1:5101 http://127.0.0.1:5102 "${1:-200}"
