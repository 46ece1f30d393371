"""Sending the 督办通报 to the leaders through the reminder channels, once per week.

Email: one message per leader with the bulletin attached; WeCom / DingTalk group robots: one
text summary per robot. The SMTP connection, the webhook posting with its retries and
signature, the secrets and their redaction, and the no-repeat log are the reminders' own
(`automation.remind`): a bulletin is recorded in the same log as kind "bulletin", keyed by
the ISO week, so a second `--send` in the same week sends nothing again.
"""

from __future__ import annotations

import datetime as dt
import os
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Mapping, TextIO

from automation import messages as m

KIND = "bulletin"
ITEM_ID = "督办通报"
GROUP = "group"
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def week_key(day: dt.date) -> str:
    """The no-repeat key of a week's bulletin: bulletin:2026-W26."""
    year, week, _ = day.isocalendar()
    return f"{KIND}:{year}-W{week:02d}"


def split_config_names(text: str) -> list[str]:
    from automation.remind.contacts import split_names

    return [name for part in text.replace(",", "、").replace("，", "、").split("、") for name in split_names(part)]


def leader_names(analysis, config) -> list[str]:
    """config.ini [bulletin] recipients, else every 分管领导 named in the ledger (in ledger order)."""
    from automation.remind.contacts import split_names

    configured = config.parser.get("bulletin", "recipients", fallback="").strip()
    if configured:
        return list(dict.fromkeys(split_config_names(configured)))
    names: list[str] = []
    for value in analysis.classified.items["leader"]:
        names += split_names(value or "")
    return list(dict.fromkeys(name for name in names if name))


def bulletin_email(settings, recipient_name: str, address: str, subject: str, text: str, attachment: bytes,
                   filename: str, timestamp: float) -> EmailMessage:
    """A plain-text email (UTF-8) with the bulletin attached under its Chinese file name."""
    from automation.remind.channels import _address

    es = settings.email
    sender = es.sender or es.user
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = _address(es.sender_name or settings.office_name, sender)
    message["To"] = _address(recipient_name, address)
    message["Date"] = formatdate(timestamp, localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    maintype, subtype = DOCX_TYPE if filename.lower().endswith(".docx") else ("text", "markdown")
    message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send_bulletin(bulletin, path: Path, ledger: Path, config, today: dt.date, out: TextIO, *,
                  analysis=None, env: Mapping[str, str] | None = None, clock=None) -> int:
    """Send the bulletin file at `path`; returns 0 (sent or nothing due), 1 (a send failed: not
    recorded, the next run retries), 2 (configuration)."""
    import time

    from automation.remind import ReminderLog, build_senders, load_directory, secrets_from_env
    from automation.remind.channels import SendError, dingtalk_payload, wecom_payload
    from automation.remind.log import SentRecord
    from automation.remind.settings import ReminderConfigError, ReminderSettings

    environ = os.environ if env is None else env
    clock = clock or time.time
    say = lambda line: out.write(line + "\n")  # noqa: E731
    try:
        settings = ReminderSettings.from_config(config.parser, ledger_path=ledger)
        redactor = secrets_from_env(settings, environ)
        if not settings.enabled_channels:
            say(m.BULLETIN_NO_CHANNEL)
            return 2
        senders = build_senders(settings, environ, clock=clock, redactor=redactor)
    except ReminderConfigError as error:
        say(m.FATAL_PREFIX + str(error))
        return 2
    if analysis is None:
        from automation.analysis import analyse_file

        analysis = analyse_file(Path(ledger), config, today, display_name=str(ledger))
    key = week_key(today)
    week = key.split(":", 1)[1]
    subject = m.BULLETIN_SUBJECT.format(office=config.office_name, as_of=today.isoformat())
    summary = "\n".join(bulletin.summary_lines())
    failed = 0
    with ReminderLog(settings.log_file) as log:
        def already(recipient: str, channel: str) -> bool:
            return any(day.isocalendar()[:2] == today.isocalendar()[:2]
                       for day in log.sent_dates(key, recipient, channel))

        def mark(recipient: str, channel: str) -> None:
            log.mark_sent([SentRecord(today, key, ITEM_ID, recipient, KIND, channel)],
                          sent_at=dt.datetime.fromtimestamp(clock()))

        if "email" in senders:
            sender = senders["email"]
            directory = load_directory(ledger, config.parser, sheet_name=settings.contacts_sheet,
                                       head_roles=settings.section_head_roles)
            names = leader_names(analysis, config)
            contacts = []
            for name in names:
                contact = directory.find(name)
                if contact is None or not contact.email:
                    say(m.BULLETIN_UNREACHABLE.format(name=name))
                    continue
                if already(contact.key, "email"):
                    say(m.BULLETIN_ALREADY.format(week=week, recipient=contact.name, channel="邮件"))
                    continue
                contacts.append(contact)
            if not names or (not contacts and all(directory.find(n) is None for n in names)):
                say(m.BULLETIN_NO_RECIPIENT)
            attachment = Path(path).read_bytes()
            for contact in contacts:
                mail = bulletin_email(settings, contact.name, contact.email, subject,
                                      m.BULLETIN_MAIL_TEXT.format(
                                          greeting=m.BULLETIN_GREETING.format(name=contact.name),
                                          office=config.office_name, as_of=today.isoformat(), summary=summary),
                                      attachment, Path(path).name, clock())
                outcome = sender.send_mail(mail, contact.email)
                if outcome.ok or outcome.unknown:
                    # delivery unknown: the mail may well have arrived; a second copy is worse
                    # than none, so the week is marked as for the reminders
                    mark(contact.key, "email")
                if not outcome.ok:
                    failed += 1
                    say(m.BULLETIN_SEND_FAILED.format(channel="邮件", recipient=contact.name,
                                                      error=redactor(outcome.error)))
                    continue
                say(m.BULLETIN_SENT.format(channel="邮件", recipient=f"{contact.name} <{contact.email}>"))

        for channel, label in (("wecom", "企业微信"), ("dingtalk", "钉钉")):
            if channel not in senders:
                continue
            if already(GROUP, channel):
                say(m.BULLETIN_ALREADY.format(week=week, recipient=label, channel=label))
                continue
            text = f"**{subject}**\n\n{summary}"
            payload = wecom_payload(text) if channel == "wecom" else dingtalk_payload(subject, text)
            try:
                senders[channel].post(payload)
            except SendError as error:
                if error.unknown:  # posted whole, answer lost: do not post it twice this week
                    mark(GROUP, channel)
                failed += 1
                say(m.BULLETIN_SEND_FAILED.format(channel=label, recipient=label, error=redactor(error)))
                continue
            mark(GROUP, channel)
            say(m.BULLETIN_SENT.format(channel=label, recipient=label))
    return 1 if failed else 0
