"""Reminder settings, read from the project's config.ini (a `configparser.ConfigParser`).

Sections: [reminders], [email], [wecom], [dingtalk] (and [contacts], read by `contacts.py`).
The commented text of these sections is `config_sections.ini` next to this module.
Every value is read raw (no `%` interpolation), so webhook URLs with `%2B` are safe.
Defaults: every channel disabled, so a fresh install sends nothing.

Secrets never live in the file: `[email] password_env` and `[dingtalk] secret_env` name
environment variables; they are looked up by `channels.build_senders`, not here.
"""

from __future__ import annotations

import configparser
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import messages as M

SECURITY_CHOICES = ("none", "starttls", "ssl")
SECTION_COPY_CHOICES = ("none", "copy", "summary")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
CHANNEL_ORDER = ("email", "wecom", "dingtalk")

_TRUE = {"yes", "true", "on", "1", "是", "启用", "开", "y"}
_FALSE = {"no", "false", "off", "0", "否", "停用", "关", "n", ""}


class ReminderConfigError(ValueError):
    """A setting is missing or malformed; the message is Chinese and names the key."""


@dataclass(frozen=True)
class EmailSettings:
    enabled: bool = False
    host: str = ""
    port: int = 25
    security: str = "starttls"
    user: str = ""
    password_env: str = ""
    sender: str = ""
    sender_name: str = ""
    timeout: float = 30.0
    verify_certificate: bool = True


@dataclass(frozen=True)
class WebhookSettings:
    platform: str  # "wecom" or "dingtalk"
    enabled: bool = False
    webhook_url: str = ""
    webhook_url_env: str = ""
    secret_env: str = ""  # DingTalk signing ("加签") secret; unused for WeCom
    escalation: bool = False  # also post leader escalations into the group
    timeout: float = 15.0
    pause_seconds: float = 3.1  # both platforms allow 20 messages a minute per robot


@dataclass(frozen=True)
class ReminderSettings:
    escalate_after_days: int | None = 30  # None: no escalation
    due_soon_points: tuple[int, ...] = (7, 3, 1)  # empty: every day while due soon
    overdue_repeat_days: int = 7
    escalation_repeat_days: int = 7
    log_file: Path | None = None
    office_name: str = "办公室"
    office_email: str = ""
    times: tuple[dt.time, ...] = (dt.time(9, 0),)
    section_copy: str = "none"  # none / copy / summary
    section_copy_sections: tuple[str, ...] = ()  # empty: every section
    section_head_roles: tuple[str, ...] = ("科长", "负责人", "主任")
    contacts_sheet: str = "通讯录"
    subject_prefix: str = M.SUBJECT_DEFAULT_PREFIX
    send_retries: int = 2
    retry_backoff_seconds: float = 5.0
    watch_retry_seconds: tuple[float, ...] = (300.0, 900.0, 1800.0)
    rate_limit_wait_seconds: float = 70.0  # WeCom's minute is waited out, DingTalk's 10 are not
    lock_wait_seconds: float = 5.0  # a second run waits this long for the first, then gives up
    ledger_name: str = ""
    email: EmailSettings = field(default_factory=EmailSettings)
    wecom: WebhookSettings = field(default_factory=lambda: WebhookSettings("wecom"))
    dingtalk: WebhookSettings = field(default_factory=lambda: WebhookSettings("dingtalk"))

    @property
    def enabled_channels(self) -> tuple[str, ...]:
        flags = {"email": self.email.enabled, "wecom": self.wecom.enabled,
                 "dingtalk": self.dingtalk.enabled}
        return tuple(c for c in CHANNEL_ORDER if flags[c])

    def webhook(self, channel: str) -> WebhookSettings:
        return self.wecom if channel == "wecom" else self.dingtalk

    @staticmethod
    def default_log_path(ledger_path: str | Path) -> Path:
        """`<ledger folder>/<ledger stem>.reminders.sqlite`"""
        p = Path(ledger_path)
        return p.with_name(p.stem + ".reminders.sqlite")

    @classmethod
    def from_config(
        cls, config: configparser.ConfigParser | None, ledger_path: str | Path | None = None
    ) -> ReminderSettings:
        """Build the settings; raises `ReminderConfigError` with a Chinese message."""
        r = _Reader(config)
        s = "reminders"
        escalate = r.int(s, "escalate_after_days", 30, allow_empty=True)
        overdue_repeat = max(1, r.int(s, "overdue_repeat_days", 7))
        log_file_raw = r.str(s, "log_file", "")
        if log_file_raw:
            log_file = Path(log_file_raw).expanduser()
            if not log_file.is_absolute() and ledger_path is not None:
                log_file = Path(ledger_path).parent / log_file
        elif ledger_path is not None:
            log_file = cls.default_log_path(ledger_path)
        else:
            log_file = None
        email_security = r.choice("email", "security", "starttls", SECURITY_CHOICES)
        email = EmailSettings(
            enabled=r.bool("email", "enabled", False),
            host=r.str("email", "host", ""),
            port=r.int("email", "port", DEFAULT_PORTS[email_security]),
            security=email_security,
            user=r.str("email", "user", ""),
            password_env=r.str("email", "password_env", ""),
            sender=r.str("email", "sender", ""),
            sender_name=r.str("email", "sender_name", ""),
            timeout=r.float("email", "timeout", 30.0),
            verify_certificate=r.bool("email", "verify_certificate", True),
        )
        if email.enabled:
            if not email.host:
                raise ReminderConfigError(M.CONFIG_MISSING.format(section="email", key="host"))
            if not email.sender and "@" not in email.user:
                raise ReminderConfigError(M.CONFIG_MISSING.format(section="email", key="sender"))
        hooks = {}
        for platform in ("wecom", "dingtalk"):
            hook = WebhookSettings(
                platform=platform,
                enabled=r.bool(platform, "enabled", False),
                webhook_url=r.str(platform, "webhook_url", ""),
                webhook_url_env=r.str(platform, "webhook_url_env", ""),
                secret_env=r.str(platform, "secret_env", "") if platform == "dingtalk" else "",
                escalation=r.bool(platform, "escalation", False),
                timeout=r.float(platform, "timeout", 15.0),
                pause_seconds=r.float(platform, "pause_seconds", 3.1),
            )
            if hook.enabled and not (hook.webhook_url or hook.webhook_url_env):
                raise ReminderConfigError(
                    M.CONFIG_MISSING.format(section=platform, key="webhook_url"))
            hooks[platform] = hook
        roles = r.list(s, "section_head_roles", ("科长", "负责人", "主任"))
        ledger_name = Path(ledger_path).name if ledger_path is not None else ""
        return cls(
            escalate_after_days=escalate if escalate is None or escalate >= 0 else None,
            due_soon_points=tuple(sorted({p for p in r.int_list(s, "due_soon_points", (7, 3, 1))
                                          if p >= 0}, reverse=True)),
            overdue_repeat_days=overdue_repeat,
            escalation_repeat_days=max(1, r.int(s, "escalation_repeat_days", overdue_repeat)),
            log_file=log_file,
            office_name=r.str(s, "office_name", "办公室") or "办公室",
            office_email=r.str(s, "office_email", ""),
            times=r.times(s, "times", (dt.time(9, 0),)),
            section_copy=r.choice(s, "section_copy", "none", SECTION_COPY_CHOICES),
            section_copy_sections=r.list(s, "section_copy_sections", ()),
            section_head_roles=roles or ("科长", "负责人", "主任"),
            contacts_sheet=r.str(s, "contacts_sheet", "通讯录") or "通讯录",
            subject_prefix=r.str(s, "subject_prefix", M.SUBJECT_DEFAULT_PREFIX)
            or M.SUBJECT_DEFAULT_PREFIX,
            send_retries=max(0, r.int(s, "send_retries", 2)),
            retry_backoff_seconds=max(0.0, r.float(s, "retry_backoff_seconds", 5.0)),
            watch_retry_seconds=tuple(
                60.0 * m for m in r.int_list(s, "watch_retry_minutes", (5, 15, 30)) if m >= 0),
            rate_limit_wait_seconds=max(0.0, r.float(s, "rate_limit_wait_seconds", 70.0)),
            lock_wait_seconds=max(0.0, r.float(s, "lock_wait_seconds", 5.0)),
            ledger_name=ledger_name,
            email=email,
            wecom=hooks["wecom"],
            dingtalk=hooks["dingtalk"],
        )


_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_SPLIT_RE = re.compile(r"[,，、;；\s]+")


def parse_time(text: str) -> dt.time:
    """'9:00' / '09:00' / '09:00:30' / '09：00' -> time; ValueError otherwise."""
    m = _TIME_RE.match(text.strip())
    if not m:
        raise ValueError(text)
    return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


class _Reader:
    """Typed, raw access to a ConfigParser that may lack sections or keys."""

    def __init__(self, config: configparser.ConfigParser | None) -> None:
        self.config = config

    def str(self, section: str, key: str, default: str) -> str:
        c = self.config
        if c is None or not c.has_section(section):
            return default
        if not c.has_option(section, key):
            # the project's parser keeps the case of keys: `Enabled = yes` still counts
            matches = [k for k in c[section] if k.lower() == key]
            if not matches:
                return default
            key = matches[0]
        return (c.get(section, key, raw=True) or "").strip()

    def _bad(self, section: str, key: str, value: str, problem: str) -> ReminderConfigError:
        return ReminderConfigError(M.CONFIG_BAD_VALUE.format(
            section=section, key=key, value=value, problem=problem))

    def bool(self, section: str, key: str, default: bool) -> bool:
        v = self.str(section, key, "\0")
        if v == "\0":
            return default
        low = v.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise self._bad(section, key, v, M.CONFIG_BAD_BOOL)

    def int(self, section: str, key: str, default: int | None, allow_empty: bool = False):
        v = self.str(section, key, "\0")
        if v == "\0":
            return default
        if v == "":
            if allow_empty:
                return None
            return default
        try:
            return int(v)
        except ValueError:
            raise self._bad(section, key, v, M.CONFIG_BAD_INT) from None

    def float(self, section: str, key: str, default: float) -> float:
        v = self.str(section, key, "")
        if not v:
            return default
        try:
            return float(v)
        except ValueError:
            raise self._bad(section, key, v, M.CONFIG_BAD_NUMBER) from None

    def list(self, section: str, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        v = self.str(section, key, "\0")
        if v == "\0":
            return tuple(default)
        return tuple(p for p in _SPLIT_RE.split(v) if p)

    def int_list(self, section: str, key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        v = self.str(section, key, "\0")
        if v == "\0":
            return tuple(default)
        try:
            return tuple(int(p) for p in _SPLIT_RE.split(v) if p)
        except ValueError:
            raise self._bad(section, key, v, M.CONFIG_BAD_INT_LIST) from None

    def times(self, section: str, key: str, default: tuple[dt.time, ...]) -> tuple[dt.time, ...]:
        v = self.str(section, key, "")
        if not v:
            return default
        try:
            return tuple(sorted({parse_time(p) for p in re.split(r"[,，、;；\s]+", v) if p}))
        except ValueError:
            raise self._bad(section, key, v, M.CONFIG_BAD_TIMES) from None

    def choice(self, section: str, key: str, default: str, choices: tuple[str, ...]) -> str:
        v = self.str(section, key, "").lower()
        if not v:
            return default
        if v not in choices:
            raise self._bad(section, key, v, M.CONFIG_BAD_CHOICE.format(choices=" / ".join(choices)))
        return v
