#!/usr/bin/env python3
"""Lookups at scale on PostgreSQL: API keys and OAuth2 clients are inserted in bulk with one hash each (this measures
lookups, not hashing), then first uses of keys never used before, client-credentials tokens for clients never used
before, and key listings at page 1 and page 1,000 are timed against the sample server. Run by tests/load/scale.sh.

usage: scale.py BASE_URL PSQL_DATABASE_URL KEYS CLIENTS [SAMPLES]
       scale.py memory BASE_URL PSQL_DATABASE_URL KEYS PID      (uses KEYS distinct keys once each; prints the RSS)
"""
import base64
import http.client
import json
import random
import statistics
import subprocess
import sys
import threading
import time
import zlib
from urllib.parse import urlparse

ROOT_KEY = "veza_losOssXbrfFxgOSJ_E2HoUvDTunaXxVH5mtuq20a25Zj8gDrMKinvfi0LIWS1LcKNS"
WORKER_SECRET = "sample-worker-secret-change-me-0123456789"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def key_string(key_id, secret):
    body = f"veza_{key_id}_{secret}"
    checksum = zlib.crc32(body.encode("ascii"))
    chars = []
    for _ in range(6):
        chars.append(BASE62[checksum % 62])
        checksum //= 62
    return body + "".join(reversed(chars))


def key_id(n):
    return f"S{n:015d}"


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, stdout=subprocess.DEVNULL)


class Client:
    def __init__(self, base):
        parsed = urlparse(base)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def send(self, method, path, headers=None, body=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.read()

    def timed(self, method, path, headers=None, body=None):
        started = time.perf_counter()
        status, data = self.send(method, path, headers, body)
        return (time.perf_counter() - started) * 1000, status, data


def summary(name, times):
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    return f"{name}: median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms ({len(times)} samples)"


def seed_secret(base):
    """A team key made by the server: its secret and stored hash are the ones every bulk key shares."""
    client = Client(base)
    status, data = client.send("POST", "/api/preview/teamkeys",
                               {"Authorization": "Bearer " + ROOT_KEY, "Content-Type": "application/json"},
                               json.dumps({"name": f"scale-seed-{time.time_ns()}", "team_id": "engineering"}))
    assert status == 200, (status, data)
    value = json.loads(data)["value"]
    return value["id"], value["access_key"].split("_")[2][:43]


def insert(url, seed_id, first, last, clients_first=0, clients_last=0):
    psql(url, f"""
        INSERT INTO veza_api_keys (id, kind, name, name_key, team_id, owner_user_id, owner_key, created_by_user_id, secret_hash,
                                   status, revoked_by, revoked_authority, created_at, last_access_at)
        SELECT 'S' || lpad(n::text, 15, '0'), 1, 'scale-' || n, 'SCALE-' || n, 'engineering', NULL, '', 'root-admin', k.secret_hash,
               0, NULL, 0, now(), now()
        FROM generate_series({first}, {last}) n, (SELECT secret_hash FROM veza_api_keys WHERE id = '{seed_id}') k;""")
    if clients_last >= clients_first > 0:
        psql(url, f"""
            INSERT INTO veza_oauth_clients (id, kind, name, name_key, team_id, role, allowed_scopes, access_token_lifetime_ticks, status,
                                            revoked_by, created_by, created_at, last_used_at, app_base_url, app_redirect_uris, app_is_public,
                                            app_allow_any_redirect_uri, app_allow_loopback_redirect_uris, version)
            SELECT 'scale-client-' || n, 0, 'scale-client-' || n, 'SCALE-CLIENT-' || n, 'engineering', 'operator', '["graph:read"]',
                   3000000000, 0, NULL, 'system', now(), NULL, NULL, NULL, false, false, false, 0
            FROM generate_series({clients_first}, {clients_last}) n;
            INSERT INTO veza_oauth_client_secrets (client_id, secret_id, hash, created_at, expires_at)
            SELECT 'scale-client-' || n, 's1', s.hash, now(), NULL
            FROM generate_series({clients_first}, {clients_last}) n,
                 (SELECT hash FROM veza_oauth_client_secrets WHERE client_id = 'engineering-worker' LIMIT 1) s;""")
    psql(url, "ANALYZE;")


def measure(base, secret, keys, clients, samples, label):
    client = Client(base)
    # Warm the paths once with the seeded credentials.
    client.send("GET", "/api/ping", {"Authorization": "Bearer " + ROOT_KEY})
    firsts = []
    for n in random.sample(range(1, keys + 1), samples):
        ms, status, _ = client.timed("GET", "/api/ping", {"Authorization": "Bearer " + key_string(key_id(n), secret)})
        assert status == 200, status
        firsts.append(ms)
    tokens = []
    basic = lambda n: "Basic " + base64.b64encode(f"scale-client-{n}:{WORKER_SECRET}".encode()).decode()
    for n in random.sample(range(1, clients + 1), min(samples, clients)):
        ms, status, data = client.timed("POST", "/oauth2/token", {"Authorization": basic(n), "Content-Type": "application/x-www-form-urlencoded"},
                                        "grant_type=client_credentials")
        assert status == 200, (status, data)
        tokens.append(ms)
    pages = {}
    for page in (1, 1000):
        path = "/api/preview/teamkeys?page_size=100"
        if page > 1:
            token = base64.urlsafe_b64encode(f"v1:{key_id((page - 1) * 100)}".encode()).decode().rstrip("=")
            path += "&page_token=" + token
        times = []
        for _ in range(30):
            ms, status, data = client.timed("GET", path, {"Authorization": "Bearer " + ROOT_KEY})
            assert status == 200, (status, data[:200])
            times.append(ms)
        pages[page] = times
    print(f"== {label}")
    print(summary("  a key's first use (Argon2id included)", firsts))
    print(summary("  a client's first token (Argon2id included)", tokens))
    print(summary("  team keys, page 1", pages[1]))
    print(summary("  team keys, page 1000", pages[1000]))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory(base, url, keys, pid):
    seed_id, secret = seed_secret(base)
    insert(url, seed_id, 1, keys)
    before = rss_kib(pid)
    counter = iter(range(1, keys + 1))
    lock = threading.Lock()
    peak = [before]

    def work():
        client = Client(base)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            status, _ = client.send("GET", "/api/ping", {"Authorization": "Bearer " + key_string(key_id(n), secret)})
            assert status == 200, status
            if n % 5000 == 0:
                with lock:
                    peak[0] = max(peak[0], rss_kib(pid))

    started = time.time()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = rss_kib(pid)
    print(f"{keys} distinct keys used once each in {time.time() - started:.0f} s: RSS {before // 1024} MiB before, "
          f"peak {max(peak[0], after) // 1024} MiB, {after // 1024} MiB after")


def main():
    if sys.argv[1] == "memory":
        memory(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    base, url, keys, clients = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    samples = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    seed_id, secret = seed_secret(base)
    small_keys, small_clients = 100_000, 1_000
    # Page 1,000 needs 100,000 keys: the small set is 100,000 keys, 1,000 clients.
    insert(url, seed_id, 1, small_keys, 1, small_clients)
    measure(base, secret, small_keys, small_clients, samples, f"{small_keys:,} keys, {small_clients:,} clients")
    insert(url, seed_id, small_keys + 1, keys, small_clients + 1, clients)
    measure(base, secret, keys, clients, samples, f"{keys:,} keys, {clients:,} clients")


if __name__ == "__main__":
    main()
