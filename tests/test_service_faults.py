"""`ledger serve` under hostile or broken clients: real sockets on loopback, each test bounded."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from automation import __version__
from automation import service as service_module
from automation import service_http
from automation.config import Config
from automation.service_http import LedgerService
from automation.service_log import LOG_BACKUPS, LOG_MAX_BYTES, Throttle, clean, rotating_file_handler
# the sample's grid and a running service on a free loopback port: the same fixtures as test_service
from tests.test_service import NOW, ROOT, TODAY, TOKEN, request, summary
from tests.test_service import sample_values, service  # noqa: F401 - fixtures

pytestmark = pytest.mark.timeout(60)


def raw(service, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", service.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def answer_of(response: bytes) -> tuple[int, dict]:
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


# -- 5: any text gets a JSON answer -------------------------------------------------------------------
def test_a_lone_surrogate_in_a_cell_gets_a_json_answer_with_the_character_replaced(service, sample_values):
    values = [list(row) for row in sample_values]
    assert values[33][1] == "TA2026032"  # sheet row 34, the first overdue item
    values[33][3] = "关于完善企业服务专员制度的建议\ud83d"  # half an emoji, as LEFT/MID leave it
    status, headers, answer = summary(service, {"sheet": "台账", "values": values, "today": TODAY})
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert answer["stats"]["overdue_items"][0]["title"] == "关于完善企业服务专员制度的建议?"
    assert answer["stats"]["total"] == 60


def test_a_lone_surrogate_in_an_error_message_gets_a_json_answer(service):
    status, _, payload = summary(service, {"sheet": "说明\udc00", "values": [["说明"]]})
    assert status == 422
    assert payload["error"] == "bad_ledger" and "说明?" in payload["message"]


def test_a_failure_while_encoding_the_answer_is_a_logged_json_500(service, sample_values, monkeypatch, caplog):
    monkeypatch.setattr(service_module, "summary_answer", lambda *args: {"stats": {1, 2}})  # a set: not JSON
    with caplog.at_level("ERROR", logger="automation.service"):
        status, _, payload = summary(service, {"sheet": "台账", "values": sample_values})
    assert status == 500
    assert payload["error"] == "internal" and "仍在运行" in payload["message"]
    assert any(record.exc_info and record.exc_info[0] is TypeError for record in caplog.records)
    monkeypatch.undo()
    assert summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})[0] == 200


# -- 4 and 8: the log stays small, escaped, without tokens --------------------------------------------------
def test_a_loop_of_refused_requests_leaves_a_small_escaped_log_without_the_token(service, tmp_path):
    log_file = tmp_path / "service.log"
    handler = rotating_file_handler(log_file)
    logger = logging.getLogger("automation.service")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    path = b"/\x1b[2J\x1b[31mowned?token=SECRET-TOKEN-VALUE&x=" + b"A" * 60000
    sent = 0
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            response = raw(service, b"GET " + path + b" HTTP/1.1\r\nHost: evil.test\r\n\r\n")
            assert response.startswith(b"HTTP/1.1 403")
            sent += 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()
    text = log_file.read_text(encoding="utf-8")
    assert sent > 40, "the loop really sent many refused requests"
    assert os.path.getsize(log_file) < 20 * 1024  # 20 lines of ~300 characters, not sent x 60 KB
    assert text.count("refused GET") == 20
    assert "\x1b" not in text and "\\x1b[2J\\x1b[31mowned" in text
    assert "SECRET-TOKEN-VALUE" not in text and "token=***" in text
    assert all(len(line) < 600 for line in text.splitlines())


def test_the_throttle_reports_what_it_suppressed():
    throttle = Throttle(per_minute=3)
    assert [throttle.allow(t)[0] for t in (0, 1, 2, 3, 4)] == [True, True, True, False, False]
    assert throttle.allow(59.9) == (False, 0)
    assert throttle.allow(60.0) == (True, 3)  # a new minute: one line says 3 were left out
    assert throttle.allow(61) == (True, 0)


def test_clean_escapes_controls_cuts_and_redacts():
    assert clean("/a\x1b[0m\r\nb\x9b\u2028\ud83d") == "/a\\x1b[0m\\x0d\\x0ab\\x9b\\u2028\\ud83d"
    assert clean("/v1/summary?access_token=abc&page=2&apiKey=k") == "/v1/summary?access_token=***&page=2&apiKey=***"
    assert clean("x" * 500) == "x" * 200 + "…(+300)"
    assert clean(None) == "None"


def test_service_log_rotates_within_a_bounded_total(tmp_path):
    logger = logging.getLogger("test.service.rotation")
    logger.propagate = False
    handler = rotating_file_handler(tmp_path / "service.log")
    logger.addHandler(handler)
    try:
        for index in range(30000):  # ~6 MB of lines
            logger.warning("line %06d %s \ud83d", index, "x" * 180)  # a lone surrogate does not break the write
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) == LOG_BACKUPS + 1
    assert sum(path.stat().st_size for path in files) <= (LOG_BACKUPS + 1) * LOG_MAX_BYTES
    assert "line 029999" in (tmp_path / "service.log").read_text(encoding="utf-8")
    assert "\\ud83d" in (tmp_path / "service.log").read_text(encoding="utf-8")


# -- 9: slow clients, bad lengths, many connections --------------------------------------------------------
@pytest.fixture
def strict_service():
    """A service with short limits: a 2 s request deadline, 1 s of silence, 3 connections."""
    running = LedgerService(Config(), TOKEN, 0, clock=lambda: NOW, max_body_bytes=2_000_000)
    running.request_deadline = 2.0
    running.idle_timeout = 1.0
    running.max_connections = 3
    running.server.slots = threading.BoundedSemaphore(3)
    running.serve_in_thread()
    yield running
    running.shutdown()


def _trickle(service, head: bytes, drip: bytes, every: float, limit: float) -> tuple[float, bytes]:
    """Send `head`, then one byte of `drip` every `every` seconds until the server closes the
    connection; (seconds until then, what the server answered)."""
    started = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", service.port), timeout=limit) as sock:
        sock.sendall(head)
        sock.settimeout(every)
        for byte in drip:
            try:
                sock.sendall(bytes([byte]))
                chunk = sock.recv(65536)
                answer += chunk
                if not chunk:
                    break
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
            if time.monotonic() - started > limit:
                break
    return time.monotonic() - started, answer


def test_a_slowloris_sending_headers_a_byte_at_a_time_is_dropped_at_the_deadline(strict_service):
    elapsed, _ = _trickle(strict_service, b"GET /v1/health HTTP/1.1\r\n", b"X-Slow: " + b"a" * 200, 0.3, 10)
    assert elapsed < 4, f"held for {elapsed:.1f} s"
    assert request(strict_service, "GET", "/v1/health")[0] == 200


def test_a_slow_body_is_answered_408_at_the_deadline(strict_service):
    head = (f"POST /v1/summary HTTP/1.1\r\nHost: 127.0.0.1:{strict_service.port}\r\nX-Ledger-Token: {TOKEN}\r\n"
            "Content-Length: 500\r\n\r\n").encode()
    elapsed, answer = _trickle(strict_service, head, b"{" + b" " * 400, 0.3, 10)
    assert elapsed < 4, f"held for {elapsed:.1f} s"
    status, payload = answer_of(answer)
    assert status == 408 and payload["error"] == "timeout" and "2 秒" in payload["message"]


def test_a_silent_connection_is_dropped_after_the_idle_timeout(strict_service):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", strict_service.port), timeout=10) as sock:
        assert sock.recv(100) == b""
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("value", ["7_0", "+70", " 70 x", "0x46", "٧٠"])
def test_a_content_length_that_is_not_plain_digits_is_a_bad_length(service, value):
    head = (f"POST /v1/summary HTTP/1.1\r\nHost: 127.0.0.1:{service.port}\r\nX-Ledger-Token: {TOKEN}\r\n"
            f"Content-Length: {value}\r\n\r\n").encode("utf-8")
    status, payload = answer_of(raw(service, head + b"{}", timeout=5))
    assert status == 400 and payload["error"] == "bad_length"
    assert "Content-Length" in payload["message"] and "不是一个非负整数" in payload["message"]
    assert "缺少" not in payload["message"]


def test_two_content_lengths_are_a_bad_length(service):
    head = (f"POST /v1/summary HTTP/1.1\r\nHost: 127.0.0.1:{service.port}\r\nX-Ledger-Token: {TOKEN}\r\n"
            "Content-Length: 2\r\nContent-Length: 20\r\n\r\n{}").encode()
    status, payload = answer_of(raw(service, head, timeout=5))
    assert status == 400 and payload["error"] == "bad_length" and "2 / 20" in payload["message"]


def test_connections_beyond_the_limit_get_503_at_once_and_service_resumes(strict_service):
    strict_service.request_deadline = 20.0  # the three idle clients must outlive the check
    strict_service.idle_timeout = 20.0
    holders = [socket.create_connection(("127.0.0.1", strict_service.port), timeout=5) for _ in range(3)]
    try:
        time.sleep(0.3)  # the three are accepted and hold their threads
        started = time.monotonic()
        status, payload = answer_of(raw(strict_service, b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 5))
        assert time.monotonic() - started < 2
        assert status == 503 and payload["error"] == "busy" and "正忙" in payload["message"]
    finally:
        for holder in holders:
            holder.close()
    deadline = time.monotonic() + 5
    while request(strict_service, "GET", "/v1/health")[0] != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_burst_of_connects_waits_in_the_backlog_instead_of_being_dropped():
    """The listening socket is open but nothing accepts: with backlog 5 the 7th connect was
    dropped by the kernel (the client retries after 1 s); 100 now all connect at once."""
    running = LedgerService(Config(), TOKEN, 0)  # bound and listening, not serving
    sockets = []
    try:
        for _ in range(100):
            sockets.append(socket.create_connection(("127.0.0.1", running.port), timeout=0.5))
    finally:
        for sock in sockets:
            sock.close()
        running.server.server_close()
    assert len(sockets) == 100


# -- 6: restart at once; a busy port explained ---------------------------------------------------------------
def test_the_service_restarts_on_its_port_at_once_after_serving(sample_values):
    first = LedgerService(Config(), TOKEN, 0, clock=lambda: NOW)
    port = first.port
    first.serve_in_thread()
    for _ in range(5):  # refusals close the connection from the service's side: TIME_WAIT there
        assert summary(first, {"sheet": "台账", "values": sample_values}, token="wrong")[0] == 403
        assert summary(first, {"sheet": "台账", "values": sample_values, "today": TODAY})[0] == 200
    first.shutdown()
    second = LedgerService(Config(), TOKEN, port, clock=lambda: NOW)
    second.serve_in_thread()
    try:
        assert request(second, "GET", "/v1/health")[0] == 200
    finally:
        second.shutdown()


def _serve(port: int, home: Path, **options) -> subprocess.Popen:
    env = {**os.environ, "LEDGER_TOKEN": TOKEN, "HOME": str(home)}
    env.pop("XDG_CONFIG_HOME", None)
    return subprocess.Popen([sys.executable, "-m", "automation", "serve", "--port", str(port)], cwd=home, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def _ctrl_c(process: subprocess.Popen) -> str:
    """Ctrl+C to a running service: what it printed, once it said it stopped with no
    traceback; a service still running 5 s later is killed and the test fails."""
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        _end(process)
        raise AssertionError("the service was still running 5 s after Ctrl+C") from None
    assert "台账助手服务已停止" in out
    assert "Traceback" not in err, err
    return out


def _end(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=10)


def _wait_health(port: int, process: subprocess.Popen) -> None:
    probe = type("Probe", (), {"port": port})()
    deadline = time.monotonic() + 30
    while True:
        try:
            assert request(probe, "GET", "/v1/health")[0] == 200
            return
        except OSError:
            assert process.poll() is None, process.communicate(timeout=5)
            assert time.monotonic() < deadline
            time.sleep(0.1)


@pytest.mark.skipif(os.name == "nt", reason="folder modes are POSIX")
def test_ledger_serve_restarts_at_once_and_makes_its_folder_private(tmp_path, sample_values):
    port = _probe_free_port()
    for attempt in range(2):
        process = _serve(port, tmp_path)
        try:
            _wait_health(port, process)
            probe = type("Probe", (), {"port": port})()
            assert summary(probe, {"sheet": "台账", "values": sample_values}, token="nope")[0] == 403
            assert summary(probe, {"sheet": "台账", "values": sample_values, "today": TODAY})[0] == 200
            with socket.create_connection(("127.0.0.1", port), timeout=5) as idle:  # a client that stays
                idle.sendall(b"GET /v1/health HTTP/1.1\r\n")
                time.sleep(0.2)
                _ctrl_c(process)  # stops at once, the idle client notwithstanding
        finally:
            _end(process)
    folder = tmp_path / ".config" / "ledger-assistant"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "refused POST" in (folder / "service.log").read_text(encoding="utf-8")


@pytest.mark.skipif(os.name == "nt", reason="a POSIX child inherits an ignored SIGINT")
def test_ctrl_c_stops_the_service_even_when_it_was_started_with_ctrl_c_ignored(tmp_path):
    # A process started with SIGINT ignored passes that on, and Python then installs no
    # KeyboardInterrupt handler: the service installs its own.
    port = _probe_free_port()
    process = _serve(port, tmp_path, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        _wait_health(port, process)
        _ctrl_c(process)
    finally:
        _end(process)


def _probe_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_held_by_a_running_ledger_service_is_named_as_such(service, tmp_path):
    env = {**os.environ, "LEDGER_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-m", "automation", "serve", "--port", str(service.port)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"台账助手服务已经在端口 {service.port} 运行（版本 {__version__}）" in done.stderr
    assert "其他程序" not in done.stderr


def test_a_port_held_by_another_program_is_named_as_such(tmp_path):
    with socket.socket() as other:  # listens, never answers HTTP
        other.bind(("127.0.0.1", 0))
        other.listen(5)
        port = other.getsockname()[1]
        env = {**os.environ, "LEDGER_TOKEN": TOKEN}
        done = subprocess.run([sys.executable, "-m", "automation", "serve", "--port", str(port)], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"端口 {port} 启动台账助手服务：该端口已被其他程序占用" in done.stderr
    assert "已经在端口" not in done.stderr and "Traceback" not in done.stderr


# -- 7: memory per request bounded ------------------------------------------------------------------------------
def test_a_body_with_too_many_values_is_refused_before_parsing(service):
    body = b'{"sheet":"x","values":[' + b",".join([b"[]"] * 700_000) + b"]}"  # 2.1 MB would parse to ~45 MB
    service.max_body_bytes = len(body) + 1
    service.max_values = 1_000_000
    status, _, payload = summary(service, body)
    assert status == 413 and payload["error"] == "too_many_values"
    assert "1400002" in payload["message"] and "1000000" in payload["message"]


_MEMORY_CHILD = r"""
import sys, time
from automation.config import Config
from automation.service_http import LedgerService
service = LedgerService(Config(), "t" * 24, 0, max_body_bytes=int(sys.argv[1]))
print(service.port, flush=True)
service.serve_forever()
"""


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _peak_with(concurrent: int, body: bytes) -> tuple[float, float]:
    """(peak RSS before, peak RSS after) of a fresh service process answering `concurrent`
    copies of `body` at once."""
    child = subprocess.Popen([sys.executable, "-c", _MEMORY_CHILD, str(len(body))], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        port = int(child.stdout.readline())
        probe = type("Probe", (), {"port": port})()
        assert request(probe, "GET", "/v1/health")[0] == 200
        before = _peak_rss_mb(child.pid)
        results = []
        threads = [threading.Thread(target=lambda: results.append(summary(probe, body, token="t" * 24)[0]))
                   for _ in range(concurrent)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results == [422] * concurrent  # parsed and analysed: no ledger header in it
        return before, _peak_rss_mb(child.pid)
    finally:
        child.terminate()
        child.wait(timeout=10)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
@pytest.mark.timeout(120)
def test_four_maximum_size_requests_at_once_cost_about_one_parse():
    """Four 5.7 MB bodies of 1.9 million empty rows (each parses to ~120 MB of lists) at once: one
    parse at a time, so the peak grows by about one parse plus four bodies, not four parses."""
    body = b'{"sheet":"x","values":[' + b",".join([b"[]"] * 1_900_000) + b"]}"
    base, one = _peak_with(1, body)
    base4, four = _peak_with(4, body)
    one_parse = one - base
    assert one_parse > 60, "the body really is costly to parse"
    assert four - base4 < one_parse * 1.3 + 4 * len(body) / 2**20, (base, one, base4, four)


@pytest.mark.timeout(60)
def test_a_request_waiting_for_room_among_bodies_is_not_dropped_by_its_deadline(strict_service, sample_values,
                                                                               monkeypatch):
    """Bodies in memory are bounded (two maximum-size ones here): a third request waits for
    room longer than the 2 s deadline, then still gets its answer; the wait is the service's."""
    body = json.dumps({"sheet": "台账", "values": sample_values, "today": TODAY}).encode()
    strict_service.max_body_bytes = len(body)
    strict_service.budget = service_http._BodyBudget(2 * len(body))
    real = service_module.summary_answer

    def slow(*args):
        time.sleep(2.5)
        return real(*args)

    monkeypatch.setattr(service_module, "summary_answer", slow)
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(summary(strict_service, body)[0])) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200, 200, 200]


def test_a_bind_failure_other_than_a_taken_port_gives_the_systems_words():
    import errno

    message = service_http.port_in_use_message(80, OSError(errno.EACCES, "Permission denied"))
    assert "端口 80" in message and "Permission denied" in message
    assert "其他程序" not in message and "已经在端口" not in message
    assert service_http.address_in_use(OSError(errno.EADDRINUSE, "in use"))
    assert service_http.address_in_use(OSError(10048, "WSAEADDRINUSE"))  # Windows' number
