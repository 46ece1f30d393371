"""Loopback servers for tests and for trying a configuration without sending anything:
an SMTP sink (aiosmtpd, a development dependency) and an HTTP server recording posted
webhook JSON. Both bind 127.0.0.1 only.

    with SmtpSink() as smtp, WebhookRecorder() as hooks:
        ...  # point [email] host/port and webhook_url at them
        smtp.messages   # parsed email.message.EmailMessage objects
        hooks.requests  # RecordedRequest(path, query, headers, json)
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: email.message.EmailMessage


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 collecting what arrives.
    `login` = (user, password) requires AUTH (allowed without TLS, loopback only)."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.received: list[ReceivedMail] = []
        self.login = login
        self.auth_attempts: list[tuple[str, bool]] = []
        self.port = free_port()
        self.host = "127.0.0.1"
        self._controller = None

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [r.message for r in self.received]

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                raw = envelope.original_content or envelope.content
                if isinstance(raw, str):
                    raw = raw.encode("utf-8")
                msg = email.message_from_bytes(raw, policy=email.policy.default)
                sink.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), raw, msg))
                return "250 OK"

        kwargs = {}
        if self.login:
            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = (isinstance(auth_data, LoginPassword)
                      and auth_data.login.decode() == self.login[0]
                      and auth_data.password.decode() == self.login[1])
                sink.auth_attempts.append((mechanism, ok))
                # handled=False: aiosmtpd itself answers 535 on failure
                return AuthResult(success=ok, handled=False)

            kwargs = {"authenticator": authenticator, "auth_require_tls": False}
        self._controller = Controller(Handler(), hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: object = None


@dataclass
class WebhookRecorder:
    """A real HTTP server (http.server.ThreadingHTTPServer) on 127.0.0.1 that records every
    POST and answers like the robots: {"errcode": 0, "errmsg": "ok"} (or `answer`)."""

    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    status: int = 200
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> WebhookRecorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                split = urllib.parse.urlsplit(self.path)
                try:
                    payload = json.loads(body.decode("utf-8"))
                except ValueError:
                    payload = None
                with recorder._lock:
                    recorder.requests.append(RecordedRequest(
                        split.path, dict(urllib.parse.parse_qsl(split.query)),
                        {k: v for k, v in self.headers.items()}, body, payload))
                data = json.dumps(recorder.answer).encode("utf-8")
                self.send_response(recorder.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WebhookRecorder:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --- misbehaving servers (scripted, raw sockets) ------------------------------------------

class _ScriptedServer:
    """A TCP server on 127.0.0.1 handling each connection with `self.handle(conn)` in its
    own daemon thread. `stop()` ends slow handlers within a tenth of a second."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.host = "127.0.0.1"
        self.closing = threading.Event()
        self.connections = 0
        self._threads: list[threading.Thread] = []

    def start(self):
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            t = threading.Thread(target=self._run, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _run(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            self.handle(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def dribble(self, conn: socket.socket, data: bytes, interval: float = 1.0) -> None:
        """Send `data` one byte every `interval` seconds (until the client goes away)."""
        for i in range(len(data)):
            conn.sendall(data[i:i + 1])
            if self.closing.wait(interval):
                return

    def handle(self, conn: socket.socket) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self) -> None:
        self.closing.set()
        self._listener.close()
        for t in self._threads:
            t.join(2)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _read_line(conn: socket.socket, buffer: bytearray) -> bytes:
    while b"\r\n" not in buffer:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("client closed")
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\r\n")
    buffer[:] = rest
    return line


class ScriptedSmtp(_ScriptedServer):
    """A minimal SMTP server with one misbehaviour:
    - "slow_greeting": the 220 greeting comes one byte a second;
    - "drop_after_data": accepts a mail's whole data, then closes without the final reply;
    - "auth_echo": answers AUTH with a 535 that quotes the client's AUTH line (blob included).
    `mails` counts the data blocks received whole."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.mails: list[bytes] = []
        self.auth_lines: list[str] = []

    def handle(self, conn: socket.socket) -> None:
        if self.mode == "slow_greeting":
            self.dribble(conn, b"220 " + b"s" * 600 + b" ESMTP\r\n")
            return
        conn.sendall(b"220 scripted ESMTP\r\n")
        buffer = bytearray()
        while not self.closing.is_set():
            line = _read_line(conn, buffer)
            verb = line.split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250-scripted\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
            elif verb == b"AUTH":
                self.auth_lines.append(line.decode("ascii", "replace"))
                conn.sendall(b"535 5.7.8 Authentication failed: " + line + b"\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                while b"\r\n.\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                data, _, rest = bytes(buffer).partition(b"\r\n.\r\n")
                buffer[:] = rest
                self.mails.append(data)
                if self.mode == "drop_after_data":
                    return  # the whole mail is here; the "250 OK" never leaves
                conn.sendall(b"250 OK queued\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                conn.sendall(b"250 OK\r\n")


class ScriptedHttp(_ScriptedServer):
    """An HTTP/1.1 robot answering each POST by the next step of `script` (then `then`):
    ("json", {...}) a normal JSON answer; ("slow", {...}) the same, one byte a second;
    ("drop", None) close after reading the whole request. `requests` holds the JSON bodies."""

    def __init__(self, script: list[tuple[str, object]], then: tuple[str, object] = ("json", None)) -> None:
        super().__init__()
        self.script = list(script)
        self.then = then
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, conn: socket.socket) -> None:
        buffer = bytearray()
        while not self.closing.is_set():
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = 0
            for h in lines[1:]:
                name, _, value = h.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = bytearray(rest)
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            buffer[:] = body[length:]
            with self._lock:
                self.paths.append(lines[0].split(" ")[1])
                self.requests.append(json.loads(bytes(body[:length]).decode("utf-8")))
                step = self.script.pop(0) if self.script else self.then
            kind, answer = step
            if kind == "drop":
                return
            payload = json.dumps(answer if answer is not None else {"errcode": 0, "errmsg": "ok"}).encode()
            response = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
            if kind == "slow":
                self.dribble(conn, response)
                return
            conn.sendall(response)
