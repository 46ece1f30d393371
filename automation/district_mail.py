"""Mail the district summary workbook to the supervising office's leader(s), over the email
channel the reminders use (config.ini [email]; the password from the environment variable it
names). One message per address: the headline figures in the body, the workbook attached."""

from __future__ import annotations

import mimetypes
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Mapping

from automation import messages as m
from automation.problems import LedgerError
from automation.stats import format_rate

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class MailError(LedgerError):
    """The summary could not be sent (the workbook is written; exit code 1)."""

    exit_code = 1


def summary_body(district) -> str:
    """The mail's text: the headline figures and one line per unit."""
    statistics = district.statistics
    totals = statistics.totals
    lines = [m.DISTRICT_MAIL_HEADLINE.format(
        today=statistics.as_of.isoformat(), units=len(statistics.groups["unit"]), total=totals["total"],
        completed=totals["completed"], overdue=totals["overdue"], due_soon=totals["due_soon"],
        completion_rate=format_rate(totals["completion_rate"]), on_time_rate=format_rate(totals["on_time_rate"]),
        satisfaction_rate=format_rate(totals["satisfaction_rate"])), ""]
    for unit, figures in statistics.groups["unit"].items():
        lines.append(m.DISTRICT_MAIL_UNIT_LINE.format(
            unit=unit, total=figures["total"], completed=figures["completed"], overdue=figures["overdue"],
            completion_rate=format_rate(figures["completion_rate"])))
    if district.left_out:
        lines += ["", m.UNITS_LEFT_OUT_HEADING.format(count=len(district.left_out)), *district.left_out_lines()]
    lines += ["", m.DISTRICT_MAIL_FOOTER]
    return "\n".join(lines)


def build_mail(district, workbook: Path, sender: str, sender_name: str, recipient: str) -> EmailMessage:
    from email.headerregistry import Address

    message = EmailMessage()
    message["Subject"] = m.DISTRICT_MAIL_SUBJECT.format(today=district.statistics.as_of.isoformat())
    message["From"] = Address(display_name=sender_name, addr_spec=sender)
    message["To"] = recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(summary_body(district), charset="utf-8")
    kind = mimetypes.guess_type(workbook.name)[0]
    maintype, subtype = kind.split("/") if kind else XLSX_TYPE
    message.add_attachment(workbook.read_bytes(), maintype=maintype, subtype=subtype, filename=workbook.name)
    return message


def mail_summary(district, workbook: Path, recipients: list[str], parser, env: Mapping[str, str]) -> list[str]:
    """Send the workbook to each address; the lines to print. MailError when email is not set
    up or the server refuses (the message never shows a password)."""
    from automation.remind import ReminderSettings
    from automation.remind.channels import EmailSender, build_senders, secrets_from_env
    from automation.remind.settings import ReminderConfigError

    try:
        settings = ReminderSettings.from_config(parser)
        senders = build_senders(settings, env)
    except ReminderConfigError as error:
        raise MailError(str(error)) from None
    sender = senders.get("email")
    if not isinstance(sender, EmailSender):
        raise MailError(m.DISTRICT_MAIL_NOT_ENABLED)
    redact = secrets_from_env(settings, env)
    address = settings.email.sender or settings.email.user
    name = settings.email.sender_name or settings.office_name
    lines = []
    for recipient in recipients:
        try:
            mail = build_mail(district, workbook, address, name, recipient)
        except ValueError as error:  # an address that cannot be encoded
            raise MailError(m.DISTRICT_MAIL_FAILED.format(error=redact(f"{recipient}: {error}"))) from None
        # the reminders' sending: whole-send deadline, retries, a lost answer never resent
        outcome = sender.send_mail(mail, recipient)
        if not outcome.ok:
            raise MailError(m.DISTRICT_MAIL_FAILED.format(error=redact(f"{recipient}: {outcome.error}")))
        lines.append(m.DISTRICT_MAIL_SENT.format(recipient=recipient, file=workbook.name))
    return lines
