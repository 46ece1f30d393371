"""Which texts a spreadsheet would not keep as text when they are assigned to a cell.

Excel parses a string assigned to ``Range.Value`` / ``Range.Value2`` as if it were typed into
the cell, and WPS 表格, whose JSA object model is Excel's, does the same: ``007`` becomes 7,
``2026-3-5`` and ``3月5日`` dates, ``TRUE`` a truth value, ``#N/A`` an error, ``=...`` a
formula (DESIGN.md invariant 6). Such a text is sent with the text prefix, an apostrophe,
which neither application stores as part of the value (it shows as ``Range.PrefixCharacter``,
declared read-only in Kingsoft's lib.et.d.ts; Kingsoft's JSA reference shows
``Range("C3").Value2 = "'test1"`` giving the prefix character).

One rule for every live writer: the xlwings writer (live_writer.py) prefixes these texts
itself, and the service marks them for the WPS add-in (service.render_block, "text_cells").
Prefixing a text that would have stayed text anyway costs nothing (the prefix is not stored),
so the rule errs on the side of prefixing.
"""

from __future__ import annotations

import re
from typing import Any

#: Excel's text prefix: not stored, it only says "what follows is text".
TEXT_PREFIX = "'"
#: A text starting with one of these would be a formula; one starting with the prefix itself
#: would lose it (Excel takes the first apostrophe as the prefix).
PREFIX_STARTS = ("=", "+", "-", "@", TEXT_PREFIX)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: Text (without its surrounding blanks) that Excel or WPS would turn into a number, date, time,
#: truth value or error: numbers in any form (001, 1,234, 1e5, 12%, $12, ¥12, (12) for -12,
#: full-width digits), dates and times (2026-3-5, 3/5, 2026.3.5, 2026年3月5日, 3月5日, 12:30,
#: 8时30分, 3:00 PM, 下午3:00, 5-Jan, Jan 2026), TRUE/FALSE, and the error literals.
RETYPED_TEXT = re.compile(
    r"[+\-]?[$¥￥(]*[+\-]?\.?\d[\d\s.,，:：/%\-+e年月日时分秒点号$¥￥()]*"
    r"|(?:上午|下午)\s*\d[\d:：\s]*"
    r"|\d{1,2}(?::\d{2}){0,2}\s*[ap]\.?m?\.?"
    rf"|\d{{1,2}}[-/ ]?{_MONTH}(?:[-/ ,]+\d{{1,4}})?"
    rf"|{_MONTH}[-/ ]?\d{{1,4}}(?:[-/ ,]+\d{{1,4}})?"
    r"|true|false"
    r"|#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|SPILL!|CALC!|GETTING_DATA)",
    re.IGNORECASE,
)


def needs_text_prefix(value: Any) -> bool:
    """Whether `value` is a text that Excel or WPS would not keep as the same text when it is
    assigned to a cell (so it must be sent with the text prefix). Not a text: False."""
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(PREFIX_STARTS):
        return True
    # Blanks around a number or date are dropped when it is parsed (" 12 " becomes 12); the
    # ideographic space U+3000 too (str.strip removes it).
    return RETYPED_TEXT.fullmatch(value.strip()) is not None


def with_text_prefix(value: Any) -> Any:
    """`value` as it is assigned to a cell: a text that would be re-typed gets the prefix."""
    return TEXT_PREFIX + value if needs_text_prefix(value) else value
