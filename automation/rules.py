"""The rules of DOMAIN.md, as of a date `today` that is always passed in.

`classify` adds to the ledger's items the deadline and the flags every number is counted
from (completed, overdue, due soon, on time, ...), vectorised over the whole ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from automation import messages
from automation.config import Config
from automation.dates import WorkdayCalendar, add_limit
from automation.items import FlaggedItem
from automation.ledger import Ledger
from automation.problems import Problem, display_value


@dataclass
class Classified:
    """The items with their flags, and the problems the rules found (today-dependent)."""

    ledger: Ledger
    items: object  # pandas.DataFrame
    problems: list[Problem]
    today: dt.date
    warnings: list[str] = field(default_factory=list)

    @property
    def all_problems(self) -> list[Problem]:
        # Several sheets read as one: each sheet's problems together, in the order of the sheets.
        order = {name: index for index, name in enumerate(self.ledger.sheet_columns)}
        return sorted(self.ledger.problems + self.problems, key=lambda p: (order.get(p.sheet, 0), p.row, p.cell))


def derive_deadlines(items, config: Config, workdays: WorkdayCalendar) -> list[dt.date | None]:
    """The typed deadline, else assigned + the role's time limit (None when neither is known).
    Computed once per distinct (assigned date, role) pair and spread with numpy: a 50,000-row
    ledger has a few hundred such pairs."""
    import operator
    from itertools import repeat

    import numpy as np

    from automation.distinct import Distinct

    typed = items["deadline"].to_numpy(dtype=object)
    result = typed.copy()
    missing = np.flatnonzero(np.fromiter(map(operator.is_, typed, repeat(None)), bool, len(typed)))
    if len(missing):
        assigned = Distinct.of(items["assigned"].to_numpy(dtype=object)[missing])
        roles = Distinct.of(items["role"].to_numpy(dtype=object)[missing])
        pairs, inverse = np.unique(assigned.codes * len(roles.uniques) + roles.codes, return_inverse=True)
        derived = np.empty(len(pairs), dtype=object)
        for position, pair in enumerate(pairs.tolist()):
            start, role = assigned.uniques[pair // len(roles.uniques)], roles.uniques[pair % len(roles.uniques)]
            limit = config.time_limits.get(role) if role else None
            derived[position] = None if start is None or limit is None else add_limit(start, limit, workdays)
        result[missing] = derived[inverse.reshape(-1)]
    return result.tolist()


def _ordinals(values) -> "object":
    import numpy as np

    from automation.distinct import map_distinct

    return map_distinct(list(values), lambda v: v.toordinal() if v is not None else np.nan, float)


def _with_columns(items, added: dict[str, Any]):
    """A new frame: `items` and the `added` columns after them, joined in one step (a folder of
    units classifies 200 small ledgers, where a copy and twelve column inserts cost ~1 ms each
    time); the reader's frame is left as it was. A ColumnFrame (a folder of units) adds its own."""
    from automation.column_frame import ColumnFrame

    if isinstance(items, ColumnFrame):
        return items.with_columns(added)
    import pandas as pd

    if set(added) & set(items.columns):  # a name taken already: replaced in place, as before
        items = items.copy()
        for name, values in added.items():
            items[name] = values
        return items
    return pd.concat([items, pd.DataFrame(added, index=items.index)], axis=1)


def classify(ledger: Ledger, config: Config, today: dt.date) -> Classified:
    """Flag every item as of `today` (see DOMAIN.md 'The numbers')."""
    import numpy as np

    items = ledger.items
    workdays = WorkdayCalendar()
    deadlines = derive_deadlines(items, config, workdays)
    t = today.toordinal()
    deadline = _ordinals(deadlines)
    replied = _ordinals(items["replied"])
    has_deadline = ~np.isnan(deadline)
    has_reply = ~np.isnan(replied)
    reply_in_future = has_reply & (replied > t)
    reply_done = has_reply & (replied <= t)
    status_done = items["status"].isin(config.completed_statuses).to_numpy()
    completed = reply_done | (status_done & ~reply_in_future)
    overdue = ~completed & has_deadline & (deadline < t)
    days_to_deadline = deadline - t
    due_soon = ~completed & has_deadline & (days_to_deadline >= 0) & (days_to_deadline <= config.warn_days)
    timed = completed & reply_done & has_deadline
    on_time = timed & (replied <= deadline)
    late = timed & (replied > deadline)

    items = _with_columns(items, {
        "deadline_effective": deadlines,
        "completed": completed,
        "overdue": overdue,
        "due_soon": due_soon,
        "in_progress": ~completed & ~overdue,
        "on_time": on_time,
        "late": late,
        "has_deadline": has_deadline,
        "days_overdue": np.where(overdue, t - np.nan_to_num(deadline), 0).astype(int),
        "days_left": np.where(due_soon, np.nan_to_num(days_to_deadline), 0).astype(int),
        "is_lead": items["role"].isin(config.lead_roles).to_numpy(),
        "is_assisting": items["role"].isin(config.assisting_roles).to_numpy(),
    })

    problems = _rule_problems(ledger, items, today, reply_in_future, status_done & ~has_reply, has_deadline)
    warnings = []
    swapped = swapped_columns_warning(ledger, items)
    if swapped:
        warnings.append(swapped)
    if workdays.unknown_years:
        warnings.append(messages.CALENDAR_YEAR_UNKNOWN.format(years="、".join(map(str, sorted(workdays.unknown_years)))))
    return Classified(ledger=ledger, items=items, problems=problems, today=today, warnings=warnings)


def _rule_problems(ledger: Ledger, items, today, reply_in_future, done_without_date, has_deadline) -> list[Problem]:
    import numpy as np

    problems = []
    excel_rows = items["excel_row"].to_numpy()
    replied, status = items["replied"].to_numpy(), items["status"].to_numpy()
    typed, assigned = items["deadline"].to_numpy(), items["assigned"].to_numpy()

    sheets = items["sheet"].to_numpy() if "sheet" in items else None  # several sheets read as one

    def add(key: str, index: int, value, message: str, severity: str = "错误") -> None:
        excel_row = int(excel_rows[index])
        sheet = sheets[index] if sheets is not None else ledger.sheet
        problems.append(Problem(sheet, excel_row, ledger.header_of(key, sheet), display_value(value), message,
                                ledger.cell_of(key, excel_row, sheet), severity))

    def add_all(key: str, indices, values, message: str) -> None:
        """`add` for many rows of one sheet: the header and column letter found once, each
        distinct value shown once (a quarter of a 50,000-row ledger can carry a problem)."""
        from itertools import repeat

        from automation.distinct import map_distinct

        if not len(indices):
            return
        header, match = ledger.header_of(key), ledger.columns.get(key)
        letter = match.excel_column if match else "A"
        rows = excel_rows[indices].tolist()
        shown = map_distinct(values[indices].tolist(), display_value)
        problems.extend(map(Problem, repeat(ledger.sheet), rows, repeat(header), shown, repeat(message),
                            [f"{letter}{row}" for row in rows]))

    future = np.flatnonzero(reply_in_future)
    message = messages.REPLY_AFTER_TODAY.format(today=today.isoformat())
    if sheets is None:
        add_all("replied", future, replied, message)
    else:
        for index in future:
            add("replied", index, replied[index], message)
    for index in np.flatnonzero(done_without_date):
        add("replied", index, "", messages.COMPLETED_WITHOUT_DATE.format(status=status[index]), "警告")
    for index in np.flatnonzero(~has_deadline):
        key = "deadline" if "deadline" in ledger.columns_of(sheets[index] if sheets is not None else None) \
            else "assigned"
        value = typed[index] or assigned[index] or ""
        # With a readable assigned date, the deadline is missing because the role is blank,
        # unknown or has no time limit: say so rather than blame the assigned date.
        message = messages.NO_DEADLINE if assigned[index] is None else messages.NO_DEADLINE_NO_LIMIT
        add(key, index, value, message)
    for index in _deadline_before_assigned(typed, assigned)[0]:
        add("deadline", index, typed[index], messages.DEADLINE_BEFORE_ASSIGNED.format(
            assigned=display_value(assigned[index])))
    return problems


def _deadline_before_assigned(typed, assigned) -> tuple[list[int], int]:
    """Rows whose typed deadline is before their assigned date (DOMAIN edge rule), and the
    number of rows that have both dates. Object arrays compared element by element in C."""
    import operator
    from itertools import repeat

    import numpy as np

    typed, assigned = np.asarray(typed, dtype=object), np.asarray(assigned, dtype=object)
    count = len(typed)
    both = np.flatnonzero(np.fromiter(map(operator.is_not, typed, repeat(None)), bool, count)
                          & np.fromiter(map(operator.is_not, assigned, repeat(None)), bool, count))
    if not len(both):
        return [], 0
    before = np.fromiter(map(operator.lt, typed[both], assigned[both]), bool, len(both))
    return both[before].tolist(), len(both)


def swapped_columns_warning(ledger: Ledger, items) -> str | None:
    """When most rows with both dates have the deadline before the assigned date, the two
    columns look swapped (in the ledger or in the header matching): say so once."""
    if "deadline" not in ledger.columns or "assigned" not in ledger.columns:
        return None
    bad, both = _deadline_before_assigned(items["deadline"].to_numpy(), items["assigned"].to_numpy())
    if both and len(bad) * 2 > both:
        return messages.DEADLINES_BEFORE_ASSIGNED_WARNING.format(
            bad=len(bad), rows=both, deadline=ledger.header_of("deadline"), assigned=ledger.header_of("assigned"))
    return None


def flagged_items(classified: Classified) -> tuple[list[FlaggedItem], list[FlaggedItem]]:
    """The overdue items (most overdue first) and the due-soon items (soonest first); ties in
    the ledger's row order. Plain numpy and lists: a folder of units calls this once per small
    ledger, where pandas' per-call costs (sort_values, itertuples) outweighed the work."""
    import numpy as np

    items = classified.items
    excel_rows = items["excel_row"].to_numpy()

    def build(flag: str, days_column: str, descending: bool) -> list[FlaggedItem]:
        chosen = np.flatnonzero(items[flag].to_numpy(dtype=bool))
        days = items[days_column].to_numpy()[chosen]
        # lexsort is stable and sorts by the last key first: days, then the Excel row
        chosen = chosen[np.lexsort((excel_rows[chosen], -days if descending else days))]

        def column(name: str) -> list:
            return items[name].to_numpy()[chosen].tolist()

        sheets = column("sheet") if "sheet" in items else [classified.ledger.sheet] * len(chosen)
        return [
            FlaggedItem(id=id_, title=title, section=section, handler=handler, leader=leader, deadline=deadline,
                        days=int(day), overdue=flag == "overdue", sheet=sheet, excel_row=int(row),
                        key_item=bool(key), kind=kind or "", role=role or "")
            for id_, title, section, handler, leader, deadline, day, sheet, row, key, kind, role in zip(
                column("id"), column("title"), column("section"), column("handler"), column("leader"),
                column("deadline_effective"), column(days_column), sheets, column("excel_row"),
                column("key_item"), column("kind"), column("role"))
        ]

    return build("overdue", "days_overdue", True), build("due_soon", "days_left", False)
