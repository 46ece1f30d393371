"""Sending: SMTP email, WeCom (企业微信) and DingTalk (钉钉) group-robot webhooks.

This is an I/O edge: it talks to servers and, for the DingTalk signature and the email
Date header, reads the time through an injectable `clock` (seconds since the epoch).

Secrets (the SMTP password, the DingTalk signing secret, the webhook tokens) come from
environment variables named in config.ini, are held only by the senders, and are removed
by `Redactor` from every error text; exceptions are raised `from None` so no chained
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
import json
import re
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from . import messages as M
from . import render
from .plan import Message
from .settings import EmailSettings, ReminderConfigError, ReminderSettings, WebhookSettings

PLATFORM_LABELS = {"wecom": "企业微信", "dingtalk": "钉钉"}
#: errcodes meaning "too many messages, try later"
RATE_LIMIT_CODES = {45009, 130101}

_QUERY_SECRET_RE = re.compile(r"(?i)\b(key|access_token|sign|secret|token|password)=([^&\s#'\"]+)")


class Redactor:
    """Removes known secret values, and the values of token-like URL parameters."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        for s in secrets:
            self.add(s)

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 3 and secret not in self._secrets:
            self._secrets.append(secret)
            quoted = urllib.parse.quote_plus(secret)
            if quoted != secret:
                self._secrets.append(quoted)
            self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: object) -> str:
        out = str(text)
        for s in self._secrets:
            out = out.replace(s, "***")
        return _QUERY_SECRET_RE.sub(lambda m: f"{m.group(1)}=***", out)


class SendError(Exception):
    """A send failed; the message is Chinese and free of secrets."""

    def __init__(self, text: str, transient: bool = True, connection: bool = False) -> None:
        super().__init__(text)
        self.transient = transient
        self.connection = connection  # the server cannot be reached (not this message's fault)


@dataclass(frozen=True)
class SendOutcome:
    message: Message
    ok: bool
    error: str = ""
    address: str = ""


class Sender(Protocol):
    channel: str

    def send(self, messages: list[Message]) -> Iterator[SendOutcome]:
        ...


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        resp = exc.smtp_error
        if isinstance(resp, bytes):
            resp = resp.decode("utf-8", "replace")
        return f"{exc.smtp_code} {resp}".strip()
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


class EmailSender:
    channel = "email"

    def __init__(
        self,
        settings: ReminderSettings,
        password: str | None,
        redactor: Redactor,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.settings = settings
        self.es: EmailSettings = settings.email
        self._password = password
        self.redact = redactor
        self.clock = clock
        self.sleep = sleep

    @property
    def server(self) -> str:
        return f"{self.es.host}:{self.es.port}"

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if not self.es.verify_certificate:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _connect(self) -> smtplib.SMTP:
        es = self.es
        smtp: smtplib.SMTP | None = None
        try:
            if es.security == "ssl":
                smtp = smtplib.SMTP_SSL(es.host, es.port, timeout=es.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(es.host, es.port, timeout=es.timeout)
                if es.security == "starttls":
                    smtp.starttls(context=self._context())
        except ssl.SSLError as exc:
            _quit(smtp)
            raise SendError(self.redact(M.ERR_SMTP_TLS.format(server=self.server, reason=_reason(exc))),
                            transient=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quit(smtp)
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
                raise SendError(self.redact(M.ERR_SMTP_AUTH.format(
                    server=self.server, user=es.user, reason=_reason(exc))),
                    transient=not isinstance(exc, UnicodeError)) from None
        return smtp

    def send(self, messages: list[Message]) -> Iterator[SendOutcome]:
        smtp: smtplib.SMTP | None = None
        fatal: str | None = None
        retries = self.settings.send_retries
        try:
            for message in messages:
                address = message.recipient.email
                if fatal is not None:
                    yield SendOutcome(message, False, fatal, address)
                    continue
                try:
                    email = build_email(message, self.settings, timestamp=self.clock())
                except Exception as exc:  # noqa: BLE001 - e.g. an address that cannot be encoded
                    yield SendOutcome(message, False, self.redact(M.ERR_SMTP_OTHER.format(
                        server=self.server, reason=_reason(exc))), address)
                    continue
                attempt = 0
                while True:
                    try:
                        if smtp is None:
                            smtp = self._connect()
                        smtp.send_message(email, from_addr=self.es.sender or self.es.user,
                                          to_addrs=[address])
                    except smtplib.SMTPRecipientsRefused as exc:
                        reasons = "; ".join(_reason(smtplib.SMTPResponseException(c, r))
                                            for c, r in exc.recipients.values())
                        yield SendOutcome(message, False, self.redact(
                            M.ERR_SMTP_REFUSED.format(address=address, reason=reasons)), address)
                        break
                    except (SendError, OSError, smtplib.SMTPException) as exc:
                        if isinstance(exc, SendError):
                            error, transient = str(exc), exc.transient
                        elif isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500:
                            # the server rejected this message; the connection is still usable
                            yield SendOutcome(message, False, self.redact(M.ERR_SMTP_OTHER.format(
                                server=self.server, reason=_reason(exc))), address)
                            break
                        else:  # the connection broke: reconnect and retry with backoff
                            error = self.redact(M.ERR_SMTP_OTHER.format(server=self.server,
                                                                        reason=_reason(exc)))
                            transient = True
                        _quit(smtp)
                        smtp = None
                        if transient and attempt < retries:
                            self.sleep(self.settings.retry_backoff_seconds * (2 ** attempt))
                            attempt += 1
                            continue
                        if attempt:
                            error = M.ERR_RETRIED.format(error=error, n=attempt)
                        fatal = error  # the server cannot be used: the others fail alike
                        yield SendOutcome(message, False, error, address)
                        break
                    except Exception as exc:  # noqa: BLE001 - a problem with this message only
                        yield SendOutcome(message, False, self.redact(M.ERR_SMTP_OTHER.format(
                            server=self.server, reason=_reason(exc))), address)
                        break
                    else:
                        yield SendOutcome(message, True, "", address)
                        break
        finally:
            _quit(smtp)


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


class WebhookSender:
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
        opener: Callable[..., object] | None = None,
    ) -> None:
        self.channel = channel
        self.settings = settings
        self.hook: WebhookSettings = settings.webhook(channel)
        self._url = url
        self._secret = secret
        self.redact = redactor
        self.clock = clock
        self.sleep = sleep
        self._open = opener or urllib.request.urlopen
        self.label = PLATFORM_LABELS[channel]
        self._posted = False

    @property
    def server(self) -> str:
        parts = urllib.parse.urlsplit(self._url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"

    def _post_once(self, payload: dict) -> None:
        url = self._url
        if self.channel == "dingtalk" and self._secret:
            url = dingtalk_signed_url(url, self._secret, int(self.clock() * 1000))
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with self._open(request, timeout=self.hook.timeout) as response:
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise SendError(self.redact(M.ERR_HTTP_STATUS.format(
                platform=self.label, server=self.server, status=exc.code)),
                transient=exc.code >= 500 or exc.code == 429, connection=exc.code >= 500) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SendError(self.redact(M.ERR_HTTP_CONNECT.format(
                platform=self.label, server=self.server, reason=_reason(exc))),
                connection=True) from None
        try:
            answer = json.loads(text)
            code = int(answer.get("errcode", -1))
        except (ValueError, AttributeError, TypeError):
            raise SendError(self.redact(M.ERR_HTTP_BAD_ANSWER.format(
                platform=self.label, text=text[:200])), transient=False) from None
        if code != 0:
            raise SendError(self.redact(M.ERR_HTTP_ANSWER.format(
                platform=self.label, code=code, msg=answer.get("errmsg", ""))),
                transient=code in RATE_LIMIT_CODES)

    def _post(self, payload: dict) -> None:
        attempt = 0
        while True:
            if self._posted and self.hook.pause_seconds > 0:
                self.sleep(self.hook.pause_seconds)
            self._posted = True
            try:
                self._post_once(payload)
                return
            except SendError as exc:
                if exc.transient and attempt < self.settings.send_retries:
                    self.sleep(self.settings.retry_backoff_seconds * (2 ** attempt))
                    attempt += 1
                    continue
                if attempt:
                    raise SendError(M.ERR_RETRIED.format(error=str(exc), n=attempt),
                                    exc.transient, exc.connection) from None
                raise

    def send(self, messages: list[Message]) -> Iterator[SendOutcome]:
        fatal: str | None = None
        for message in messages:
            if fatal is not None:  # the robot cannot be reached: do not wait again for each
                yield SendOutcome(message, False, fatal, self.label)
                continue
            try:
                for payload in payloads_for(self.channel, message, self.settings):
                    self._post(payload)
            except SendError as exc:
                if exc.connection:
                    fatal = str(exc)
                yield SendOutcome(message, False, str(exc), self.label)
                continue
            except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
                yield SendOutcome(message, False, self.redact(M.ERR_HTTP_CONNECT.format(
                    platform=self.label, server=self.server, reason=_reason(exc))), self.label)
                continue
            yield SendOutcome(message, True, "", self.label)


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
        redactor.add(env.get(settings.email.password_env))
    for hook in (settings.wecom, settings.dingtalk):
        if hook.secret_env:
            redactor.add(env.get(hook.secret_env))
        if hook.webhook_url_env:
            redactor.add(env.get(hook.webhook_url_env))
        for url in (hook.webhook_url, env.get(hook.webhook_url_env or "", "")):
            for _, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url or "").query):
                redactor.add(value)
    return redactor


def build_senders(
    settings: ReminderSettings,
    env: Mapping[str, str],
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], object] = time.sleep,
    redactor: Redactor | None = None,
) -> dict[str, Sender]:
    """One sender per enabled channel. Raises `ReminderConfigError` when a secret's
    environment variable is not set (the message names the variable, never a value)."""
    redactor = redactor or secrets_from_env(settings, env)
    senders: dict[str, Sender] = {}
    es = settings.email
    if es.enabled:
        password = None
        if es.user:
            if not es.password_env:
                raise ReminderConfigError(M.CONFIG_MISSING.format(section="email", key="password_env"))
            password = _env(env, "email", "password_env", es.password_env)
        senders["email"] = EmailSender(settings, password, redactor, clock=clock, sleep=sleep)
    for channel in ("wecom", "dingtalk"):
        hook = settings.webhook(channel)
        if not hook.enabled:
            continue
        url = _env(env, channel, "webhook_url_env", hook.webhook_url_env) if hook.webhook_url_env \
            else hook.webhook_url
        secret = _env(env, channel, "secret_env", hook.secret_env) if hook.secret_env else None
        senders[channel] = WebhookSender(channel, settings, url, secret, redactor,
                                         clock=clock, sleep=sleep)
    return senders
