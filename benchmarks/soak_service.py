"""Soak: `ledger serve` under good, malformed and slow clients at once, from a bounded loop.

    python benchmarks/soak_service.py                 # ten minutes
    python benchmarks/soak_service.py --seconds 180   # shorter, on a shared machine

Clients, all on 127.0.0.1 against a real `ledger serve` process (default limits):
- good: the sample ledger posted as the WPS add-in posts it, then a health check, in a loop;
  each answer must be 200 and arrive within a second;
- malformed: a rotation of hostile requests (wrong token, web origin, foreign Host, 60 KB
  paths with terminal escapes and a token in the query, bad JSON, a lone surrogate, bad and
  double Content-Length, garbage request lines, a body cut short), as fast as they go;
- slow: SLOW_CLIENTS connections dripping one header byte a second, reopened when dropped.
Every few seconds the service's resident memory is sampled from /proc; the report gives the
first and last minute, the peak, the good requests' latencies and the log's size on disk.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from service_common import TOKEN, free_port, get, memory_mb, post, sample_body, start_serve, temporary_home  # noqa: E402

SLOW_CLIENTS = 6
SAMPLE_EVERY = 5.0
#: Hostile requests a second (each on a new connection). The client is one Python process
#: on the same two cores: unpaced, it starves the good client's own measurement.
HOSTILE_RATE = 100


def hostile_requests(port: int) -> list[bytes]:
    host = f"Host: 127.0.0.1:{port}\r\n".encode()
    token = f"X-Ledger-Token: {TOKEN}\r\n".encode()

    def post_raw(body: bytes, headers: bytes = b"", length: bytes | None = None) -> bytes:
        length = str(len(body)).encode() if length is None else length
        return (b"POST /v1/summary HTTP/1.1\r\n" + host + token + headers + b"Content-Length: " + length
                + b"\r\n\r\n" + body)

    long_path = b"/\x1b[2J\x1b[31m?token=" + TOKEN.encode() + b"&q=" + b"A" * 60000
    return [
        b"POST /v1/summary HTTP/1.1\r\n" + host + b"X-Ledger-Token: wrong\r\nContent-Length: 2\r\n\r\n{}",
        b"GET /v1/health HTTP/1.1\r\n" + host + b"Origin: https://evil.test\r\n\r\n",
        b"GET /v1/health HTTP/1.1\r\nHost: evil.test\r\n\r\n",
        b"GET " + long_path + b" HTTP/1.1\r\nHost: evil.test\r\n\r\n",
        post_raw(b"this is not json"),
        post_raw(b'{"sheet": "\\ud83d", "values": [["\\ud83d"]]}'),
        post_raw(b"{}", length=b"7_0"),
        post_raw(b"{}", headers=b"Content-Length: 20\r\n"),
        b"\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        post_raw(b'{"sheet": "x", "values": [[', length=b"500"),  # cut short: the client closes
    ]


class Soak:
    def __init__(self, port: int, seconds: float, good_body: bytes, hostile_rate: float = HOSTILE_RATE):
        self.port = port
        self.hostile_gap = 1.0 / hostile_rate
        self.stop_at = time.monotonic() + seconds
        self.good_body = good_body
        self.latencies: list[float] = []
        self.bad_answers: list[str] = []
        self.hostile_sent = 0
        self.slow_dropped = 0
        self.lock = threading.Lock()

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    def good(self) -> None:
        while self.running():
            for kind in ("summary", "health"):
                started = time.perf_counter()
                try:
                    if kind == "summary":
                        status, body = post(self.port, self.good_body, timeout=30)
                        ok = status == 200 and json.loads(body)["stats"]["total"] == 60
                    else:
                        status, body = get(self.port, "/v1/health", timeout=30)
                        ok = status == 200
                except OSError as error:
                    ok, status = False, repr(error)
                elapsed = time.perf_counter() - started
                with self.lock:
                    self.latencies.append(elapsed)
                    if not ok or elapsed > 1.0:
                        self.bad_answers.append(f"{kind}: {status} in {elapsed:.2f} s")
            time.sleep(0.2)

    def hostile(self) -> None:
        next_at = time.monotonic()
        for data in itertools.cycle(hostile_requests(self.port)):
            if not self.running():
                return
            next_at += self.hostile_gap
            time.sleep(max(0.0, next_at - time.monotonic()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
                    sock.sendall(data)
                    sock.shutdown(socket.SHUT_WR)
                    while sock.recv(65536):
                        pass
            except OSError:
                pass
            with self.lock:
                self.hostile_sent += 1

    def slow(self) -> None:
        while self.running():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(b"POST /v1/summary HTTP/1.1\r\n")
                    while self.running():
                        sock.sendall(b"X")
                        time.sleep(1)
            except OSError:
                with self.lock:
                    self.slow_dropped += 1


def run(seconds: float, hostile_rate: float = HOSTILE_RATE) -> str:
    good_body = sample_body()
    load_start = os.getloadavg()[0]
    with temporary_home() as home_text:
        home = Path(home_text)
        port = free_port()
        process = start_serve(port, home)
        soak = Soak(port, seconds, good_body, hostile_rate)
        threads = [threading.Thread(target=soak.good), threading.Thread(target=soak.hostile)]
        threads += [threading.Thread(target=soak.slow) for _ in range(SLOW_CLIENTS)]
        started = time.monotonic()
        for thread in threads:
            thread.daemon = True
            thread.start()
        samples: list[tuple[float, float]] = []
        while soak.running():
            samples.append((time.monotonic() - started, memory_mb(process.pid)[0]))
            time.sleep(min(SAMPLE_EVERY, max(0.0, soak.stop_at - time.monotonic())))
        for thread in threads:
            thread.join(timeout=30)
        rss, peak = memory_mb(process.pid)
        process.terminate()
        process.wait(timeout=30)
        log_dir = home / ".config" / "ledger-assistant"
        log_bytes = sum(path.stat().st_size for path in log_dir.glob("service.log*"))
    first = [mb for at, mb in samples if at < 60]
    last = [mb for at, mb in samples if at >= samples[-1][0] - 60]
    latencies = sorted(soak.latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    lines = [
        f"Soak of `ledger serve`: {seconds:.0f} s, Python {sys.version.split()[0]}; "
        f"1 good client, 1 hostile client ({hostile_rate:g} requests/s), {SLOW_CLIENTS} slow clients.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| good requests (summary of the sample ledger + health) | {len(latencies)} |",
        f"| good requests not 200 or slower than 1 s | {len(soak.bad_answers)} |",
        f"| good latency median / p99 / max, s | {statistics.median(latencies):.3f} / {p99:.3f} / "
        f"{latencies[-1]:.3f} |",
        f"| hostile requests sent | {soak.hostile_sent} |",
        f"| slow connections dropped by the service | {soak.slow_dropped} |",
        f"| resident MB, mean of first minute | {statistics.mean(first):.1f} |",
        f"| resident MB, mean of last minute | {statistics.mean(last):.1f} |",
        f"| resident MB at the end / peak | {rss:.1f} / {peak:.1f} |",
        f"| service.log on disk (with rotated files), KB | {log_bytes / 1024:.1f} |",
    ]
    by_minute = [statistics.mean(mb for at, mb in samples if minute * 60 <= at < (minute + 1) * 60)
                 for minute in range(int(samples[-1][0] // 60) + 1)]
    lines += ["", "Resident MB, mean of each minute: " + ", ".join(f"{mb:.1f}" for mb in by_minute),
              f"Load average (1 min) of the machine at the start / end: {load_start:.1f} / {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores."]
    if soak.bad_answers:
        lines += ["", "Late or failed good requests: " + "; ".join(soak.bad_answers[:10])]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--hostile-rate", type=float, default=HOSTILE_RATE, help="hostile requests a second")
    args = parser.parse_args()
    print(run(args.seconds, args.hostile_rate))


if __name__ == "__main__":
    main()
