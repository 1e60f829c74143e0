#!/usr/bin/env bash
# Runs the whole test suite and ends with one line: "N passed, M failed" (summed from the TRX results).
set -uo pipefail
cd "$(dirname "$0")"

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
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test results were produced"
  failed=1
fi

echo "$passed passed, $failed failed"
if [ $status -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
