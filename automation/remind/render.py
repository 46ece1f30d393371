"""Digest texts (pure): email subject, plain text, HTML table; WeCom and DingTalk markdown.

Every value from the ledger is escaped for its format (HTML entities; markdown specials
replaced by their full-width forms, which read naturally in Chinese text).
"""

from __future__ import annotations

import html
from collections import Counter, OrderedDict

from . import messages as M
from .plan import Entry, Message
from .settings import ReminderSettings

WECOM_LIMIT = 4096  # bytes of markdown content (WeCom documentation)
DINGTALK_LIMIT = 18000  # bytes; DingTalk allows about 20000


def _status(entry: Entry) -> str:
    item = entry.item
    if item.overdue:
        return M.DAYS_OVERDUE.format(days=item.days)
    return M.DUE_TODAY if item.days == 0 else M.DAYS_LEFT.format(days=item.days)


def _counts(message: Message) -> str:
    parts = []
    for entries, fmt in ((message.own_overdue, M.COUNT_OVERDUE),
                         (message.own_due_soon, M.COUNT_DUE_SOON),
                         (message.forwarded, M.COUNT_FORWARD),
                         (message.escalations, M.COUNT_ESCALATION),
                         (message.section_entries, M.COUNT_SECTION)):
        if entries:
            parts.append(fmt.format(n=len(entries)))
    return M.COUNTS_JOIN.join(parts)


def counts(message: Message) -> str:
    """'逾期 2 件，即将到期 1 件' for reports."""
    return _counts(message)


def subject(message: Message, settings: ReminderSettings) -> str:
    return M.SUBJECT.format(prefix=settings.subject_prefix, name=message.recipient.name,
                            counts=_counts(message), date=M.cn_date(message.today))


def _greeting(message: Message) -> str:
    r = message.recipient
    return (M.GREETING_OFFICE if r.is_office else M.GREETING_PERSON).format(name=r.name)


def _parts(message: Message, settings: ReminderSettings) -> list[tuple[str, list[Entry], str]]:
    """(title, entries, style) per non-empty part; style: own / other / summary."""
    parts = []
    if message.own_overdue:
        parts.append((M.PART_OVERDUE.format(n=len(message.own_overdue)), message.own_overdue, "own"))
    if message.own_due_soon:
        parts.append((M.PART_DUE_SOON.format(n=len(message.own_due_soon)), message.own_due_soon, "own"))
    if message.forwarded:
        parts.append((M.PART_FORWARD.format(n=len(message.forwarded)), message.forwarded, "other"))
    if message.escalations:
        parts.append((M.PART_ESCALATION.format(days=settings.escalate_after_days,
                                               n=len(message.escalations)),
                      message.escalations, "other"))
    if message.section_entries:
        entries = message.section_entries
        if settings.section_copy == "summary":
            parts.append((M.PART_SECTION_SUMMARY.format(n=len(entries)), entries, "summary"))
        else:
            parts.append((M.PART_SECTION_COPY.format(n=len(entries)), entries, "other"))
    return parts


def _who(entry: Entry) -> str:
    """Who is in charge of an item in a part about other people's items."""
    item = entry.item
    if entry.kind == "forward":
        return entry.note or M.HANDLER_IS.format(name=item.handler or M.NO_NAME)
    who = M.SECTION_AND_HANDLER.format(section=item.section, handler=item.handler or M.NO_NAME)
    return who.strip() + (f"；{entry.note}" if entry.note else "")


def _handler_cell(entry: Entry) -> str:
    handler = entry.item.handler or M.NO_NAME
    if entry.kind == "forward":
        return entry.note or handler
    return f"{handler}；{entry.note}" if entry.note else handler


def _summary(entries: list[Entry]) -> list[tuple[str, int, int]]:
    overdue: Counter[str] = Counter()
    due: Counter[str] = Counter()
    names: "OrderedDict[str, None]" = OrderedDict()
    for e in entries:
        name = e.item.handler or M.NO_NAME
        names[name] = None
        (overdue if e.item.overdue else due)[name] += 1
    return [(n, overdue[n], due[n]) for n in names]


def _summary_counts(o: int, d: int) -> str:
    parts = []
    if o:
        parts.append(M.COUNT_OVERDUE.format(n=o))
    if d:
        parts.append(M.COUNT_DUE_SOON.format(n=d))
    return M.COUNTS_JOIN.join(parts)


# --- plain text ---------------------------------------------------------------------------

def plain_text(message: Message, settings: ReminderSettings) -> str:
    lines = [_greeting(message), "", M.INTRO.format(date=M.cn_date(message.today)), ""]
    for index, (title, entries, style) in enumerate(_parts(message, settings), start=1):
        lines.append(M.part_number(index) + title)
        if style == "summary":
            for name, o, d in _summary(entries):
                lines.append("  " + M.SUMMARY_LINE.format(handler=name, counts=_summary_counts(o, d)))
        else:
            for n, e in enumerate(entries, start=1):
                item = e.item
                key = M.KEY_ITEM if item.key_item else ""
                lines.append(f"  {n}. 【{item.id}】{item.title}{key}")
                detail = f"{M.DEADLINE.format(date=item.deadline.isoformat())}，{_status(e)}"
                if style == "other":
                    detail += f"；{_who(e)}"
                lines.append(f"     {detail}")
        lines.append("")
    lines.append(M.CLOSING.format(office=settings.office_name))
    lines.append(M.SIGNATURE.format(office=settings.office_name))
    return "\n".join(lines) + "\n"


# --- HTML ---------------------------------------------------------------------------------

_FILL = {"overdue": "#FFC7CE", "due_soon": "#FFEB9C"}
_CELL = "border:1px solid #999;padding:4px 8px;"
_HEAD = _CELL + "background:#DDEBF7;font-weight:bold;"


def _tr(cells: list[str], style: str, fill: str | None = None) -> str:
    row_style = f' style="background:{fill};"' if fill else ""
    return f"<tr{row_style}>" + "".join(
        f'<td style="{style}">{html.escape(str(c))}</td>' for c in cells) + "</tr>"


def _th(cells: tuple[str, ...]) -> str:
    return "<tr>" + "".join(f'<th style="{_HEAD}">{html.escape(c)}</th>' for c in cells) + "</tr>"


def html_text(message: Message, settings: ReminderSettings) -> str:
    out = ['<!DOCTYPE html><html><head><meta charset="utf-8"></head>',
           '<body style="font-family:\'Microsoft YaHei\',SimSun,sans-serif;font-size:14px;">',
           f"<p>{html.escape(_greeting(message))}</p>",
           f"<p>{html.escape(M.INTRO.format(date=M.cn_date(message.today)))}</p>"]
    for index, (title, entries, style) in enumerate(_parts(message, settings), start=1):
        out.append(f"<h3>{html.escape(M.part_number(index) + title)}</h3>")
        out.append('<table style="border-collapse:collapse;">')
        if style == "summary":
            out.append(_th(M.TABLE_HEADERS_SUMMARY))
            for name, o, d in _summary(entries):
                out.append(_tr([name, str(o), str(d)], _CELL))
        else:
            out.append(_th(M.TABLE_HEADERS_OWN if style == "own" else M.TABLE_HEADERS_OTHER))
            for e in entries:
                item = e.item
                title_cell = item.title + (M.KEY_ITEM if item.key_item else "")
                fill = _FILL["overdue" if item.overdue else "due_soon"]
                if style == "own":
                    cells = [item.id, title_cell, item.deadline.isoformat(), _status(e)]
                else:
                    cells = [item.id, title_cell, item.section, _handler_cell(e),
                             item.deadline.isoformat(), _status(e)]
                out.append(_tr(cells, _CELL, fill))
        out.append("</table>")
    out.append(f"<p>{html.escape(M.CLOSING.format(office=settings.office_name))}</p>")
    out.append(f'<p style="color:#666;font-size:12px;">'
               f"{html.escape(M.SIGNATURE.format(office=settings.office_name))}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- markdown (group robots) --------------------------------------------------------------

_MD_ESCAPES = str.maketrans({"<": "＜", ">": "＞", "*": "＊", "_": "＿", "`": "｀",
                             "[": "［", "]": "］", "#": "＃", "\n": " ", "\r": " "})


def md(text: str) -> str:
    """Ledger text made inert in WeCom / DingTalk markdown."""
    return str(text).translate(_MD_ESCAPES)


def _chunks(header: str, lines: list[str], limit: int, sep: str) -> list[str]:
    """Pack lines into texts of at most `limit` UTF-8 bytes, each starting with the header
    (continued ones marked 续 n/total)."""
    def size(s: str) -> int:
        return len(s.encode("utf-8"))

    reserve = size(header) + size(sep) + size(M.CONTINUED.format(n=99, total=99)) + 8
    groups: list[list[str]] = [[]]
    used = 0
    for line in lines:
        line_size = size(line) + size(sep)
        if groups[-1] and used + line_size + reserve > limit:
            groups.append([])
            used = 0
        if line_size + reserve > limit:  # one enormous line: cut it
            line = line.encode("utf-8")[: max(0, limit - reserve - 3)].decode("utf-8", "ignore") + "…"
            line_size = size(line) + size(sep)
        groups[-1].append(line)
        used += line_size
    total = len(groups)
    texts = []
    for n, group in enumerate(groups, start=1):
        head = header if total == 1 else header + M.CONTINUED.format(n=n, total=total)
        texts.append(sep.join([head, *group]))
    return texts


def _md_lines(message: Message, settings: ReminderSettings, wecom: bool) -> list[str]:
    lines = []
    for title, entries, style in _parts(message, settings):
        lines.append(f"**{md(title)}**")
        if style == "summary":
            for name, o, d in _summary(entries):
                lines.append(("> " if wecom else "- ") + md(M.SUMMARY_LINE.format(
                    handler=name, counts=_summary_counts(o, d))))
            continue
        for e in entries:
            item = e.item
            status = _status(e)
            if wecom:
                color = "warning" if item.overdue else "comment"
                status = f'<font color="{color}">{md(status)}</font>'
            else:
                status = f"**{md(status)}**"
            key = md(M.KEY_ITEM) if item.key_item else ""
            line = (f"【{md(item.id)}】{md(item.title)}{key}，"
                    f"{md(M.DEADLINE.format(date=item.deadline.isoformat()))}，{status}")
            if style == "other":
                line += f"；{md(_who(e))}"
            lines.append(("> " if wecom else "- ") + line)
    return lines


def wecom_markdown(message: Message, settings: ReminderSettings) -> list[str]:
    """WeCom `markdown.content` texts (split when over 4096 bytes).
    A recipient with a WeCom user id is mentioned with `<@userid>`."""
    r = message.recipient
    mention = f"<@{r.wecom_id}> " if r.wecom_id else ""
    header = (f"### {md(settings.subject_prefix)}\n"
              f"{mention}**{md(r.name)}**，{md(M.INTRO.format(date=M.cn_date(message.today)))}")
    return _chunks(header, _md_lines(message, settings, wecom=True), WECOM_LIMIT, "\n")


def dingtalk_mentions(message: Message) -> tuple[list[str], list[str]]:
    """(atMobiles, atUserIds) for the recipient: the mobile if known, else the user id."""
    r = message.recipient
    if r.mobile:
        return [r.mobile], []
    if r.dingtalk_id:
        return [], [r.dingtalk_id]
    return [], []


def dingtalk_markdown(message: Message, settings: ReminderSettings) -> list[tuple[str, str]]:
    """DingTalk (title, text) pairs (split when long). DingTalk shows a mention only when
    the text contains `@mobile` (or `@userid`) as well as the `at` field."""
    r = message.recipient
    mobiles, user_ids = dingtalk_mentions(message)
    mention = "".join(f"@{m} " for m in mobiles + user_ids)
    title = f"{settings.subject_prefix}：{r.name}"
    header = (f"### {md(settings.subject_prefix)}\n\n"
              f"{mention}**{md(r.name)}**，{md(M.INTRO.format(date=M.cn_date(message.today)))}")
    texts = _chunks(header, _md_lines(message, settings, wecom=False), DINGTALK_LIMIT, "\n\n")
    return [(title, t) for t in texts]
