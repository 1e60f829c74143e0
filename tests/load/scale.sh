#!/usr/bin/env bash
# Lookups at scale on PostgreSQL (tests/load/scale.py): the sample server (Release, core 0) on a fresh database, API
# keys and clients inserted in bulk with one hash each; a key's first use, a client's first token and the key list
# at page 1 and page 1,000, timed with 100,000 keys and 1,000 clients, then with KEYS and CLIENTS.
#
#   tests/load/scale.sh [KEYS] [CLIENTS]          default 1,000,000 keys and 100,000 clients
#   tests/load/scale.sh memory [KEYS] [BOUND]     KEYS (default 100,000) distinct keys used once each: the RSS, with
#                                                 Stores.MaxCachedCredentials at BOUND (default its own, 100,000)
#
# The memory run starts the sample with light Argon2id parameters (64 KiB, 1 pass), so that a hundred thousand first
# uses take minutes, not hours; the check cache's bound (Stores.MaxCachedCredentials) is what it shows.
# Needs VEZA_LOAD_POSTGRES (tests/load/storage.sh) and psql.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PUBLISH="$ROOT/artifacts/load/scale"
source "$ROOT/tests/load/storage.sh"
dotnet publish "$ROOT/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
storage_env PostgreSql "$PUBLISH"
connection="${STORAGE_ENV[1]#ConnectionStrings__VezaPostgreSql=}"
# The same database as a psql URL.
url=$(python3 -c '
import sys
parts = dict(p.split("=", 1) for p in sys.argv[1].split(";") if p)
print("postgresql://{}@{}:{}/{}".format(parts.get("Username", "postgres"), parts["Host"], parts.get("Port", 5432), parts["Database"]))' "$connection")
extra=()
if [ "${1:-}" = memory ]; then
  extra=('Veza__Authentication__Argon2id__MemorySizeKiB=64' 'Veza__Authentication__Argon2id__Iterations=1')
  if [ -n "${3:-}" ]; then extra+=("Veza__Authentication__Stores__MaxCachedCredentials=$3"); fi
fi
(cd "$PUBLISH" && exec env "${STORAGE_ENV[@]}" "${extra[@]}" ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://127.0.0.1:5103 \
  'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Veza.Authentication=Warning' \
  taskset -c 0 dotnet Veza.Authentication.Samples.Server.dll >/dev/null 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:5103/health >/dev/null && break; sleep 0.2; done
pid=$server   # (cd && exec env ... taskset ... dotnet): every step execs, so this is the server itself
if [ "${1:-}" = memory ]; then
  taskset -c 1 python3 "$ROOT/tests/load/scale.py" memory http://127.0.0.1:5103 "$url" "${2:-100000}" "$pid"
else
  taskset -c 1 python3 "$ROOT/tests/load/scale.py" http://127.0.0.1:5103 "$url" "${1:-1000000}" "${2:-100000}"
fi
