"""Real date cells read by the fast path of a date column (issue 14 point 4): a datetime of a
plausible year is its day; one of an implausible year, a text date and a blank are read by
parse_date as before (the year problem named for its cell)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from automation import messages
from automation.analysis import analyse_file
from automation.config import Config
from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, headers_of, standard_rows, write_ledger


def test_datetimes_texts_blanks_and_an_implausible_year_in_one_date_column(tmp_path: Path):
    replied_at = STANDARD_KEYS.index("replied")
    rows = standard_rows()
    # r0 a datetime with a time of day, r1 a text date, r5 a real date of 1905, r6 blank
    rows[0][replied_at] = dt.datetime(2024, 5, 20, 16, 45)
    rows[1][replied_at] = "2024年6月10日"
    rows[5][replied_at] = dt.datetime(1905, 4, 10)
    rows[6][replied_at] = None
    path = tmp_path / "dates.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), rows)
    analysis = analyse_file(path, Config(), STANDARD_TODAY)
    replied = list(analysis.ledger.items["replied"])
    assert replied[0] == dt.date(2024, 5, 20) and type(replied[0]) is dt.date
    assert replied[1] == dt.date(2024, 6, 10)
    assert replied[5] is None and replied[6] is None
    [problem] = [p for p in analysis.ledger.problems if p.message == messages.DATE_OUT_OF_RANGE]
    assert problem.row == 7 and problem.value == "1905-04-10"
