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
