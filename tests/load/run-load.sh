#!/usr/bin/env bash
# Load comparison on the sample server: one endpoint handler mapped twice, GET /ping (anonymous) and GET /api/ping
# (RequireAuthorization, called with a seeded personal API key), with the same tool (wrk) and the same settings,
# alternated to spread noise over both.
#
#   tests/load/run-load.sh
#
# Settings (environment): DURATION (seconds per measurement, default 15), WARMUP (seconds per endpoint, default 5),
# CONNECTIONS (default 32), THREADS (wrk threads, default 1), ROUNDS (alternations, default 2, at most 10),
# PORT (default: a free port picked on 127.0.0.1), BREAKDOWN=1 (also measure /ping sent with the key, /api/me and
# /api/graph, to see how the difference splits). Raw wrk output goes to artifacts/load/results/.
#
# /ping and /api/ping run the same handler and answer the same 200 {"message":"pong"}; the only difference is
# authentication and authorization. All traffic goes to 127.0.0.1 only, every loop is bounded, and the server is
# stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROJECT="$ROOT/samples/Veza.Authentication.Samples.Server/Veza.Authentication.Samples.Server.csproj"
ARTIFACTS="$ROOT/artifacts/load"
PUBLISH="$ARTIFACTS/publish"
RESULTS="$ARTIFACTS/results"
HOST=127.0.0.1
# The seeded personal key of root-admin (samples/Veza.Authentication.Samples.Server/appsettings.Development.json).
API_KEY="veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"

DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-5}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
ROUNDS="${ROUNDS:-2}"

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
for name in DURATION WARMUP CONNECTIONS THREADS ROUNDS; do
  if ! is_uint "${!name}" || [ "${!name}" -lt 1 ]; then
    echo "error: $name must be a positive integer (got '${!name}')" >&2
    exit 2
  fi
done
if [ "$ROUNDS" -gt 10 ] || [ "$DURATION" -gt 300 ] || [ "$WARMUP" -gt 300 ]; then
  echo "error: ROUNDS is at most 10, DURATION and WARMUP at most 300 seconds" >&2
  exit 2
fi

# --- wrk -----------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing wrk (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
fi
if ! command -v wrk >/dev/null 2>&1; then
  echo "error: wrk is required and could not be installed. On Debian or Ubuntu: sudo apt-get install wrk" >&2
  exit 1
fi
for tool in curl dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is required" >&2; exit 1; }
done

# --- build ---------------------------------------------------------------------------------------------------
mkdir -p "$ARTIFACTS" "$RESULTS"
echo "== publishing the sample (Release) to $PUBLISH"
dotnet publish "$PROJECT" -c Release -o "$PUBLISH" --nologo -v quiet >"$ARTIFACTS/publish.log" 2>&1 || {
  cat "$ARTIFACTS/publish.log" >&2
  exit 1
}

# --- a free port on 127.0.0.1 --------------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
  for _ in $(seq 1 50); do
    candidate=$(( 20000 + RANDOM % 30000 ))
    if ! port_in_use "$candidate"; then
      PORT=$candidate
      break
    fi
  done
fi
if [ -z "${PORT:-}" ] || port_in_use "$PORT"; then
  echo "error: no free port found on $HOST" >&2
  exit 1
fi
BASE="http://$HOST:$PORT"

# --- start the server ----------------------------------------------------------------------------------------
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
SERVER_LOG="$RESULTS/$STAMP-server.log"
(
  cd "$PUBLISH"
  exec env ASPNETCORE_ENVIRONMENT=Development \
    ASPNETCORE_URLS="$BASE" \
    'Logging__LogLevel__Default=Warning' \
    'Logging__LogLevel__Microsoft.AspNetCore=Warning' \
    'Logging__LogLevel__Veza.Authentication=Warning' \
    dotnet Veza.Authentication.Samples.Server.dll
) >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

stop_server() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

echo "== waiting for $BASE/health (server pid $SERVER_PID)"
ready=0
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "error: the server exited; its log:" >&2
    cat "$SERVER_LOG" >&2
    exit 1
  fi
  if curl -fsS --max-time 2 "$BASE/health" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ "$ready" -ne 1 ]; then
  echo "error: $BASE/health did not answer within 60 s; server log:" >&2
  cat "$SERVER_LOG" >&2
  exit 1
fi

status=$(curl -s --max-time 10 -o "$RESULTS/$STAMP-me.json" -w '%{http_code}' -H "Authorization: Bearer $API_KEY" "$BASE/api/me")
if [ "$status" != "200" ]; then
  echo "error: GET /api/me with the seeded key answered $status, not 200" >&2
  exit 1
fi
anonymous_body=$(curl -s --max-time 5 "$BASE/ping")
keyed_body=$(curl -s --max-time 5 -H "Authorization: Bearer $API_KEY" "$BASE/api/ping")
if [ "$anonymous_body" != "$keyed_body" ]; then
  echo "error: /ping and /api/ping answer different bodies: '$anonymous_body' vs '$keyed_body'" >&2
  exit 1
fi
status=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$BASE/api/ping")
if [ "$status" != "401" ]; then
  echo "error: GET /api/ping without a key answered $status, not 401" >&2
  exit 1
fi
echo "   /ping and /api/ping body: $anonymous_body (/api/ping without a key: 401)"

# --- measure -------------------------------------------------------------------------------------------------
# Cases: NAME -> PATH, KEY (1 sends the seeded key). The two comparison cases always run; with BREAKDOWN=1 three
# more split the difference: /ping with the key (authentication only: /ping allows anonymous callers, but the
# authentication middleware still checks any key it is sent), /api/me (the principal's claims as JSON) and
# /api/graph (authentication + a permission policy).
declare -A CASE_PATH=([anon]=/ping [key]=/api/ping [ping-key]=/ping [me]=/api/me [graph]=/api/graph)
declare -A CASE_KEY=([anon]=0 [key]=1 [ping-key]=1 [me]=1 [graph]=1)
declare -A CASE_LABEL=(
  [anon]="GET /ping (anonymous)"
  [key]="GET /api/ping (personal API key)"
  [ping-key]="GET /ping + API key (auth only)"
  [me]="GET /api/me (API key, claims JSON)"
  [graph]="GET /api/graph (API key + policy)"
)
CASES=(anon key)
if [ "${BREAKDOWN:-0}" = 1 ]; then
  CASES+=(ping-key me graph)
fi

# The server's own CPU time (user + system), read from /proc: CPU per request is less sensitive than requests/sec
# to whatever else runs on the machine, and tells how much work each request costs the server.
CLK_TCK=$(getconf CLK_TCK)
server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }

# run_wrk NAME SECONDS: runs wrk, keeps its output, prints "requests/sec server-CPU-microseconds/request".
# Fails on any non-2xx answer or socket error, so a broken key cannot pass for a fast endpoint.
run_wrk() {
  local name=$1 seconds=$2 out before after
  out="$RESULTS/$STAMP-$name-$RUN.txt"
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s --latency)
  if [ "${CASE_KEY[$name]}" = 1 ]; then
    args+=(-H "Authorization: Bearer $API_KEY")
  fi
  before=$(server_cpu_ticks)
  timeout $(( seconds + 30 )) wrk "${args[@]}" "$BASE${CASE_PATH[$name]}" >"$out" 2>&1
  after=$(server_cpu_ticks)
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$out"; then
    echo "error: wrk reported errors for $name:" >&2
    cat "$out" >&2
    exit 1
  fi
  echo "server CPU: $(( after - before )) ticks of 1/$CLK_TCK s" >>"$out"
  awk -v ticks=$(( after - before )) -v hz="$CLK_TCK" '
    / requests in / { n = $1 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%s %.1f\n", rps, (n > 0 ? 1e6 * ticks / hz / n : 0) }' "$out"
}

echo "== warm-up: ${WARMUP}s per case"
RUN=warmup
for name in "${CASES[@]}"; do
  run_wrk "$name" "$WARMUP" >/dev/null
done

echo "== load average before measuring: $(cut -d' ' -f1-3 /proc/loadavg) (the server and wrk share this machine's $(nproc) cores)"
echo "== measuring: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s), cases alternated"
declare -A RPS=() CPU=()
for round in $(seq 1 "$ROUNDS"); do
  RUN=$round
  for name in "${CASES[@]}"; do
    result=$(run_wrk "$name" "$DURATION")
    read -r r c <<<"$result"
    RPS[$name]="${RPS[$name]:-} $r"
    CPU[$name]="${CPU[$name]:-} $c"
    printf '   round %d  %-36s %8.0f req/s  %6.1f us server CPU/request\n' "$round" "${CASE_LABEL[$name]}" "$r" "$c"
  done
done

mean() { printf '%s\n' $1 | awk '{ s += $1 } END { printf "%.1f", s / NR }'; }
echo
echo "mean of $ROUNDS round(s):"
H=$(mean "${RPS[anon]}")
for name in "${CASES[@]}"; do
  M=$(mean "${RPS[$name]}")
  printf '%-36s %8.0f req/s  %6s %% of anonymous  %6s us server CPU/request\n' "${CASE_LABEL[$name]}:" "$M" \
    "$(awk -v m="$M" -v h="$H" 'BEGIN { printf "%.1f", 100 * m / h }')" "$(mean "${CPU[$name]}")"
done
M=$(mean "${RPS[key]}")
RATIO=$(awk -v m="$M" -v h="$H" 'BEGIN { printf "%.1f", 100 * m / h }')
echo
echo "authenticated / anonymous (GET /api/ping with a key vs GET /ping): $RATIO %"
echo "raw wrk output: $RESULTS/$STAMP-*.txt"
