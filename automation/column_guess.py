"""Which config key an unmatched header most likely is, judged by its values as well as its letters.

`ledger columns` prints these suggestions as `[columns]` lines. A wrong suggestion pasted into
config.ini silently changes every figure, so a key is suggested only when the column's values
fit it, or not at all:
- a date key (assigned, deadline, replied) only for a column of dates, and a column of dates
  only for a date key;
- status, role, satisfaction, kind and reply class by their vocabularies (config's words):
  a column whose values are those words gets that key even when its header looks like nothing
  in the config;
- assigned vs deadline by which of the two columns comes first in most rows.
Pure functions of the header texts, the data rows and the config.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from automation.config import REQUIRED_COLUMNS, Config
from automation.dates import parse_date

DATE_KEYS = ("assigned", "deadline", "replied")
VOCABULARY_KEYS = ("status", "role", "satisfaction", "kind", "reply_class")
#: Share of a column's filled cells that must fit a type for the column to be of that type.
TYPE_SHARE = 0.8
#: Letter similarity a header needs when its values say nothing (an empty column, plain text).
LETTER_SCORE = 0.4
#: Excel serial numbers of 1990-01-01 and 2099-12-31: a plain number outside them is no date.
_SERIAL_RANGE = (32874, 73050)


def _is_date(value: Any, year: int) -> bool:
    if isinstance(value, (dt.date, dt.datetime)):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        number = float(value)
        if not (_SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1] or 19900101 <= number <= 20991231):
            return False
    elif not isinstance(value, str):
        return False
    return parse_date(value, year).value is not None


def _date_of(value: Any, year: int) -> dt.date | None:
    return parse_date(value, year).value if _is_date(value, year) else None


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _vocabulary_matchers(config: Config) -> dict[str, Any]:
    """For each vocabulary key, a test of one cell (exact words only: a title that merely
    contains 建议 or 办结 is not a kind or a status)."""
    from automation.ledger import normalize_value

    def words(vocabulary: dict[str, list[str]]) -> set[str]:
        return {normalize_value(word) for canonical, synonyms in vocabulary.items() for word in [canonical, *synonyms]}

    tables = {"status": words(config.statuses), "role": words(config.roles),
              "satisfaction": words(config.satisfaction), "kind": words(config.kinds)}
    letters = {letter.upper() for letter in config.reply_classes}

    def reply_class(text: str) -> bool:
        folded = normalize_value(text).upper()
        return folded in letters or (folded.endswith("类") and folded[:-1] in letters)

    matchers = {key: (lambda text, table=table: normalize_value(text) in table) for key, table in tables.items()}
    matchers["reply_class"] = reply_class
    return matchers


def column_type(values: list[Any], config: Config, year: int) -> str:
    """'date', a vocabulary key, 'text', or '' for a column with no values."""
    filled = [value for value in values if _filled(value)]
    if not filled:
        return ""
    need = TYPE_SHARE * len(filled)
    if sum(_is_date(value, year) for value in filled) >= need:
        return "date"
    texts = [str(value).strip() for value in filled]
    for key, matches in _vocabulary_matchers(config).items():
        if sum(bool(matches(text)) for text in texts) >= need:
            return key
    return "text"


def _letters(header: str, key: str, config: Config) -> float:
    from automation.ledger import normalize_header

    folded = normalize_header(header)
    if not folded:
        return 0.0
    return max(difflib.SequenceMatcher(None, normalize_header(synonym), folded).ratio()
               for synonym in config.columns[key])


def _fits(key: str, kind: str) -> bool:
    if kind == "":
        return True  # no values to judge by: the letters decide
    if key in DATE_KEYS:
        return kind == "date"
    if key in VOCABULARY_KEYS:
        return kind == key
    return kind == "text"


def date_order(rows: list[list[Any]], first: int, second: int, year: int) -> tuple[int, int]:
    """Rows where column `first` holds the earlier date, and rows where it holds the later one."""
    before = after = 0
    for row in rows:
        a = _date_of(row[first], year) if first < len(row) else None
        b = _date_of(row[second], year) if second < len(row) else None
        if a is None or b is None or a == b:
            continue
        if a < b:
            before += 1
        else:
            after += 1
    return before, after


def swapped_dates(rows: list[list[Any]], assigned: int, deadline: int, year: int) -> tuple[int, int] | None:
    """(rows with the deadline before the assigned date, rows with both dates in some order)
    when that is most of them (the two columns look swapped), else None."""
    before, after = date_order(rows, assigned, deadline, year)
    return (after, before + after) if after > before else None


def suggest_columns(headers: dict[int, str], data_rows: list[list[Any]], missing: list[str],
                    matched: dict[str, int], config: Config, year: int) -> dict[str, int]:
    """For the missing keys, the index of the unmatched column each one most likely is.

    `headers` maps the column index to the header text of every unmatched column; `matched`
    maps the keys already matched to their column index. Each column goes to one key only,
    the best (values, then letters) pairs first, required keys first on a tie."""
    pairs = []
    for index, header in headers.items():
        kind = column_type([row[index] if index < len(row) else None for row in data_rows], config, year)
        for key in missing:
            if not _fits(key, kind):
                continue
            letters = _letters(header, key, config)
            by_values = kind == key  # a vocabulary column: its words say what it is
            if not by_values and letters < LETTER_SCORE:
                continue
            pairs.append((-(letters + by_values), key not in REQUIRED_COLUMNS, index, key))
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    for _score, _optional, index, key in sorted(pairs):
        if key in chosen or index in taken:
            continue
        chosen[key] = index
        taken.add(index)
    _order_assigned_and_deadline(chosen, matched, data_rows, year)
    return {key: chosen[key] for key in missing if key in chosen}


def _order_assigned_and_deadline(chosen: dict[str, int], matched: dict[str, int], rows, year: int) -> None:
    """The assigned date comes before the deadline in most rows: swap two suggestions that say
    otherwise, and drop a suggestion that would put a matched column in the wrong order."""
    assigned = chosen.get("assigned", matched.get("assigned"))
    deadline = chosen.get("deadline", matched.get("deadline"))
    if assigned is None or deadline is None:
        return
    before, after = date_order(rows, assigned, deadline, year)
    if after <= before:
        return
    if "assigned" in chosen and "deadline" in chosen:
        chosen["assigned"], chosen["deadline"] = chosen["deadline"], chosen["assigned"]
    else:
        chosen.pop("assigned", None)
        chosen.pop("deadline", None)
