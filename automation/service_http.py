"""The HTTP layer of `ledger serve`: sockets, limits and checks around the pure functions of
`automation.service` (`parse_request`, `summary_answer`).

Why the standard library's `ThreadingHTTPServer`, mended, rather than waitress: waitress
(pure Python, bounded pool, backlog 1024, strict Content-Length) was weighed. It would give
the backlog and the thread bound for free, but not what this service needs most:
- its channel timeout is an *idle* timeout, so a client sending a byte every minute is still
  held; a whole-request deadline would mean patching its internals (`maintenance`);
- it reads and buffers every body (to disk above 512 KB) before the application sees the
  headers, so a client without the token could make it store a body of any allowed size;
  here the Host/Origin/token checks come first and a refused body is never read;
- its own answers (400, 413, chunked bodies accepted) are English plain text, not the JSON
  with one Chinese sentence the WPS add-in shows;
- on Windows it sets SO_REUSEADDR, which there lets another program bind the same port;
- one more package for the offline bundle.
What it would have given is a few lines here: `request_queue_size`, a connection semaphore,
a digits-only Content-Length.

Limits (each one a class attribute of `LedgerService`, so tests can shrink them):
- at most MAX_CONNECTIONS connections at once; one more gets 503 at once;
- a request line and headers must arrive within REQUEST_DEADLINE seconds, and so must the
  body once there is room for it, with no silence longer than IDLE_TIMEOUT (a slowloris is
  dropped);
- bodies held in memory at once: BODY_BUDGET_FACTOR x max_body_bytes (a request waits up to
  BUDGET_WAIT for room, then 503); parsing, computing and encoding run one request at a time
  (the compute lock), and a body may hold at most MAX_VALUES JSON values. Four 64 MB requests
  at once peaked at 861 MB with the costliest body found (one long text starting with an
  emoji), 667 MB with four 150,000-row ledgers (benchmarks/service_memory.py);
- restart on the same port at once (SO_REUSEADDR on POSIX, SO_EXCLUSIVEADDRUSE on Windows).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hmac
import http.client
import io
import json
import logging
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from automation import __version__
from automation import messages as m
from automation import service as core
from automation.config import Config
from automation.service_log import Throttle, clean

log = logging.getLogger("automation.service")

#: listen() backlog: a burst of connects waits in the kernel instead of being retried after 1 s.
BACKLOG = 128
MAX_CONNECTIONS = 32
#: Seconds of silence allowed while a request is read, and for the whole request to arrive.
IDLE_TIMEOUT = 15.0
REQUEST_DEADLINE = 30.0
#: Seconds an answer may take to be taken by the client (sendall is bounded as a whole).
WRITE_TIMEOUT = 30.0
BODY_BUDGET_FACTOR = 2
#: Seconds a request waits for room among the bodies in memory before it gets 503.
BUDGET_WAIT = 60.0
#: JSON values (cells and rows) a body may hold: parsing `[]` costs ~64 bytes a value, so this
#: bounds the parse of any body; a 50,000-row x 20-column ledger is about 1.05 million.
MAX_VALUES = 4_000_000
_DIGITS = re.compile(r"[0-9]{1,18}")
_ADDRESS_IN_USE = {errno.EADDRINUSE, 10048, 10013}  # 10048/10013: Windows WSAEADDRINUSE/WSAEACCES


def json_bytes(payload: dict[str, Any]) -> bytes:
    """An answer as UTF-8 JSON; text UTF-8 cannot hold (a lone surrogate, half an emoji cut by
    LEFT/MID in a cell) is replaced, never an error."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def value_count(body: bytes) -> int:
    """An upper bound of the JSON values in a body, without parsing it: every value but the
    first of an array follows a comma, every array opens with a bracket (commas inside text
    count too, which only errs on the safe side; a comma byte is never part of a UTF-8 CJK
    character)."""
    return body.count(b",") + body.count(b"[") + body.count(b"{")


def probe_health(port: int, timeout: float = 2.0) -> str | None:
    """The version a ledger service on this loopback port reports, or None if none answers."""
    connection = http.client.HTTPConnection(core.DEFAULT_HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/v1/health")
        response = connection.getresponse()
        payload = json.loads(response.read(4096))
        if response.status == 200 and isinstance(payload, dict) and isinstance(payload.get("version"), str):
            return payload["version"]
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    return None


def address_in_use(error: OSError) -> bool:
    """Whether a bind failed because the port is taken (POSIX or Windows error numbers)."""
    return error.errno in _ADDRESS_IN_USE or getattr(error, "winerror", None) in _ADDRESS_IN_USE


class _BodyBudget:
    """Bytes of request bodies held at once, shared by all connections."""

    def __init__(self, total: int):
        self.total = total
        self.used = 0
        self._condition = threading.Condition()

    @contextlib.contextmanager
    def hold(self, amount: int, wait: float) -> Iterator[None]:
        amount = min(amount, self.total)
        with self._condition:
            if not self._condition.wait_for(lambda: self.used + amount <= self.total, timeout=wait):
                raise core.RequestError(HTTPStatus.SERVICE_UNAVAILABLE, "busy", m.SERVICE_BUSY)
            self.used += amount
        try:
            yield
        finally:
            with self._condition:
                self.used -= amount
                self._condition.notify_all()


class LedgerService:
    """The service, bound to the loopback address. Runs in the foreground (`serve_forever`)
    or in a thread (`serve_in_thread`), so another long-running process could embed it.

    `port=0` picks a free port (see `.port`). `clock` returns the current datetime (the
    default date of a request without "today", and the refresh time on the sheets).
    """

    max_connections = MAX_CONNECTIONS
    idle_timeout = IDLE_TIMEOUT
    request_deadline = REQUEST_DEADLINE
    write_timeout = WRITE_TIMEOUT
    budget_wait = BUDGET_WAIT
    max_values = MAX_VALUES

    def __init__(self, config: Config, token: str, port: int | None = None, *, max_body_bytes: int | None = None,
                 clock: Callable[[], dt.datetime] = dt.datetime.now, log_path: str | None = None):
        if not token:
            raise ValueError(m.SERVICE_NO_TOKEN.format(path=core.TOKEN_ENV))
        settings = core.service_settings(config)
        self.config = config
        self.token = token
        self.max_body_bytes = max_body_bytes if max_body_bytes is not None else settings.max_body_bytes
        self.allowed_origins = core.ALLOWED_ORIGINS | frozenset(settings.extra_origins)
        self.clock = clock
        self.log_path = log_path
        self._compute_lock = threading.Lock()  # one parse + summary at a time: bounded memory
        self.budget = _BodyBudget(BODY_BUDGET_FACTOR * self.max_body_bytes)
        self.refusals = Throttle()
        self.failures = Throttle()
        self._thread: threading.Thread | None = None
        self.server = _Server((core.DEFAULT_HOST, settings.port if port is None else port), _Handler)  # loopback only
        self.server.service = self
        self.server.slots = threading.BoundedSemaphore(self.max_connections)

    @property
    def host(self) -> str:
        return self.server.server_address[0]

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.server.server_close()

    def serve_in_thread(self) -> threading.Thread:
        """Start serving in a daemon thread and return it; stop with `shutdown()`."""
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="ledger-service", daemon=True)
        self._thread.start()
        return self._thread

    def shutdown(self) -> None:
        """Stop serving and release the port (from another thread than the serving one)."""
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    # -- request checks, in order: host, origin, token --------------------------------
    def allowed_host(self, host: str | None) -> bool:
        if not host:
            return False
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not name:  # no port given
            name, port = host, ""
        if port and port != str(self.port):
            return False
        return name.lower() in ("127.0.0.1", "localhost", "[::1]")

    def allowed_origin(self, origin: str | None) -> bool:
        return origin is None or origin in self.allowed_origins

    def token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def answer(self, body: bytes) -> dict[str, Any]:
        """The answer to a POST /v1/summary body (RequestError on a bad request)."""
        return json.loads(self.answer_bytes(body))

    def answer_bytes(self, body: bytes) -> bytes:
        """The encoded answer to a POST /v1/summary body (RequestError on a bad request).

        Parsing, computing and encoding all run under the compute lock: the parsed grid is
        several times the body's size, so only one exists at a time."""
        from automation.problems import LedgerError

        count = value_count(body)
        if count > self.max_values:
            raise core.RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_many_values",
                                    m.REQUEST_TOO_MANY_VALUES.format(count=count, limit=self.max_values))
        with self._compute_lock:
            request = core.parse_request(body)
            del body
            now = self.clock()
            today = request.today or now.date()
            started = time.perf_counter()
            failure = None
            try:
                payload = core.summary_answer(request, self.config, today, now)
            except LedgerError as error:
                failure = core.RequestError(HTTPStatus.UNPROCESSABLE_ENTITY, "bad_ledger",
                                            m.REQUEST_BAD_LEDGER.format(message=error.message))
            rows, sheet = sum(len(part.values) for part in request.sheets or [request]), clean(request.sheet, 60)
            # Raised out here, with the grid dropped first: a traceback holds its frames' locals,
            # and the error answer is sent after the lock is released to the next request.
            del request
            if failure is not None:
                raise failure
            data = json_bytes(payload)
            del payload
        log.info("summary of sheet %s: %d rows in %.2f s", sheet, rows, time.perf_counter() - started)
        return data

    def note_refusal(self, line: str) -> None:
        """Log a refusal, at most a few lines a minute (a web page can send them in a loop)."""
        self._throttled(self.refusals, logging.WARNING, line, "refusal")

    def note_failure(self, line: str) -> None:
        """Log an unexpected failure with its traceback (rate-limited like refusals)."""
        self._throttled(self.failures, logging.ERROR, line, "failure", exc_info=True)

    def _throttled(self, throttle: Throttle, level: int, line: str, kind: str, exc_info: bool = False) -> None:
        allowed, suppressed = throttle.allow(time.monotonic())
        if not allowed:
            return
        if suppressed:
            log.log(level, "suppressed %d %s lines in the last minute", suppressed, kind)
        log.log(level, line, exc_info=exc_info)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = BACKLOG
    # POSIX: SO_REUSEADDR lets a restart bind at once over the last run's TIME_WAIT connections;
    # a second listener on the same port is still refused (Linux, macOS). On Windows the same
    # option would let another program bind the port too, so exclusive use is asked instead.
    allow_reuse_address = os.name != "nt"
    service: LedgerService
    slots: threading.BoundedSemaphore

    def server_bind(self) -> None:
        if os.name == "nt" and hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        super().server_bind()

    def process_request(self, request: Any, client_address: Any) -> None:
        """One thread per connection, at most `max_connections`; one more gets 503 at once."""
        if not self.slots.acquire(blocking=False):
            self._busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def _busy(self, request: socket.socket) -> None:
        body = json_bytes({"error": "busy", "message": m.SERVICE_BUSY})
        head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode("ascii")
        try:
            request.settimeout(0.5)  # the accepting thread never waits on a client
            request.sendall(head + body)
        except OSError:
            pass
        self.service.note_refusal("refused a connection: %d connections open" % self.service.max_connections)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside the handler's own try (the client vanished, mostly):
        logged, rate-limited, instead of socketserver's traceback on stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("connection dropped: %s", clean(error))
            return
        self.service.note_failure("connection failed: %s" % clean(error))


class _DeadlineReader(io.RawIOBase):
    """The reading side of a connection, with the handler's deadline applied to every recv:
    the socket timeout alone is per read, so a client sending a byte a second never ends."""

    def __init__(self, sock: socket.socket, handler: _Handler):
        super().__init__()
        self._sock = sock
        self._handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._handler.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request deadline passed")
        self._sock.settimeout(min(self._handler.service.idle_timeout, remaining))
        return self._sock.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "ledger-assistant/" + __version__
    deadline = 0.0

    @property
    def service(self) -> LedgerService:
        return self.server.service

    def setup(self) -> None:
        super().setup()
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, self))

    def handle_one_request(self) -> None:
        # The deadline runs from the moment the service waits for a request: a kept-alive
        # connection that stays silent is dropped like a slow one.
        self.deadline = time.monotonic() + self.service.request_deadline
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.debug("%s %s", self.address_string(), clean(format % args))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (bad request line, headers too long): JSON like ours."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self._send(code, {"error": "bad_http", "message": m.REQUEST_BAD_HTTP.format(status=code)})

    # -- answers -----------------------------------------------------------------------
    def _send(self, status: int, payload: dict[str, Any] | None, extra: dict[str, str] | None = None) -> None:
        self._send_bytes(status, None if payload is None else json_bytes(payload), extra)

    def _send_bytes(self, status: int, body: bytes | None, extra: dict[str, str] | None = None) -> None:
        self.connection.settimeout(self.service.write_timeout)
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        body = body or b""
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        headers = getattr(self, "headers", None)
        origin = headers.get("Origin") if headers is not None else None
        if origin is not None and self.service.allowed_origin(origin):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, error: core.RequestError) -> None:
        self._send(error.status, {"error": error.code, "message": error.message})

    def _guard(self, need_token: bool) -> bool:
        """Host, Origin and (when needed) token; answers 403 and returns False on a refusal."""
        host = self.headers.get("Host")
        origin = self.headers.get("Origin")
        if not self.service.allowed_host(host):
            self._refuse(core.RequestError(HTTPStatus.FORBIDDEN, "forbidden_host",
                                           m.REQUEST_FORBIDDEN_HOST.format(host=clean(host))))
            return False
        if not self.service.allowed_origin(origin):
            self._refuse(core.RequestError(HTTPStatus.FORBIDDEN, "forbidden_origin",
                                           m.REQUEST_FORBIDDEN_ORIGIN.format(origin=clean(origin))))
            return False
        if need_token and not self.service.token_ok(self.headers.get(core.TOKEN_HEADER)):
            self._refuse(core.RequestError(HTTPStatus.FORBIDDEN, "forbidden_token", m.REQUEST_FORBIDDEN_TOKEN))
            return False
        return True

    def _refuse(self, error: core.RequestError) -> None:
        """A refusal: the body (if any) is not read, so the connection is closed after it.

        Refusals are logged with the Origin and Host seen: a browser hides a refused answer
        from the page (the add-in only sees a failed request), so the log is where to look.
        Everything from the request is cleaned (cut, escaped, query secrets redacted) and the
        lines are rate-limited: any web page can send refused requests in a loop."""
        if error.status == HTTPStatus.FORBIDDEN:
            self.service.note_refusal("refused %s %s (%s): Origin %s, Host %s" % (
                clean(self.command, 16), clean(self.path), error.code,
                clean(self.headers.get("Origin")), clean(self.headers.get("Host"))))
        self.close_connection = True
        self._error(error)

    # -- methods -----------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path.split("?")[0] != "/v1/health":
            if self._guard(need_token=False):
                self._error(core.RequestError(HTTPStatus.NOT_FOUND, "not_found",
                                              m.REQUEST_NOT_FOUND.format(path=clean(self.path))))
            return
        if self._guard(need_token=False):
            self._send(HTTPStatus.OK, {"version": __version__})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?")[0] != "/v1/summary":
            if self._guard(need_token=False):
                self._refuse(core.RequestError(HTTPStatus.NOT_FOUND, "not_found",
                                               m.REQUEST_NOT_FOUND.format(path=clean(self.path))))
            return
        if not self._guard(need_token=True):
            return
        try:
            length = self._content_length()
            with self.service.budget.hold(length, self.service.budget_wait):
                # The wait for room was the service's, not the client's: the body gets a full
                # deadline of its own from here.
                self.deadline = time.monotonic() + self.service.request_deadline
                data = self.service.answer_bytes(self._read_body(length))
                self._send_bytes(HTTPStatus.OK, data)
        except core.RequestError as error:
            self._error(error)
        except (ConnectionError, TimeoutError) as error:  # the client went away mid-answer
            self.close_connection = True
            log.debug("answer not delivered: %s", clean(error))
        except Exception as error:  # noqa: BLE001 - the service keeps running; the log has details
            self.service.note_failure("summary request failed")
            where = f"（{self.service.log_path}）" if self.service.log_path else ""
            self.close_connection = True
            self._error(core.RequestError(HTTPStatus.INTERNAL_SERVER_ERROR, "internal",
                                          m.REQUEST_FAILED.format(error=clean(error), log=where)))

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight, answered for allowed origins only
        if not self._guard(need_token=False):
            return
        extra = {"Allow": "GET, POST, OPTIONS"}
        if self.headers.get("Origin") is not None:
            extra.update({
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": f"Content-Type, {core.TOKEN_HEADER}",
                "Access-Control-Max-Age": "600",
            })
            if (self.headers.get("Access-Control-Request-Private-Network") or "").lower() == "true":
                extra["Access-Control-Allow-Private-Network"] = "true"
        self._send(HTTPStatus.NO_CONTENT, None, extra)

    def _method_not_allowed(self) -> None:
        if self._guard(need_token=False):
            self._refuse(core.RequestError(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                                           m.REQUEST_METHOD_NOT_ALLOWED.format(path=clean(self.path),
                                                                               method=clean(self.command, 16))))

    do_PUT = do_DELETE = do_PATCH = do_HEAD = _method_not_allowed

    def _content_length(self) -> int:
        """The declared body length: digits only (int() would read "7_0" as 70, " +70" too),
        one header, within the limit (a larger body is drained up to DRAIN_LIMIT so that the
        client reads the 413 rather than a reset connection)."""
        values = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding") or not values:
            self.close_connection = True
            raise core.RequestError(HTTPStatus.LENGTH_REQUIRED, "length_required", m.REQUEST_LENGTH_REQUIRED)
        if len(values) > 1 or not _DIGITS.fullmatch(values[0]):
            self.close_connection = True
            shown = " / ".join(values)
            raise core.RequestError(HTTPStatus.BAD_REQUEST, "bad_length",
                                    m.REQUEST_BAD_LENGTH.format(value=clean(shown, 40)))
        length = int(values[0])
        limit = self.service.max_body_bytes
        if length > limit:
            self.close_connection = True
            if length <= core.DRAIN_LIMIT:
                self._drain(length)
            raise core.RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large",
                                    m.REQUEST_TOO_LARGE.format(size=length, limit=limit))
        return length

    def _read_body(self, length: int) -> bytes:
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise core.RequestError(HTTPStatus.REQUEST_TIMEOUT, "timeout",
                                    m.REQUEST_TIMEOUT.format(seconds=round(self.service.request_deadline))) from None
        if len(body) < length:
            self.close_connection = True
            raise core.RequestError(HTTPStatus.BAD_REQUEST, "incomplete",
                                    m.REQUEST_INCOMPLETE.format(expected=length, received=len(body)))
        return body

    def _drain(self, length: int) -> None:
        remaining = length
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    return
                remaining -= len(chunk)
        except OSError:  # TimeoutError included: a slow oversized body is simply dropped
            return


def port_in_use_message(port: int, error: OSError) -> str:
    """Why `serve` could not listen: our own service already answers there, another program
    holds the port, or another failure (the system's words)."""
    if address_in_use(error):
        version = probe_health(port)
        if version is not None:
            return m.SERVICE_ALREADY_RUNNING.format(port=port, version=version)
        return m.SERVICE_PORT_TAKEN.format(port=port, error=error.strerror or error)
    return m.SERVICE_PORT_IN_USE.format(port=port, error=error.strerror or error)
