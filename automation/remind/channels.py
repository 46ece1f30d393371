"""Sending: SMTP email, WeCom (企业微信) and DingTalk (钉钉) group-robot webhooks.

This is an I/O edge: it talks to servers and, for the DingTalk signature and the email
Date header, reads the time through an injectable `clock` (seconds since the epoch).

Secrets (the SMTP password, the DingTalk signing secret, the webhook tokens) come from
environment variables named in config.ini, are held only by the senders, and are removed
by `Redactor` (secrets.py) from every error text; exceptions are raised `from None` so no chained
traceback carries a URL with a token.

Formats (as the platforms document them)
- WeCom:    POST {"msgtype": "markdown", "markdown": {"content": "..."}}; mention: `<@userid>`
            in the content; content at most 4096 bytes.
- DingTalk: POST {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."},
            "at": {"atMobiles": [...], "atUserIds": [...], "isAtAll": false}};
            signing ("加签"): string_to_sign = timestamp_ms + "\\n" + secret, HMAC-SHA256
            keyed with the secret, Base64, URL-encoded, appended as `&timestamp=..&sign=..`.
Both answer {"errcode": 0, "errmsg": "ok"} on success.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Callable, Iterator, Mapping, Protocol

from . import messages as M
from . import render
from .deadline import DEADLINE, SendAborted, SendGuard
from .plan import Message
from .secrets import Redactor, smtp_reply_redacted, url_for_display
from .settings import EmailSettings, ReminderConfigError, ReminderSettings, WebhookSettings

PLATFORM_LABELS = {"wecom": "企业微信", "dingtalk": "钉钉"}
#: errcodes meaning "too many messages", and how long each platform asks to wait (seconds):
#: WeCom 45009 (20 messages a minute per robot: the minute must pass); DingTalk 130101 /
#: 410100 ("send too fast": the robot is throttled for 10 minutes)
RATE_LIMIT_WAITS = {45009: 60.0, 130101: 600.0, 410100: 600.0}
RATE_LIMIT_CODES = set(RATE_LIMIT_WAITS)

logger = logging.getLogger("automation.remind")

__all__ = ["Redactor", "SendError", "SendOutcome", "EmailSender", "WebhookSender", "build_senders",
           "secrets_from_env", "build_email", "payloads_for", "dingtalk_sign", "dingtalk_signed_url"]


class SendError(Exception):
    """A send failed; the message is Chinese and free of secrets."""

    def __init__(self, text: str, transient: bool = True, connection: bool = False,
                 unknown: bool = False) -> None:
        super().__init__(text)
        self.transient = transient
        self.connection = connection  # the server cannot be reached (not this message's fault)
        self.unknown = unknown  # the request went out whole, its answer never came
        self.fatal_text = ""  # what the channel's later messages say, when not this text


class ChannelStopped(SendError):
    """Stop this channel for the run (rate limit longer than we may wait, deadline, stop)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, transient=False, connection=True)


@dataclass(frozen=True)
class SendOutcome:
    message: Message
    ok: bool
    error: str = ""
    address: str = ""
    unknown: bool = False  # sent whole, but the server's confirmation was lost


class PartJournal(Protocol):
    """Where the webhook sender records each posted part of a digest (the reminder log)."""

    def part_status(self, day, channel: str, recipient: str, digest: str) -> str | None:
        ...

    def record_part(self, day, channel: str, recipient: str, digest: str, status: str) -> None:
        ...


class Sender(Protocol):
    channel: str

    def send(self, messages: list[Message], journal: PartJournal | None = None) -> Iterator[SendOutcome]:
        ...


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        resp = exc.smtp_error
        if isinstance(resp, bytes):
            resp = resp.decode("utf-8", "replace")
        # a 535 may quote the AUTH blob (user + password in base64)
        return smtp_reply_redacted(f"{exc.smtp_code} {resp}".strip())
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return M.ERR_SERVER_DISCONNECTED
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "连接超时"
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝，服务器没有运行或端口不对"
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return _reason(exc.reason) if isinstance(exc.reason, BaseException) else str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# --- email ----------------------------------------------------------------------------------

def _address(name: str, addr: str) -> Address:
    name = "".join(ch for ch in name if ch.isprintable())
    return Address(display_name=name, addr_spec=addr)


def build_email(message: Message, settings: ReminderSettings, *, timestamp: float | None = None) -> EmailMessage:
    """The email of a digest: UTF-8 subject and names (RFC 2047), a plain-text part and an
    HTML alternative with a table."""
    es = settings.email
    sender = es.sender or es.user
    msg = EmailMessage()
    msg["Subject"] = render.subject(message, settings)
    msg["From"] = _address(es.sender_name or settings.office_name, sender)
    msg["To"] = _address(message.recipient.name, message.recipient.email)
    if timestamp is not None:
        msg["Date"] = formatdate(timestamp, localtime=True)
    domain = sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render.plain_text(message, settings), charset="utf-8")
    msg.add_alternative(render.html_text(message, settings), subtype="html", charset="utf-8")
    return msg


class _Guarded:
    """smtplib with a whole-send deadline: connects through the current `SendGuard`, lets
    it cut the socket off, and notes when a message's terminating dot has gone out (after
    that, a lost reply means the mail may well have been delivered)."""

    guard: SendGuard
    dot_sent: bool = False
    _in_data: bool = False

    def use(self, guard: SendGuard, read_timeout: float) -> None:
        """Put the next send under `guard` (a connection serves several messages)."""
        self.guard = guard
        self.dot_sent = False
        guard.watch(lambda: self.sock)
        if self.sock is not None:
            self.sock.settimeout(guard.read_timeout(read_timeout))

    def _get_socket(self, host, port, timeout):
        sock = self.guard.connect((host, port), timeout, self.source_address)
        self.guard.watch(lambda: self.sock)  # the same socket, or its TLS wrapper later
        return sock

    def data(self, msg):
        self._in_data, self.dot_sent = True, False
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.dot_sent = True


class GuardedSMTP(_Guarded, smtplib.SMTP):
    def __init__(self, host: str, port: int, *, guard: SendGuard, timeout: float, **kwargs) -> None:
        self.guard = guard
        super().__init__(host, port, timeout=timeout, **kwargs)


class GuardedSMTPSSL(_Guarded, smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, *, guard: SendGuard, timeout: float, **kwargs) -> None:
        self.guard = guard
        super().__init__(host, port, timeout=timeout, **kwargs)

    def _get_socket(self, host, port, timeout):
        sock = _Guarded._get_socket(self, host, port, timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)


class EmailSender:
    """Sends each digest as one mail over one SMTP connection. Each message has a whole-send
    deadline of `[email] timeout` seconds (connecting and retries included); a server too
    slow for it is given up for the run. A mail whose data went out whole but whose answer
    was lost is reported as delivery unknown and never retried blindly."""

    channel = "email"

    def __init__(
        self,
        settings: ReminderSettings,
        password: str | None,
        redactor: Redactor,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.es: EmailSettings = settings.email
        self._password = password
        self.redact = redactor
        self.clock = clock
        self.sleep = sleep
        self.stop = stop

    @property
    def server(self) -> str:
        return f"{self.es.host}:{self.es.port}"

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if not self.es.verify_certificate:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _connect(self, guard: SendGuard) -> smtplib.SMTP:
        es = self.es
        smtp: smtplib.SMTP | None = None
        timeout = guard.read_timeout(es.timeout)
        try:
            if es.security == "ssl":
                smtp = GuardedSMTPSSL(es.host, es.port, guard=guard, timeout=timeout,
                                      context=self._context())
            else:
                smtp = GuardedSMTP(es.host, es.port, guard=guard, timeout=timeout)
                if es.security == "starttls":
                    smtp.starttls(context=self._context())
        except ssl.SSLError as exc:
            _quit(smtp)
            if guard.fired:
                raise
            raise SendError(self.redact(M.ERR_SMTP_TLS.format(server=self.server, reason=_reason(exc))),
                            transient=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quit(smtp)
            if guard.fired or isinstance(exc, SendAborted):
                raise
            raise SendError(self.redact(M.ERR_SMTP_CONNECT.format(server=self.server,
                                                                  reason=_reason(exc)))) from None
        if es.user:
            try:
                _login(smtp, es.user, self._password or "")
            except smtplib.SMTPAuthenticationError as exc:
                _quit(smtp)
                raise SendError(self.redact(M.ERR_SMTP_AUTH.format(
                    server=self.server, user=es.user, reason=_reason(exc))), transient=False) from None
            except (OSError, smtplib.SMTPException, UnicodeError) as exc:
                _quit(smtp)
                if guard.fired:
                    raise
                raise SendError(self.redact(M.ERR_SMTP_AUTH.format(
                    server=self.server, user=es.user, reason=_reason(exc))),
                    transient=not isinstance(exc, UnicodeError)) from None
        return smtp

    def _cut_off(self, reason: str | None) -> str:
        """The error of a send the guard ended (too slow, or a stop was asked)."""
        if reason == DEADLINE:
            return self.redact(M.ERR_DEADLINE.format(what=M.WHAT_MAIL_SERVER,
                                                     server=self.server, seconds=_secs(self.es.timeout)))
        return M.ERR_STOPPED

    def send(self, messages: list[Message], journal: PartJournal | None = None) -> Iterator[SendOutcome]:
        smtp: _Guarded | None = None
        fatal: str | None = None
        retries = self.settings.send_retries
        try:
            for message in messages:
                address = message.recipient.email
                if fatal is None and self.stop is not None and self.stop.is_set():
                    fatal = M.ERR_STOPPED
                if fatal is not None:
                    yield SendOutcome(message, False, fatal, address)
                    continue
                try:
                    email = build_email(message, self.settings, timestamp=self.clock())
                except Exception as exc:  # noqa: BLE001 - e.g. an address that cannot be encoded
                    yield SendOutcome(message, False, self.redact(M.ERR_SMTP_OTHER.format(
                        server=self.server, reason=_reason(exc))), address)
                    continue
                outcome, fatal, smtp = self._send_one(message, email, address, smtp, retries)
                yield outcome
        finally:
            _quit(smtp)

    def send_mail(self, email: EmailMessage, address: str) -> SendOutcome:
        """One ready-made mail (the weekly bulletin with its attachment) on a connection of
        its own, under the digests' deadline, retries and delivery-unknown rules."""
        outcome, _fatal, smtp = self._send_one(None, email, address, None, self.settings.send_retries)
        _quit(smtp)
        return outcome

    def _send_one(self, message, email, address, smtp, retries):
        """One message: (outcome, fatal error or None, connection). Each attempt has the
        whole-send deadline; only quick failures (refused, dropped) are retried."""
        attempt = 0
        while True:
            guard = SendGuard(self.es.timeout, self.stop)
            with guard:
                try:
                    if smtp is None:
                        smtp = self._connect(guard)
                    smtp.use(guard, self.es.timeout)
                    smtp.send_message(email, from_addr=self.es.sender or self.es.user,
                                      to_addrs=[address])
                    return SendOutcome(message, True, "", address), None, smtp
                except smtplib.SMTPRecipientsRefused as exc:
                    reasons = "; ".join(_reason(smtplib.SMTPResponseException(c, r))
                                        for c, r in exc.recipients.values())
                    return SendOutcome(message, False, self.redact(
                        M.ERR_SMTP_REFUSED.format(address=address, reason=reasons)), address), None, smtp
                except (SendError, OSError, smtplib.SMTPException) as exc:
                    cut = guard.fired or (exc.reason if isinstance(exc, SendAborted) else None)
                    dot_sent = smtp is not None and smtp.dot_sent
                    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500 and not cut:
                        # the server rejected this message; the connection is still usable
                        return SendOutcome(message, False, self.redact(M.ERR_SMTP_OTHER.format(
                            server=self.server, reason=_reason(exc))), address), None, smtp
                    _quit(smtp)
                    smtp = None
                    if dot_sent and not isinstance(exc, smtplib.SMTPResponseException):
                        # the whole mail went out, the answer did not come back: it may
                        # well be delivered; sending it again could make a second copy
                        error = self.redact(M.ERR_SMTP_UNKNOWN.format(
                            server=self.server, reason=_unanswered(cut, self.es.timeout, exc)))
                        return SendOutcome(message, False, error, address, unknown=True), \
                            (self._cut_off(cut) if cut else None), None
                    if cut:  # too slow, or stopping: the others would wait alike
                        error = self._cut_off(cut)
                        return SendOutcome(message, False, error, address), error, None
                    if isinstance(exc, SendError):
                        error, transient = str(exc), exc.transient
                    else:  # the connection broke: reconnect and retry with backoff
                        error = self.redact(M.ERR_SMTP_OTHER.format(server=self.server,
                                                                    reason=_reason(exc)))
                        transient = True
                except Exception as exc:  # noqa: BLE001 - a problem with this message only
                    return SendOutcome(message, False, self.redact(M.ERR_SMTP_OTHER.format(
                        server=self.server, reason=_reason(exc))), address), None, smtp
            if transient and attempt < retries:
                self.sleep(self.settings.retry_backoff_seconds * (2 ** attempt))
                attempt += 1
                if self.stop is not None and self.stop.is_set():
                    return SendOutcome(message, False, M.ERR_STOPPED, address), M.ERR_STOPPED, None
                continue
            if attempt:
                error = M.ERR_RETRIED.format(error=error, n=attempt)
            # the server cannot be used: the others fail alike
            return SendOutcome(message, False, error, address), error, None


def _secs(seconds: float) -> str:
    return f"{seconds:g}"


def _unanswered(cut: str | None, seconds: float, exc: BaseException) -> str:
    """Why the answer to a request sent whole never came."""
    if cut == DEADLINE:
        return M.ERR_NO_ANSWER_IN_TIME.format(seconds=_secs(seconds))
    if cut:
        return M.ERR_STOPPED
    return _reason(exc)



def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """`SMTP.login`, except that non-ASCII credentials (which smtplib cannot encode) are
    sent as UTF-8 with AUTH PLAIN, as RFC 4954 allows."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPException("服务器不支持 AUTH PLAIN，无法使用含中文等非 ASCII 字符的用户名或密码")
    token = base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii")
    code, resp = smtp.docmd("AUTH", "PLAIN " + token)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001
        try:
            smtp.close()
        except Exception:  # noqa: BLE001
            pass


# --- webhooks --------------------------------------------------------------------------------

def wecom_payload(content: str) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(title: str, text: str, at_mobiles: list[str] = (), at_user_ids: list[str] = ()) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
        "at": {"atMobiles": list(at_mobiles), "atUserIds": list(at_user_ids), "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, URL-encoded: Base64(HMAC-SHA256(secret, f"{ts}\\n{secret}"))."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else ("" if url.endswith("?") else "?")
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def payloads_for(channel: str, message: Message, settings: ReminderSettings) -> list[dict]:
    """The JSON bodies posting one digest takes (more than one when it is long)."""
    if channel == "wecom":
        return [wecom_payload(c) for c in render.wecom_markdown(message, settings)]
    mobiles, user_ids = render.dingtalk_mentions(message)
    return [dingtalk_payload(title, text, mobiles, user_ids)
            for title, text in render.dingtalk_markdown(message, settings)]


def part_digest(payload: dict) -> str:
    """The identity of one posted part of a digest, for the reminder log (the same text on
    the same day is the same part)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _guarded_connection(base: type, guard: SendGuard):
    """An http.client connection class whose sockets `guard` connects and may cut off, and
    which tells the guard when the whole request has gone out."""

    def make(*args, **kwargs):
        conn = base(*args, **kwargs)
        conn._create_connection = guard.connect
        guard.watch(lambda: conn.sock)
        send_done = conn.getresponse

        def getresponse(*a, **k):
            guard.request_sent = True  # urllib asks for the answer after sending it all
            return send_done(*a, **k)

        conn.getresponse = getresponse
        return conn

    return make


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, guard: SendGuard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req):
        return self.do_open(_guarded_connection(http.client.HTTPConnection, self.guard), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, guard: SendGuard) -> None:
        super().__init__()
        self.guard = guard

    def https_open(self, req):
        return self.do_open(_guarded_connection(http.client.HTTPSConnection, self.guard), req,
                            context=self._context)


class _RateLimited(Exception):
    def __init__(self, wait: float, code: object, text: str) -> None:
        super().__init__(text)
        self.wait, self.code, self.text = wait, code, text


class WebhookSender:
    """Posts digests to a WeCom / DingTalk group robot. Each POST has a whole-send deadline
    of `timeout` seconds; a long digest goes in parts and each part is recorded in the
    journal (the reminder log), so a rerun posts only the parts that did not go. A rate
    limit is waited out as the platform asks, up to `[reminders] rate_limit_wait_seconds`;
    beyond that the channel stops for the run."""

    def __init__(
        self,
        channel: str,
        settings: ReminderSettings,
        url: str,
        secret: str | None,
        redactor: Redactor,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
        stop: threading.Event | None = None,
    ) -> None:
        self.channel = channel
        self.settings = settings
        self.hook: WebhookSettings = settings.webhook(channel)
        self._url = url
        self._secret = secret
        self.redact = redactor
        self.clock = clock
        self.sleep = sleep
        self.stop = stop
        self.label = PLATFORM_LABELS[channel]
        self._posted = False

    @property
    def server(self) -> str:
        return url_for_display(self._url)

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def _post_once(self, payload: dict) -> None:
        url = self._url
        if self.channel == "dingtalk" and self._secret:
            url = dingtalk_signed_url(url, self._secret, int(self.clock() * 1000))
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        guard = SendGuard(self.hook.timeout, self.stop)
        opener = urllib.request.build_opener(_GuardedHTTPHandler(guard), _GuardedHTTPSHandler(guard))
        try:
            with guard:
                with opener.open(request, timeout=guard.read_timeout(self.hook.timeout)) as response:
                    text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                raise _RateLimited(_retry_after(exc.headers.get("Retry-After")), "HTTP 429",
                                   f"HTTP 429") from None
            raise SendError(self.redact(M.ERR_HTTP_STATUS.format(
                platform=self.label, server=self.server, status=exc.code)),
                transient=exc.code >= 500, connection=exc.code >= 500) from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            inner = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            cut = guard.fired or (inner.reason if isinstance(inner, SendAborted) else None)
            if guard.request_sent:  # the robot has the whole message; its answer was lost
                error = SendError(self.redact(M.ERR_HTTP_UNKNOWN.format(
                    platform=self.label, server=self.server,
                    reason=_unanswered(cut, self.hook.timeout, exc))),
                    transient=False, connection=True, unknown=True)
                error.fatal_text = self._cut_off(cut) if cut else M.ERR_NOT_SENT_AFTER_FAILURE
                raise error from None
            reason = self._cut_off(cut) if cut else _reason(exc)
            if cut:
                raise ChannelStopped(reason) from None
            raise SendError(self.redact(M.ERR_HTTP_CONNECT.format(
                platform=self.label, server=self.server, reason=reason)), connection=True) from None
        try:
            answer = json.loads(text)
            code = int(answer.get("errcode", -1))
        except (ValueError, AttributeError, TypeError):
            raise SendError(self.redact(M.ERR_HTTP_BAD_ANSWER.format(
                platform=self.label, text=text[:200])), transient=False) from None
        if code in RATE_LIMIT_WAITS:
            raise _RateLimited(RATE_LIMIT_WAITS[code], code, str(answer.get("errmsg", "")))
        if code != 0:
            raise SendError(self.redact(M.ERR_HTTP_ANSWER.format(
                platform=self.label, code=code, msg=answer.get("errmsg", ""))), transient=False)

    def _cut_off(self, reason: str | None) -> str:
        if reason == DEADLINE:
            return self.redact(M.ERR_DEADLINE.format(what=M.WHAT_ROBOT.format(platform=self.label), server=self.server,
                                                     seconds=_secs(self.hook.timeout)))
        return M.ERR_STOPPED

    def _post(self, payload: dict) -> None:
        attempt = 0
        waited = False
        while True:
            if self._posted and self.hook.pause_seconds > 0:
                self.sleep(self.hook.pause_seconds)
            if self._stopping():
                raise ChannelStopped(M.ERR_STOPPED)
            self._posted = True
            try:
                self._post_once(payload)
                return
            except _RateLimited as limited:
                allowed = self.settings.rate_limit_wait_seconds
                if waited or limited.wait > allowed:
                    # waiting less than the platform asks only gets refused again
                    raise ChannelStopped(self.redact(M.ERR_RATE_LIMITED.format(
                        platform=self.label, code=limited.code, msg=limited.text,
                        wait=_secs(limited.wait), allowed=_secs(allowed)))) from None
                logger.info("%s", self.redact(M.RATE_LIMIT_WAITING.format(
                    platform=self.label, code=limited.code, wait=_secs(limited.wait))))
                self.sleep(limited.wait)
                waited = True
                continue
            except ChannelStopped:
                raise
            except SendError as exc:
                if exc.transient and attempt < self.settings.send_retries:
                    self.sleep(self.settings.retry_backoff_seconds * (2 ** attempt))
                    attempt += 1
                    continue
                if attempt:
                    retried = SendError(M.ERR_RETRIED.format(error=str(exc), n=attempt),
                                        exc.transient, exc.connection, exc.unknown)
                    retried.fatal_text = exc.fatal_text
                    raise retried from None
                raise

    def post(self, payload: dict) -> None:
        """Post one ready-made payload (the weekly bulletin's summary) with the digests'
        signature, deadline, retries and rate-limit waits; raises SendError on failure."""
        self._post(payload)

    def send(self, messages: list[Message], journal: PartJournal | None = None) -> Iterator[SendOutcome]:
        fatal: str | None = None
        for message in messages:
            if fatal is None and self._stopping():
                fatal = M.ERR_STOPPED
            if fatal is not None:  # the robot cannot be used: do not wait again for each
                yield SendOutcome(message, False, fatal, self.label)
                continue
            try:
                for payload in payloads_for(self.channel, message, self.settings):
                    digest = part_digest(payload)
                    if _part_status(journal, message, self.channel, digest):
                        continue  # posted (or possibly posted) by an earlier run today
                    try:
                        self._post(payload)
                    except SendError as exc:
                        if exc.unknown:
                            _record_part(journal, message, self.channel, digest, "unknown")
                        raise
                    _record_part(journal, message, self.channel, digest, "sent")
            except SendError as exc:
                if exc.connection:
                    fatal = exc.fatal_text or str(exc)
                yield SendOutcome(message, False, str(exc), self.label, unknown=exc.unknown)
                continue
            except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
                yield SendOutcome(message, False, self.redact(M.ERR_HTTP_CONNECT.format(
                    platform=self.label, server=self.server, reason=_reason(exc))), self.label)
                continue
            yield SendOutcome(message, True, "", self.label)


def _retry_after(value: str | None) -> float:
    try:
        return max(1.0, float(value)) if value else 60.0
    except ValueError:
        return 60.0


def _part_status(journal: PartJournal | None, message: Message, channel: str, digest: str) -> str | None:
    if journal is None:
        return None
    try:
        return journal.part_status(message.today, channel, message.recipient.key, digest)
    except Exception:  # noqa: BLE001 - an unreadable journal: post, as before parts were kept
        logger.warning("could not read the posted parts", exc_info=True)
        return None


def _record_part(journal: PartJournal | None, message: Message, channel: str, digest: str,
                 status: str) -> None:
    if journal is None:
        return
    try:
        journal.record_part(message.today, channel, message.recipient.key, digest, status)
    except Exception:  # noqa: BLE001 - posted all the same; the run reports log problems
        logger.warning("could not record a posted part", exc_info=True)



# --- building the senders -------------------------------------------------------------------

def _env(env: Mapping[str, str], section: str, key: str, name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise ReminderConfigError(M.CONFIG_ENV_MISSING.format(section=section, key=key, env=name))
    return value


def secrets_from_env(settings: ReminderSettings, env: Mapping[str, str]) -> Redactor:
    """A redactor knowing every secret the settings point to (set or not)."""
    redactor = Redactor()
    if settings.email.password_env:
        redactor.add_login(settings.email.user, env.get(settings.email.password_env))
    for hook in (settings.wecom, settings.dingtalk):
        if hook.secret_env:
            redactor.add(env.get(hook.secret_env))
        redactor.add_url(hook.webhook_url)
        if hook.webhook_url_env:
            redactor.add_url(env.get(hook.webhook_url_env))
    return redactor


def build_senders(
    settings: ReminderSettings,
    env: Mapping[str, str],
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], object] = time.sleep,
    redactor: Redactor | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Sender]:
    """One sender per enabled channel. Raises `ReminderConfigError` when a secret's
    environment variable is not set (the message names the variable, never a value).
    `stop` set (SIGTERM in `ledger watch`) cuts the current send off and ends the rest."""
    redactor = redactor or secrets_from_env(settings, env)
    senders: dict[str, Sender] = {}
    es = settings.email
    if es.enabled:
        password = None
        if es.user:
            if not es.password_env:
                raise ReminderConfigError(M.CONFIG_MISSING.format(section="email", key="password_env"))
            password = _env(env, "email", "password_env", es.password_env)
        senders["email"] = EmailSender(settings, password, redactor, clock=clock, sleep=sleep,
                                       stop=stop)
    for channel in ("wecom", "dingtalk"):
        hook = settings.webhook(channel)
        if not hook.enabled:
            continue
        url = _env(env, channel, "webhook_url_env", hook.webhook_url_env) if hook.webhook_url_env \
            else hook.webhook_url
        secret = _env(env, channel, "secret_env", hook.secret_env) if hook.secret_env else None
        senders[channel] = WebhookSender(channel, settings, url, secret, redactor,
                                         clock=clock, sleep=sleep, stop=stop)
    return senders
