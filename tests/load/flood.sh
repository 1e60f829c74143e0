#!/usr/bin/env bash
# Argon2id under a flood of wrong secrets, side by side with a legitimate client whose key is already verified.
#
#   tests/load/flood.sh
#
# Publishes the sample server (Release), starts it on 127.0.0.1 with its seed, and measures twice with wrk
# (-t1 -c32) on GET /api/ping with the seeded key: alone, then while tests/load/flood.py sends wrong secrets for the
# seeded key ids from SOURCES loopback addresses (127.0.1.x). The flood's 401s are the Argon2id runs it forced,
# its 429s the address throttle, its 503s the process-wide bound. Settings: DURATION (seconds, default 15), SOURCES (default
# 200), SERVER_CORES (taskset list for the server, default "0,1"). Loopback only; every loop is bounded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PUBLISH="$ROOT/artifacts/load/publish"
SECONDS_PER_RUN="${DURATION:-15}"
SOURCES="${SOURCES:-200}"
SERVER_CORES="${SERVER_CORES:-0,1}"
HOST=127.0.0.1
PORT="${PORT:-5091}"
KEY="veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"   # root-admin's seeded key
KEY_IDS=(losOssXbrfFxgOSJ hmCtZptxwwLdbT2d)                                          # seeded key ids to attack

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dotnet publish "$ROOT/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null

# The content root is the publish folder, where appsettings.Development.json (the seed) lives.
cd "$PUBLISH"
env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://$HOST:$PORT" \
  'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Microsoft.AspNetCore=Warning' \
  'Logging__LogLevel__Veza.Authentication=Warning' \
  taskset -c "$SERVER_CORES" dotnet "$PUBLISH/Veza.Authentication.Samples.Server.dll" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://$HOST:$PORT/health" >/dev/null && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "http://$HOST:$PORT/api/ping")" = 200 ] \
  || { echo "error: the seeded key does not authenticate on the sample" >&2; exit 1; }

rate() { wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" -H "Authorization: Bearer $KEY" "http://$HOST:$PORT/api/ping" | awk '/Requests\/sec/{print $2}'; }
wrk -t1 -c32 -d5s -H "Authorization: Bearer $KEY" "http://$HOST:$PORT/api/ping" >/dev/null   # warm-up

alone=$(rate)
echo "legitimate client alone:        $alone req/s"
python3 "$ROOT/tests/load/flood.py" "$HOST" "$PORT" "$((SECONDS_PER_RUN + 3))" "$SOURCES" "${KEY_IDS[@]}" >"$ROOT/artifacts/load/flood.txt" &
flood=$!
sleep 2
during=$(rate)
wait $flood
echo "legitimate client under flood:  $during req/s ($(python3 -c "print(f'{$during/$alone*100:.1f}')") %)"
cat "$ROOT/artifacts/load/flood.txt"
