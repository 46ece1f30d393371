"""Who gets which reminder today: a pure function of (items, directory, settings, history, today).

Routing
- Each item goes to each of its handlers (承办人; `张三、李四` is two people) as `overdue` or
  `due_soon`. A handler no enabled channel can reach (not in the directory, or no address
  for any enabled channel) is listed as unreachable and the item goes, as `forward`, to the
  head of the item's section, or else to the office (`[reminders] office_name/office_email`).
- With `[reminders] section_copy = copy|summary`, the head of each section (role containing
  科长 / 负责人 / 主任) also gets the section's items as `section` (by email only).
- An item overdue by more than `escalate_after_days` goes, as `escalation`, to its leader
  (分管领导), or to the office when the leader cannot be reached.
- One message per recipient and channel per run: an item appears once in it, under the
  first of own > forward > escalation > section.

No-spam rules, per (item, recipient, channel), from the reminder log's history
- never twice on one day; a send whose confirmation was lost (delivery unknown) counts for
  that day only;
- a due-soon item is sent once per reminder point: with points 7,3,1 and 2 days left, the
  point reached is 3, so it is sent unless something was sent since the day 3 days before
  the deadline (a point missed over a weekend is caught up on the next run);
  no points configured: every day while due soon;
- an overdue item is sent again once `overdue_repeat_days` (for escalations
  `escalation_repeat_days`) have passed since the last send after the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence

from . import messages as M
from .contacts import Contact, Directory, normalize_name, split_names
from .settings import ReminderSettings
from ..items import FlaggedItem

KINDS = ("overdue", "due_soon", "forward", "escalation", "section")
_PRIORITY = {"overdue": 0, "due_soon": 0, "forward": 1, "escalation": 2, "section": 3}
PREVIEW_CHANNEL = "none"


class SentHistory(Protocol):
    """What the planner needs from the reminder log (read only)."""

    def sent_dates(self, item_key: str, recipient_key: str, channel: str) -> Sequence[dt.date]:
        ...


class EmptyHistory:
    def sent_dates(self, item_key: str, recipient_key: str, channel: str) -> Sequence[dt.date]:
        return ()


def item_key(item: FlaggedItem) -> str:
    """The log key of an item: its id, with the section (one id may be split between sections)."""
    section = normalize_name(item.section)
    return f"{item.id.strip()}@{section}" if section else item.id.strip()


@dataclass(frozen=True)
class Entry:
    item: FlaggedItem
    kind: str  # overdue / due_soon / forward / escalation / section
    note: str = ""  # forward: the handler who could not be reached (and why)


@dataclass(frozen=True)
class Message:
    """One digest to one recipient on one channel."""

    recipient: Contact
    channel: str
    entries: tuple[Entry, ...]
    today: dt.date

    def part(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]

    @property
    def own_overdue(self) -> list[Entry]:
        return sorted(self.part("overdue"), key=_overdue_order)

    @property
    def own_due_soon(self) -> list[Entry]:
        return sorted(self.part("due_soon"), key=_due_order)

    @property
    def forwarded(self) -> list[Entry]:
        return _sorted_mixed(self.part("forward"))

    @property
    def escalations(self) -> list[Entry]:
        return sorted(self.part("escalation"), key=_overdue_order)

    @property
    def section_entries(self) -> list[Entry]:
        return _sorted_mixed(self.part("section"))


def _overdue_order(e: Entry):
    return (-e.item.days, e.item.deadline, e.item.id)


def _due_order(e: Entry):
    return (e.item.days, e.item.deadline, e.item.id)


def _sorted_mixed(entries: list[Entry]) -> list[Entry]:
    """Overdue first (most overdue first), then due soon (least time left first)."""
    return sorted(entries, key=lambda e: (0, -e.item.days, e.item.id) if e.item.overdue
                  else (1, e.item.days, e.item.id))


@dataclass(frozen=True)
class Skip:
    item: FlaggedItem
    recipient: Contact
    channel: str
    kind: str
    reason: str


@dataclass
class Unreachable:
    name: str  # as written in the ledger ('' when empty)
    role: str  # M.ROLE_HANDLER / M.ROLE_LEADER
    reason: str
    items: list[FlaggedItem] = field(default_factory=list)
    routed_to: list[str] = field(default_factory=list)


@dataclass
class Plan:
    today: dt.date
    channels: tuple[str, ...]
    messages: list[Message] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    unreachable: list[Unreachable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def for_channel(self, channel: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel]


# --- the rules ----------------------------------------------------------------------------

def due_soon_point(days_left: int, points: Sequence[int]) -> int | None:
    """The reminder point reached with `days_left`: the smallest point >= days_left."""
    reached = [p for p in points if p >= days_left]
    return min(reached) if reached else None


def check_rules(
    item: FlaggedItem,
    today: dt.date,
    sent: Sequence[dt.date],
    settings: ReminderSettings,
    kind: str,
) -> str | None:
    """None when the reminder is due today, else the reason (Chinese) it is skipped."""
    if today in sent:
        return M.SKIP_SENT_TODAY
    if item.overdue:
        repeat = settings.escalation_repeat_days if kind == "escalation" else settings.overdue_repeat_days
        since_deadline = [d for d in sent if item.deadline < d <= today]
        if since_deadline:
            last = max(since_deadline)
            if (today - last).days < repeat:
                return M.SKIP_REPEAT.format(last=last.isoformat(), days=repeat)
        return None
    points = settings.due_soon_points
    if not points:
        return None
    point = due_soon_point(item.days, points)
    if point is None:
        return M.SKIP_NOT_AT_POINT.format(points="、".join(str(p) for p in sorted(points, reverse=True)))
    point_day = item.deadline - dt.timedelta(days=point)
    since_point = [d for d in sent if point_day <= d <= today]
    if since_point:
        return M.SKIP_POINT_DONE.format(last=max(since_point).isoformat())
    return None


def office_contact(settings: ReminderSettings) -> Contact:
    return Contact(name=settings.office_name, section=settings.office_name, role=settings.office_name,
                   email=settings.office_email, source="config.ini [reminders]", is_office=True)


def channel_carries(channel: str, kind: str, settings: ReminderSettings) -> bool:
    """Which kinds of entries a channel carries: email all; the group robots the
    handlers' own items and forwards, escalations only with `escalation = yes`, never
    section copies (everyone in the group already sees the handlers' messages)."""
    if channel in ("email", PREVIEW_CHANNEL):
        return True
    if kind == "section":
        return False
    if kind == "escalation":
        return settings.webhook(channel).escalation
    return True


def channel_reaches(channel: str, contact: Contact | None, in_directory: bool) -> bool:
    """Can this channel address the contact? Email needs an address; a group robot posts
    to a group, which reaches anyone in the directory (mentioned when an id is known)."""
    if contact is None:
        return False
    if channel == "email":
        return bool(contact.email)
    return in_directory or contact.is_office


# --- planning -----------------------------------------------------------------------------

def plan_reminders(
    items: Iterable[FlaggedItem],
    directory: Directory,
    settings: ReminderSettings,
    log: SentHistory | None,
    today: dt.date,
) -> Plan:
    """The reminders to send today, what is skipped and why, and who cannot be reached."""
    history = log if log is not None else EmptyHistory()
    # sent today without the server's confirmation (histories that do not know: never)
    unknown = getattr(history, "delivery_unknown", None) or (lambda *args: False)
    channels = settings.enabled_channels or (PREVIEW_CHANNEL,)
    plan = Plan(today=today, channels=settings.enabled_channels)
    office = office_contact(settings)

    def reach(contact: Contact | None, kind: str) -> list[str]:
        if contact is None:
            return []
        known = contact.is_office or directory.find(contact.name) is not None
        return [c for c in channels
                if channel_carries(c, kind, settings) and channel_reaches(c, contact, known)]

    # recipient key -> (contact, {item key -> Entry})
    wanted: dict[str, tuple[Contact, dict[str, Entry]]] = {}
    unreachable: dict[tuple[str, str], Unreachable] = {}

    def add(contact: Contact, entry: Entry) -> None:
        _, entries = wanted.setdefault(contact.key, (contact, {}))
        k = item_key(entry.item)
        old = entries.get(k)
        if old is None or _PRIORITY[entry.kind] < _PRIORITY[old.kind]:
            entries[k] = entry

    def not_reachable(name: str, role: str, contact: Contact | None, item: FlaggedItem, kind: str) -> Unreachable:
        if not name:
            reason = M.UNREACHABLE_EMPTY
        elif contact is None:
            reason = M.UNREACHABLE_NOT_IN_DIRECTORY
        else:
            reason = M.UNREACHABLE_NO_ADDRESS.format(
                channels="、".join(M.CHANNEL_LABELS[c] for c in channels
                                  if channel_carries(c, kind, settings)))
        u = unreachable.setdefault((normalize_name(name), role), Unreachable(name, role, reason))
        if item not in u.items:
            u.items.append(item)
        return u

    def route(u: Unreachable, entry: Entry, candidates: list[Contact | None]) -> None:
        for target in candidates:
            if target is not None and reach(target, entry.kind):
                add(target, entry)
                if target.name not in u.routed_to:
                    u.routed_to.append(target.name)
                return

    copy_sections = {normalize_name(s) for s in settings.section_copy_sections}
    missing_heads: set[str] = set()
    for item in items:
        head = directory.section_head(item.section)
        kind = "overdue" if item.overdue else "due_soon"
        handlers = split_names(item.handler) or [""]
        handler_contacts = []
        for name in handlers:
            contact = directory.find(name) if name else None
            handler_contacts.append(contact)
            if reach(contact, kind):
                add(contact, Entry(item, kind))
                continue
            u = not_reachable(name, M.ROLE_HANDLER, contact, item, kind)
            note = M.HANDLER_UNREACHABLE.format(name=name or M.NO_NAME, reason=u.reason)
            route(u, Entry(item, "forward", note), [head, office])

        if settings.section_copy != "none" and (
                not copy_sections or normalize_name(item.section) in copy_sections):
            if head is None:
                missing_heads.add(item.section)
            elif head not in handler_contacts and reach(head, "section"):
                add(head, Entry(item, "section"))

        limit = settings.escalate_after_days
        if item.overdue and limit is not None and item.days > limit:
            for name in split_names(item.leader) or [""]:
                contact = directory.find(name) if name else None
                if reach(contact, "escalation"):
                    add(contact, Entry(item, "escalation"))
                    continue
                u = not_reachable(name, M.ROLE_LEADER, contact, item, "escalation")
                note = M.LEADER_UNREACHABLE.format(name=name or M.NO_NAME, reason=u.reason)
                route(u, Entry(item, "escalation", note), [office])

    for section in sorted(s for s in missing_heads if s):
        plan.warnings.append(M.SKIP_NO_SECTION_HEAD.format(
            section=section, roles="/".join(settings.section_head_roles)))
    plan.unreachable = list(unreachable.values())

    # apply the no-spam rules per channel and build the messages
    for contact, entries in wanted.values():
        for channel in channels:
            keep = []
            for k, entry in entries.items():
                if not channel_carries(channel, entry.kind, settings):
                    continue
                if not channel_reaches(channel, contact, True):
                    continue
                sent = () if channel == PREVIEW_CHANNEL else history.sent_dates(k, contact.key, channel)
                if channel != PREVIEW_CHANNEL and unknown(k, contact.key, channel, today):
                    reason = M.SKIP_UNKNOWN_TODAY  # may have arrived: never a blind second copy
                else:
                    reason = check_rules(entry.item, today, sent, settings, entry.kind)
                if reason is None:
                    keep.append(entry)
                else:
                    plan.skipped.append(Skip(entry.item, contact, channel, entry.kind, reason))
            if keep:
                plan.messages.append(Message(contact, channel, tuple(keep), today))

    def order(m: Message):
        kinds = {e.kind for e in m.entries}
        rank = 0 if kinds & {"overdue", "due_soon"} else 1 if "forward" in kinds else 2 \
            if "section" in kinds else 3
        return (channels.index(m.channel), m.recipient.is_office, rank, m.recipient.key)

    plan.messages.sort(key=order)
    return plan
