#!/usr/bin/env python3
"""A flood of wrong secrets against the sample server, from many loopback source addresses.

Each worker connects from its own address in 127.0.0.0/8 (Linux routes the whole block to loopback), keeps its
connection alive and sends GET /api/me with a well-formed key (valid checksum) that carries a fresh random secret for
one of the given key ids, so every request is a would-be Argon2id check. It counts the answers by status: a 401 for
an active key id is one Argon2id run the attacker forced; 429 is the address throttle refusing before any work; 503
is the process-wide bound on Argon2id turning the rest away.

usage: flood.py HOST PORT SECONDS SOURCES KEY_ID [KEY_ID ...]
Only loopback hosts are accepted; every loop is bounded by SECONDS.
"""
import asyncio
import ipaddress
import secrets
import sys
import time
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def wrong_key(key_id: str, prefix: str = "veza") -> str:
    secret = "".join(secrets.choice(BASE62) for _ in range(43))
    body = f"{prefix}_{key_id}_{secret}"
    crc = zlib.crc32(body.encode("ascii")) & 0xFFFFFFFF
    digits = []
    for _ in range(6):
        digits.append(BASE62[crc % 62])
        crc //= 62
    return body + "".join(reversed(digits))


async def worker(host, port, source, key_ids, deadline, counts):
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        except OSError:
            counts["connect_error"] = counts.get("connect_error", 0) + 1
            await asyncio.sleep(0.05)
            continue
        try:
            i = 0
            while time.monotonic() < deadline:
                key = wrong_key(key_ids[i % len(key_ids)])
                i += 1
                writer.write(f"GET /api/me HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n\r\n".encode())
                await writer.drain()
                status_line = await asyncio.wait_for(reader.readline(), timeout=30)
                if not status_line:
                    break
                status = int(status_line.split()[1])
                length, chunked = 0, False
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value.strip())
                    elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                        chunked = True
                if chunked:
                    while True:
                        size = int((await reader.readline()).split(b";")[0], 16)
                        await reader.readexactly(size + 2)
                        if size == 0:
                            break
                elif length:
                    await reader.readexactly(length)
                counts[status] = counts.get(status, 0) + 1
                if status == 429:
                    await asyncio.sleep(0.01)   # a real attacker would keep going; this keeps the client from spinning
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            counts["dropped"] = counts.get("dropped", 0) + 1
        finally:
            writer.close()


async def main():
    host, port, seconds, sources = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    key_ids = sys.argv[5:]
    if not ipaddress.ip_address(host).is_loopback or not key_ids or not (1 <= sources <= 250) or not (0 < seconds <= 600):
        sys.exit("usage: flood.py LOOPBACK_HOST PORT SECONDS(<=600) SOURCES(1..250) KEY_ID [KEY_ID ...]")
    counts = {}
    deadline = time.monotonic() + seconds
    start = time.monotonic()
    await asyncio.gather(*(worker(host, port, f"127.0.1.{i + 1}", key_ids, deadline, counts) for i in range(sources)))
    elapsed = time.monotonic() - start
    total = sum(v for k, v in counts.items() if isinstance(k, int))
    parts = ", ".join(f"{k}: {v} ({v / elapsed:.1f}/s)" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
    print(f"flood: {sources} sources, {elapsed:.1f} s, {total} answers; {parts}")


asyncio.run(main())
