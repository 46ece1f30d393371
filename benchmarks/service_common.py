"""Shared by the service benchmarks: start `ledger serve` as the user does, talk to it on loopback."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-" + "x" * 24


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(port: int, home: Path, max_body_mb: int | None = None) -> subprocess.Popen:
    """`ledger serve` in its own process, with a home of its own (its log lands there)."""
    env = {**os.environ, "LEDGER_TOKEN": TOKEN, "HOME": str(home)}
    env.pop("XDG_CONFIG_HOME", None)
    command = [sys.executable, "-m", "automation", "serve", "--port", str(port)]
    if max_body_mb is not None:
        config = home / "config.ini"
        config.write_text(f"[service]\nmax_body_mb = {max_body_mb}\n", encoding="utf-8")
        command += ["--config", str(config)]
    process = subprocess.Popen(command, cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/v1/health")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("ledger serve did not start")


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def post(port: int, body: bytes, token: str = TOKEN, timeout: float = 120, **headers: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/v1/summary", body, {"X-Ledger-Token": token,
                                                         "Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) of a process in MB, from /proc (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def sample_body() -> bytes:
    """The sample ledger's sheet as the WPS add-in posts it (UsedRange.Value2)."""
    sys.path.insert(0, str(ROOT / "macros" / "wps" / "test"))
    from make_fixture import workbook_grid  # noqa: PLC0415 - the add-in's own fixture maker

    values = workbook_grid(ROOT / "examples" / "sample_ledger.xlsx", "台账")
    return json.dumps({"sheet": "台账", "values": values}, ensure_ascii=False).encode()


def temporary_home() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="ledger-bench-")
