"""Count: every figure of DOMAIN.md, in total and by section, role, kind and topic.

Counting is vectorised: each figure is the sum of a boolean column, summed per group with numpy
(one bincount a count); rates are derived from the sums by one function for totals and groups alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from automation import messages
from automation.config import Config
from automation.distinct import Distinct, map_distinct
from automation.dates import EMPTY_MARKERS
from automation.items import FlaggedItem
from automation.rules import Classified, flagged_items

DIMENSIONS = ("section", "role", "kind", "topic")


def count_arrays(items, config: Config) -> dict[str, Any]:
    """The boolean columns whose sums are the counts, as {count name: numpy array} (summed in
    total and per group by `compute`, and per unit by automation.units)."""
    import numpy as np

    def flags(name: str):
        return np.asarray(items[name].to_numpy(), dtype=bool)

    def equals(name: str, word: str):
        return np.asarray(items[name].to_numpy(dtype=object) == word, dtype=bool)

    lead, assisting, completed, on_time = flags("is_lead"), flags("is_assisting"), flags("completed"), flags("on_time")
    completed_lead = completed & lead
    # "无", "-", "/" ... mean no contact recorded (the same markers as a blank date)
    # (mapped once per distinct value: a contact column repeats a few words)
    contact = map_distinct(items["contact"].tolist(),
                           lambda text: text if isinstance(text, str) and text not in EMPTY_MARKERS else "")
    face_to_face = map_distinct(contact.tolist(), lambda text: any(word in text for word in config.face_to_face), bool)
    contacted_lead = lead & np.asarray(contact != "", dtype=bool)
    columns = {
        "total": np.ones(len(items), dtype=bool),
        "lead": lead,
        "assisting": assisting,
        "key_items": flags("key_item"),
        "completed": completed,
        "in_progress": flags("in_progress"),
        "overdue": flags("overdue"),
        "due_soon": flags("due_soon"),
        "on_time": on_time,
        "late": flags("late"),
        "satisfied": equals("satisfaction", "满意"),
        "basically_satisfied": equals("satisfaction", "基本满意"),
        "unsatisfied": equals("satisfaction", "不满意"),
        "contacted_lead": contacted_lead,
        "face_to_face_lead": contacted_lead & np.asarray(face_to_face, dtype=bool),
        "completed_lead": completed_lead,
        "preliminary": ~completed & equals("status", "已初步答复"),
        "assisting_on_time": assisting & on_time,
    }
    for letter in config.reply_classes:
        columns[f"class_{letter}"] = completed_lead & equals("reply_class", letter)
    return columns


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction rounded to 4 places, or None for a zero denominator (shown as '—')."""
    return round(numerator / denominator, 4) if denominator else None


def format_rate(value: float | None) -> str:
    """A rate as people read it: one decimal place, or '—' when it has no denominator."""
    return messages.NO_RATE if value is None else f"{value * 100:.1f}%"


def figures(counts: dict[str, int], config: Config) -> dict[str, Any]:
    """Counts plus every rate of DOMAIN.md, from the summed count columns of one group."""
    rated = counts["satisfied"] + counts["basically_satisfied"] + counts["unsatisfied"]
    reply_classes = {letter: counts[f"class_{letter}"] for letter in config.reply_classes}
    solved = sum(reply_classes.get(letter, 0) for letter in config.solved_classes)
    return {
        "total": counts["total"],
        "lead": counts["lead"],
        "assisting": counts["assisting"],
        "key_items": counts["key_items"],
        "completed": counts["completed"],
        "in_progress": counts["in_progress"],
        "overdue": counts["overdue"],
        "due_soon": counts["due_soon"],
        "on_time": counts["on_time"],
        "late": counts["late"],
        "completion_rate": rate(counts["completed"], counts["total"]),
        "on_time_rate": rate(counts["on_time"], counts["on_time"] + counts["late"] + counts["overdue"]),
        "rated": rated,
        "satisfied": counts["satisfied"],
        "basically_satisfied": counts["basically_satisfied"],
        "unsatisfied": counts["unsatisfied"],
        "satisfaction_rate": rate(counts["satisfied"] + counts["basically_satisfied"], rated),
        "satisfied_share": rate(counts["satisfied"], rated),
        "face_to_face_rate": rate(counts["face_to_face_lead"], counts["contacted_lead"]),
        "completed_lead": counts["completed_lead"],
        "reply_classes": reply_classes,
        "adoption_rate": rate(solved, counts["completed_lead"]),
        "preliminary": counts["preliminary"],
        "assisting_on_time": counts["assisting_on_time"],
    }


@dataclass
class Statistics:
    """Every figure as of a date, ready for the JSON contract, the sheets and the report."""

    as_of: dt.date
    totals: dict[str, Any]
    groups: dict[str, dict[str, dict[str, Any]]]
    overdue_items: list[FlaggedItem]
    due_soon_items: list[FlaggedItem]
    key_items: list[dict[str, Any]]
    problems: list
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""

    def to_json(self) -> dict[str, Any]:
        """The object of DOMAIN.md's machine-readable contract (plus a few extra keys)."""
        totals = self.totals
        return {
            "as_of": self.as_of.isoformat(),
            "sheet": self.sheet,
            "total": totals["total"],
            "by_role": {role: figures_["total"] for role, figures_ in self.groups["role"].items()},
            "key_items": totals["key_items"],
            "lead": totals["lead"],
            "assisting": totals["assisting"],
            "completed": totals["completed"],
            "in_progress": totals["in_progress"],
            "overdue": totals["overdue"],
            "due_soon": totals["due_soon"],
            "on_time": totals["on_time"],
            "late": totals["late"],
            "completion_rate": totals["completion_rate"],
            "on_time_rate": totals["on_time_rate"],
            "satisfaction_rate": totals["satisfaction_rate"],
            "satisfied_share": totals["satisfied_share"],
            "rated": totals["rated"],
            "satisfied": totals["satisfied"],
            "basically_satisfied": totals["basically_satisfied"],
            "unsatisfied": totals["unsatisfied"],
            "face_to_face_rate": totals["face_to_face_rate"],
            "reply_classes": totals["reply_classes"],
            "adoption_rate": totals["adoption_rate"],
            "by_section": self.groups["section"],
            "by_kind": self.groups["kind"],
            "by_topic": self.groups["topic"],
            "by_role_detail": self.groups["role"],
            "overdue_items": [_item_json(item, "days_overdue") for item in self.overdue_items],
            "due_soon_items": [_item_json(item, "days_left") for item in self.due_soon_items],
            "problems": [problem.to_json() for problem in self.problems],
            # Over several units' files only (automation.units): the figures of each unit.
            **({"by_unit": self.groups["unit"]} if "unit" in self.groups else {}),
            # Only when there is something to say (e.g. other sheets match too): no key otherwise.
            **({"warnings": list(self.warnings)} if self.warnings else {}),
        }


def _item_json(item: FlaggedItem, days_key: str) -> dict[str, Any]:
    if item.file:  # several units' files counted as one (one literal: a folder lists ~10,000 items)
        return {"id": item.id, "title": item.title, "section": item.section, "handler": item.handler,
                "leader": item.leader, "deadline": item.deadline.isoformat(), days_key: item.days,
                "row": item.excel_row, "unit": item.unit, "file": item.file, "sheet": item.sheet}
    return {
        "id": item.id, "title": item.title, "section": item.section, "handler": item.handler,
        "leader": item.leader, "deadline": item.deadline.isoformat(), days_key: item.days, "row": item.excel_row,
    }


def group_label(value: Any) -> str:
    return value if isinstance(value, str) and value else messages.BLANK_VALUE


def compute(classified: Classified, config: Config) -> Statistics:
    """All statistics for a classified ledger (its items a DataFrame or plain numpy columns)."""
    import numpy as np

    items = classified.items
    counts = count_arrays(items, config)
    names = list(counts)
    matrix = np.empty((len(items), len(names)), dtype=np.int64)
    for position, column in enumerate(counts.values()):
        matrix[:, position] = column
    totals = figures(dict(zip(names, matrix.sum(axis=0).tolist())), config)
    groups = {dimension: _grouped(items[dimension].tolist(), matrix, names, config) for dimension in DIMENSIONS}
    overdue, due_soon = flagged_items(classified)
    return Statistics(
        as_of=classified.today, totals=totals, groups=groups, overdue_items=overdue, due_soon_items=due_soon,
        key_items=key_items(classified), problems=classified.all_problems, warnings=classified.warnings,
        sheet=classified.ledger.sheet,
    )


def _grouped(values: list[Any], matrix, names: list[str], config: Config) -> dict[str, dict[str, Any]]:
    """{group label: figures} with the groups in the order their label first occurs in the
    ledger (blank and None both read （未填写）): each distinct value is labelled once, and
    each count summed per label with one bincount."""
    import numpy as np

    column = Distinct.of(values)
    labelled = Distinct.of([group_label(value) for value in column.uniques])
    codes = labelled.codes[column.codes]
    label_count = len(labelled.uniques)
    first_rows = np.full(label_count, len(codes), dtype=np.int64)
    np.minimum.at(first_rows, codes, np.arange(len(codes)))
    order = np.argsort(first_rows, kind="stable").tolist()
    sums = np.empty((label_count, len(names)), dtype=np.int64)
    for position in range(len(names)):
        sums[:, position] = np.bincount(codes, weights=matrix[:, position], minlength=label_count)
    rows = sums.tolist()
    return {str(labelled.uniques[code]): figures(dict(zip(names, rows[code])), config)
            for code in order if first_rows[code] < len(codes)}


def key_items(classified: Classified) -> list[dict[str, Any]]:
    """The key proposals (重点提案) in ledger order, with their state in words (plain column
    lists: a folder of units calls this once per small ledger)."""
    import numpy as np

    items = classified.items
    chosen = np.flatnonzero(np.asarray(items["key_item"].to_numpy(dtype=object), dtype=bool))
    if not len(chosen):
        return []

    def column(name: str) -> list[Any]:
        return items[name].to_numpy()[chosen].tolist()

    sheets = column("sheet") if "sheet" in items else [classified.ledger.sheet] * len(chosen)
    flags = zip(column("completed"), column("overdue"), column("due_soon"), column("status"))
    return [
        {"id": id_, "title": title, "proposer": proposer, "section": section, "kind": kind, "handler": handler,
         "status": _status_text(*state), "deadline": deadline, "replied": replied, "row": int(row), "sheet": sheet}
        for id_, title, proposer, section, kind, handler, state, deadline, replied, row, sheet in zip(
            column("id"), column("title"), column("proposer"), column("section"), column("kind"), column("handler"),
            flags, column("deadline_effective"), column("replied"), column("excel_row"), sheets)
    ]


def _status_text(completed: bool, overdue: bool, due_soon: bool, status: str | None) -> str:
    """A key item's state in words: its status as typed, refined by the flags."""
    if completed:
        return status or "已办结"
    if overdue:
        return "已逾期"
    if due_soon:
        return "即将到期"
    return status or "办理中"
