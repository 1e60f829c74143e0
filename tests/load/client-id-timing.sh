#!/usr/bin/env bash
# Can a client id be told to exist by how long a wrong secret takes? Times token requests with a wrong secret for the
# seeded client id and for an unknown one, alternating, each from its own loopback address (127.0.3.x) so that no
# address reaches its failure limit.
#
#   tests/load/client-id-timing.sh [REQUESTS]
#
# Publishes the sample server (Release), starts it with logging at Warning, and prints the median and the range of
# curl's total time for each kind (REQUESTS of each, default 40). CHECKOUT=<another checkout> measures that one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-40}"
. "$ROOT/tests/load/sample.sh"
start_sample client-id-timing "${PORT:-5096}" 0,1 Warning
time_of() {   # client-id source-address
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --interface "$2" -u "$1:a-wrong-secret-that-is-long-enough-$RANDOM$RANDOM" \
    -d grant_type=client_credentials "$BASE/oauth2/token"
}
time_of engineering-worker 127.0.3.250 >/dev/null; time_of no-such-client 127.0.3.251 >/dev/null   # warm-up
known="" unknown=""
for i in $(seq 1 "$N"); do
  known+="$(time_of engineering-worker "127.0.3.$((i % 200 + 1))")"$'\n'
  unknown+="$(time_of no-such-client "127.0.4.$((i % 200 + 1))")"$'\n'
done
summary() { python3 -c "
import sys, statistics
rows = [l.split() for l in sys.stdin.read().split(chr(10)) if l.strip()]
t = sorted(float(r[1]) * 1000 for r in rows)
codes = sorted(set(r[0] for r in rows))
print(f'{len(t)} requests, statuses {\",\".join(codes)}: median {statistics.median(t):.2f} ms, range {t[0]:.2f}-{t[-1]:.2f} ms')"; }
echo "known client id, wrong secret:   $(summary <<<"$known")"
echo "unknown client id, wrong secret: $(summary <<<"$unknown")"
