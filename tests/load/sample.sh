# Sourced by the load scripts: publishes the sample server and starts it on 127.0.0.1 with its seed.
#
#   start_sample NAME PORT CORES LOG_LEVEL [OUTPUT]
#
# Publishes the sample of $CHECKOUT (another checkout, an earlier commit in a git worktree, say) or of this one
# (Release) into artifacts/load/NAME, starts it pinned to CORES (a taskset list) with the Default and
# Veza.Authentication log levels at LOG_LEVEL and Microsoft.AspNetCore at Warning, its console output going to OUTPUT
# (default /dev/null), and waits for /health. Sets $server to its PID and $BASE to its URL, and stops it on exit.
# Extra environment for the server can be passed in the SAMPLE_ENV array.
start_sample() {
  local name=$1 port=$2 cores=$3 level=$4 output=${5:-/dev/null}
  local root src publish
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  src="${CHECKOUT:-$root}"
  publish="$root/artifacts/load/$name"
  rm -rf "$publish"
  dotnet publish "$src/samples/Veza.Authentication.Samples.Server" -c Release -o "$publish" --nologo -v quiet >/dev/null
  BASE="http://127.0.0.1:$port"
  # The content root is the publish folder, where appsettings.Development.json (the seed) lives.
  (cd "$publish" && exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="$BASE" \
    "Logging__LogLevel__Default=$level" 'Logging__LogLevel__Microsoft.AspNetCore=Warning' "Logging__LogLevel__Veza.Authentication=$level" \
    ${SAMPLE_ENV[@]+"${SAMPLE_ENV[@]}"} taskset -c "$cores" dotnet "$publish/Veza.Authentication.Samples.Server.dll" >"$output" 2>&1) &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "$BASE/health" >/dev/null && return 0; sleep 0.1; done
  echo "error: the sample server did not start" >&2
  return 1
}
