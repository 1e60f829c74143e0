#!/usr/bin/env bash
# Tokens per second from the token endpoint for the user grants, authorization_code and refresh_token, on the
# sample server and on the OpenIddict reference server (../shared/anchors/openiddict-ref) in the same run: each
# server alone, pinned to core 0, wrk on core 1 (-t1 -c8), rounds alternating the order, as tests/load/token-rate.sh.
#
#   tests/load/grant-rate.sh [ROUNDS] [DURATION]        (defaults 3 and 10; WARMUP=3 seconds per grant)
#
# Per server and round, untimed: tests/load/grant_client.py signs the seeded user in (Veza root-admin, OpenIddict
# alice), gives consent and makes the codes, each with its own PKCE verifier (Veza remembers the consent, so a code
# is one GET of the authorization endpoint; the reference server asks every time, so a code is one POST of its
# consent form with Allow). Timed: wrk redeems them (grant-codes.lua, every code once), then refreshes over a pool
# of 64 independent grants (grant-refresh.lua: each answer's new refresh token goes back to the pool; a rotated
# one is never sent again). Only 200 answers count. The warm-up measures the rate and sizes the timed phase's codes
# (twice its need); a timed phase that runs out of codes is redone once with twice as many.
# Our app is sample-webapp (client_secret_basic, secret checked with Argon2id once, then remembered), started with
# 10-minute codes; the anchor's is ref-app (PBKDF2 on every request, token and authorization entries in SQLite).
set -euo pipefail
shopt -s inherit_errexit
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/load"
SHARED="$ROOT/../shared"
PUBLISH="$ROOT/artifacts/load/publish"
# Built outside the checkout, so that the repository's Directory.*.props (central package versions) do not apply.
ANCHOR="${TMPDIR:-/tmp}/veza-openiddict-ref"
ROUNDS="${1:-3}"
DURATION="${2:-10}"
WARMUP="${WARMUP:-3}"
POOL=64
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ && "$DURATION" =~ ^[1-9][0-9]{0,2}$ && "$WARMUP" =~ ^[1-9][0-9]?$ ]] \
  || { echo "usage: $0 [ROUNDS 1-99] [DURATION 1-999] (WARMUP=1-99)" >&2; exit 2; }
[ -d "$SHARED/anchors/openiddict-ref" ] || { echo "error: $SHARED/anchors/openiddict-ref not found (shared/ lives beside the checkout)" >&2; exit 1; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null

dotnet publish "$ROOT/samples/Veza.Authentication.Samples.Server" -c Release -o "$PUBLISH" --nologo -v quiet >/dev/null
rm -rf "$ANCHOR" && cp -r --no-preserve=mode "$SHARED/anchors/openiddict-ref" "$ANCHOR"
(cd "$ANCHOR" && dotnet build -c Release --nologo -v quiet >/dev/null)

WORK="$(mktemp -d)"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; server=""; }
trap 'rc=$?; stop; [ "$rc" = 0 ] || tail -n 20 "$WORK/log" >&2 2>/dev/null || true; rm -rf "$WORK"' EXIT
wait_for() { for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; echo "error: $1 did not answer" >&2; exit 1; }
free_port() { if curl -s -o /dev/null "http://127.0.0.1:$1/"; then echo "error: something already listens on 127.0.0.1:$1" >&2; exit 1; fi; }
ticks() { awk '{print $14+$15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
gen() { taskset -c 1 python3 "$HERE/grant_client.py" "$@" 2>>"$WORK/log"; }   # untimed: codes or a refresh pool

# wrk_run LUA URL FILE AUTH SECS -> "rate errors exhausted cpu%" (cpu%: the server's use of its core meanwhile)
wrk_run() {
  local t0 t1 out
  t0=$(ticks)
  out=$(taskset -c 1 wrk -t1 -c8 -d"$5s" --timeout 10s -s "$HERE/$1" "$2" -- "$3" "$4")
  t1=$(ticks)
  awk -v cpu="$(python3 -c "print(f'{($t1-$t0)*100/$hz/$5:.0f}')")" \
    '/^rate /{r=$2} /^errors /{e=$2} /^exhausted /{x=$2} END{print r, e, x, cpu}' <<<"$out"
}

# measure NAME BASE TOKEN_PATH CLIENT:SECRET CODES_PER_SECOND_CAP -> "code_rate refresh_rate code_cpu refresh_cpu"
measure() {
  local name=$1 base=$2 url="$2$3" auth cap=$5
  auth="Basic $(printf '%s' "$4" | base64 -w0)"
  local rate errors dry cpu need code refresh code_cpu refresh_cpu
  # authorization_code: warm-up (also measures the rate), then the timed phase sized from it.
  gen codes "$name" "$base" $((cap * WARMUP)) "$WORK/codes"
  read -r rate errors dry cpu < <(wrk_run grant-codes.lua "$url" "$WORK/codes" "$auth" "$WARMUP")
  need=$(python3 -c "import math; print(math.ceil(max($rate, 1) * (2 if $dry else 1) * $DURATION * 2) + 100)")
  for attempt in 1 2; do
    gen codes "$name" "$base" "$need" "$WORK/codes"
    read -r code errors dry code_cpu < <(wrk_run grant-codes.lua "$url" "$WORK/codes" "$auth" "$DURATION")
    [ "$dry" = 0 ] && break
    [ "$attempt" = 2 ] && { echo "error: $name ran out of codes twice ($need made)" >&2; exit 1; }
    need=$((need * 2))
  done
  [ "$errors" = 0 ] || echo "warning: $name authorization_code: $errors answers other than 200" >&2
  # refresh_token: a warm-up pool and a fresh pool for the timed phase.
  gen refresh "$name" "$base" "$POOL" "$WORK/pool"
  wrk_run grant-refresh.lua "$url" "$WORK/pool" "$auth" "$WARMUP" >/dev/null
  gen refresh "$name" "$base" "$POOL" "$WORK/pool"
  read -r refresh errors dry refresh_cpu < <(wrk_run grant-refresh.lua "$url" "$WORK/pool" "$auth" "$DURATION")
  [ "$dry" = 0 ] || { echo "error: $name: the refresh pool ran dry" >&2; exit 1; }
  [ "$errors" = 0 ] || echo "warning: $name refresh_token: $errors answers other than 200" >&2
  echo "$code $refresh $code_cpu $refresh_cpu"
}

veza() {
  trap stop EXIT   # this runs in a subshell, which does not inherit the main trap
  free_port 5092
  (cd "$PUBLISH" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS=http://127.0.0.1:5092 \
    'Logging__LogLevel__Default=Warning' 'Logging__LogLevel__Veza.Authentication=Warning' \
    'Veza__Authentication__OAuth2__AuthorizationCodeLifetime=00:10:00' \
    taskset -c 0 dotnet Veza.Authentication.Samples.Server.dll >/dev/null 2>&1) &
  server=$!
  wait_for http://127.0.0.1:5092/health
  measure veza http://127.0.0.1:5092 /oauth2/token sample-webapp:sample-webapp-secret-change-me-0123456789 4000
  stop
}

anchor() {
  trap stop EXIT
  free_port 5090
  (cd "$ANCHOR" && exec env 'Logging__LogLevel__Default=Warning' taskset -c 0 dotnet bin/Release/net10.0/OpenIddictRef.dll \
    --urls http://127.0.0.1:5090 >/dev/null 2>&1) &
  server=$!
  wait_for http://127.0.0.1:5090/ping
  measure openiddict http://127.0.0.1:5090 /connect/token ref-app:ref-app-secret 150
  stop
}

ratio() { python3 -c "print(f'{$1/$2:.1f}')"; }
results=()
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then v=$(veza); a=$(anchor); else a=$(anchor); v=$(veza); fi
  read -r vc vr vcc vrc <<<"$v"; read -r ac ar acc arc <<<"$a"
  results+=("$vc $ac $vr $ar")
  echo "round $r: authorization_code Veza $vc/s OpenIddict $ac/s ratio $(ratio "$vc" "$ac");" \
    "refresh_token Veza $vr/s OpenIddict $ar/s ratio $(ratio "$vr" "$ar")"
  echo "  server CPU on core 0: authorization_code Veza $vcc% OpenIddict $acc%; refresh_token Veza $vrc% OpenIddict $arc%"
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
m = lambda i: statistics.median(r[i] for r in rows)
rc = statistics.median(r[0] / r[1] for r in rows)
rr = statistics.median(r[2] / r[3] for r in rows)
print(f"median: authorization_code Veza {m(0):.1f}/s OpenIddict {m(1):.1f}/s ratio {rc:.1f};"
      f" refresh_token Veza {m(2):.1f}/s OpenIddict {m(3):.1f}/s ratio {rr:.1f}")'
