#!/usr/bin/env bash
# Runs the whole test suite and ends with one line: "N passed, M failed" (summed from the TRX results).
set -uo pipefail
cd "$(dirname "$0")"

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here): install it when missing.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -x /usr/bin/chromium ]; then
  echo "/usr/bin/chromium is missing: installing Debian's chromium with apt-get for the browser tests"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  # Waits for another apt-get holding the lock rather than failing at once.
  apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
  if ! $apt install -y chromium; then
    $apt update && $apt install -y chromium
  fi
  if [ -x /usr/bin/chromium ]; then
    echo "installed $(/usr/bin/chromium --version 2>/dev/null)"
  else
    echo "chromium could not be installed: the browser tests will fail"
  fi
fi

# The database tests run against a throwaway PostgreSQL cluster, removed at the end even when tests fail.
source tests/postgres.sh
trap veza_pg_stop EXIT
if ! veza_pg_start; then
  echo "PostgreSQL could not be started: the PostgreSQL tests will fail"
fi
# Here the PostgreSQL tests must run: without a server they fail rather than skip.
export VEZA_REQUIRE_POSTGRES=1

results="TestResults"
rm -rf "$results"
dotnet restore Veza.Authentication.sln
dotnet build Veza.Authentication.sln --no-restore -c Debug
build=$?
if [ $build -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Veza.Authentication.sln --no-build -c Debug --logger "trx" --results-directory "$results"
status=$?

passed=0
failed=0
postgres=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  postgres=$((postgres + $(veza_postgres_passed "$trx")))
done

echo "$postgres PostgreSQL tests passed"
if [ "$postgres" -eq 0 ]; then
  echo "no PostgreSQL test ran: counted as a failure"
  failed=$((failed + 1))
fi

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test results were produced"
  failed=1
fi

echo "$passed passed, $failed failed"
if [ $status -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
