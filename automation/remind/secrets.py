"""Keeping secrets out of everything the reminders print, log or store.

Secrets are the SMTP password (and the base64 AUTH blobs carrying it), the DingTalk signing
secret, and whatever a webhook URL carries: `user:password@`, token-like query values
(`key=`, `access_token=`, `sign=`, ...) and token-like path segments
(`.../hook/3f2a...`). `Redactor` removes the known values and, by pattern, any such URL part
or AUTH blob it meets, so a server echoing them back does not leak them either.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from typing import Iterable

MASK = "***"

_QUERY_SECRET_RE = re.compile(
    r"(?i)\b(key|access_token|accesstoken|token|sign|signature|secret|password|passwd|pwd|auth)"
    r"=([^&\s#'\"<>]+)")
# scheme://user:password@host  (or user@host: a token used as the user name)
_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@")
# a base64 word long enough to hide credentials (the smallest AUTH PLAIN blob is 8 chars)
_B64_WORD_RE = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{8,}={0,2}(?![A-Za-z0-9+/=])")
# a path segment that looks like a key: long, and mixing digits with letters (uuid, hex, base64url)
_TOKEN_SEGMENT_RE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-.~]{16,}$")


class Redactor:
    """Removes known secret values (and their URL- and base64-encoded forms), then any
    credentials in URLs by pattern."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        for s in secrets:
            self.add(s)

    def add(self, secret: str | None, *, encodings: bool = True) -> None:
        if not secret or len(secret) < 3 or secret in self._secrets:
            return
        forms = {secret}
        if encodings:
            forms.add(urllib.parse.quote_plus(secret))
            forms.add(urllib.parse.quote(secret, safe=""))
            forms.add(base64.b64encode(secret.encode("utf-8")).decode("ascii"))
        for form in forms:
            if form not in self._secrets:
                self._secrets.append(form)
        self._secrets.sort(key=len, reverse=True)

    def add_login(self, user: str, password: str | None) -> None:
        """The SMTP password and the AUTH PLAIN blobs that carry it with the user name."""
        if not password:
            return
        self.add(password)
        for blob in (f"\0{user}\0{password}", f"{user}\0{user}\0{password}"):
            for encoding in ("utf-8", "latin-1"):
                try:
                    raw = blob.encode(encoding)
                except UnicodeEncodeError:
                    continue
                self.add(base64.b64encode(raw).decode("ascii"), encodings=False)

    def add_url(self, url: str | None) -> None:
        """Every secret part of a webhook URL: user info, query values, key-like path parts."""
        if not url:
            return
        self.add(url)
        parts = urllib.parse.urlsplit(url)
        if parts.username:
            self.add(urllib.parse.unquote(parts.username))
        if parts.password:
            self.add(urllib.parse.unquote(parts.password))
        for _, value in urllib.parse.parse_qsl(parts.query):
            self.add(value)
        for segment in parts.path.split("/"):
            if _TOKEN_SEGMENT_RE.match(segment):
                self.add(segment)

    def __call__(self, text: object) -> str:
        out = str(text)
        for s in self._secrets:
            out = out.replace(s, MASK)
        out = _USERINFO_RE.sub(lambda m: f"{m.group(1)}{MASK}@", out)
        return _QUERY_SECRET_RE.sub(lambda m: f"{m.group(1)}={MASK}", out)


def url_for_display(url: str) -> str:
    """scheme://host[:port]/path of a webhook URL with no user info, no query, and key-like
    path segments masked: what messages name as "the server"."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    path = "/".join(MASK if _TOKEN_SEGMENT_RE.match(seg) else seg for seg in parts.path.split("/"))
    return f"{parts.scheme}://{netloc}{path}"


def _looks_like_auth_blob(word: str) -> bool:
    """A base64 word that decodes to credentials: AUTH PLAIN (NUL-separated) or an AUTH
    LOGIN user name / password (printable text). Ordinary words decode to binary noise."""
    if len(word) % 4:
        return False
    try:
        raw = base64.b64decode(word, validate=True)
    except (binascii.Error, ValueError):
        return False
    if b"\0" in raw:
        return True
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(text) >= 4 and text.isprintable()


def smtp_reply_redacted(reply: str) -> str:
    """An SMTP server's reply with any base64 AUTH blob it quotes masked (a 535 answer may
    echo the client's `AUTH PLAIN <blob>` line: user name and password)."""
    return _B64_WORD_RE.sub(lambda m: MASK if _looks_like_auth_blob(m.group(0)) else m.group(0), reply)
