#!/usr/bin/env python3
"""How long a revoke through one instance takes to reach another: N times, a new team key is created through the
first instance, proven on the second (so the second remembers it), revoked through the first; the clock starts when
the revoke's answer arrives and stops at the second's first 401. Prints the median, p90, p99 and max in milliseconds.

usage: propagation.py FIRST_URL SECOND_URL [N]
"""
import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlparse

KEY = "veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"  # root-admin's seeded key


def connect(url):
    parsed = urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)


def call(conn, method, path, key, body=None):
    headers = {"Authorization": "Bearer " + key}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data


def main():
    first, second = connect(sys.argv[1]), connect(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    times = []
    for i in range(count):
        status, data = call(first, "POST", "/api/preview/teamkeys", KEY, {"name": f"propagation-{time.time_ns()}", "team_id": "engineering"})
        assert status == 200, (status, data)
        created = json.loads(data)["value"]
        key_id, key = created["id"], created["access_key"]
        status, _ = call(second, "GET", "/api/ping", key)
        assert status == 200, status
        status, data = call(first, "POST", f"/api/preview/teamkeys/{key_id}:revoke", KEY)
        assert status == 200, (status, data)
        revoked_at = time.perf_counter()
        while True:
            status, _ = call(second, "GET", "/api/ping", key)
            if status == 401:
                break
            assert status == 200, status
            if time.perf_counter() - revoked_at > 30:
                raise SystemExit(f"revoke {i} did not reach the second instance in 30 s")
        times.append((time.perf_counter() - revoked_at) * 1000)
        status, _ = call(first, "DELETE", f"/api/preview/teamkeys/{key_id}", KEY)
        assert status in (200, 204), status
    times.sort()
    def pct(p):
        return times[min(len(times) - 1, int(round(p / 100 * len(times) + 0.5)) - 1)]
    print(f"{count} revokes: median {statistics.median(times):.1f} ms, p90 {pct(90):.1f} ms, p99 {pct(99):.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
