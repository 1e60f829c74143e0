#!/usr/bin/env bash
# Whether the hot path reads the database: the sample server (Release, core 0) on a fresh PostgreSQL database, wrk
# (core 1) sending SECONDS of authenticated requests with the seeded key and then with a client's access token, and
# PostgreSQL's own counters of the database (pg_stat_database: transactions committed, rows fetched) read before
# and after each run. What remains is the background work: the change feed's poll, the last-use flush.
#
#   tests/load/hot-path-queries.sh [SECONDS]
#
# Needs VEZA_LOAD_POSTGRES (tests/load/storage.sh), psql and wrk.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PUBLISH="$ROOT/artifacts/load/hot-path"
SECONDS_RUN="${1:-10}"
KEY="veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"
source "$ROOT/tests/load/storage.sh"
dotnet publish "$ROOT/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
storage_env PostgreSql "$PUBLISH"
connection="${STORAGE_ENV[1]#ConnectionStrings__VezaPostgreSql=}"
database="${connection##*Database=}"
url=$(python3 -c '
import sys
parts = dict(p.split("=", 1) for p in sys.argv[1].split(";") if p)
print("postgresql://{}@{}:{}/{}".format(parts.get("Username", "postgres"), parts["Host"], parts.get("Port", 5432), "postgres"))' "$connection")
(cd "$PUBLISH" && exec env "${STORAGE_ENV[@]}" ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://127.0.0.1:5104 \
  'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Veza.Authentication=Warning' \
  taskset -c 0 dotnet Veza.Authentication.Samples.Server.dll >/dev/null 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:5104/health >/dev/null && break; sleep 0.2; done
TOKEN="$(curl -sf -u engineering-worker:sample-worker-secret-change-me-0123456789 -d grant_type=client_credentials \
  http://127.0.0.1:5104/oauth2/token | python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')"
counters() { psql "$url" -At -c "SELECT xact_commit, tup_fetched FROM pg_stat_database WHERE datname = '$database'" | tr '|' ' '; }
run() {
  local name=$1 credential=$2
  # The first use (one Argon2id check, a store read) happens before the counters are read.
  curl -sf -o /dev/null -H "Authorization: Bearer $credential" http://127.0.0.1:5104/api/ping
  sleep 1
  read -r c0 f0 < <(counters)
  local requests
  requests=$(taskset -c 1 wrk -t1 -c32 -d"${SECONDS_RUN}s" -H "Authorization: Bearer $credential" http://127.0.0.1:5104/api/ping \
    | awk '/requests in/{print $1}')
  sleep 0.5   # the statistics collector reports with a short delay
  read -r c1 f1 < <(counters)
  echo "$name: $requests requests in ${SECONDS_RUN} s; the database meanwhile: $((c1 - c0)) transactions, $((f1 - f0)) rows fetched"
}
run "API key" "$KEY"
run "access token" "$TOKEN"
