"""Working-day time limits: the official Chinese calendar (chinese-calendar) and the fallback
to weekends only, with one warning, for a year the package does not know."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar

from automation import messages
from automation.analysis import analyse_file
from automation.config import TimeLimit, parse_config
from tests.ledger_factory import write_items

D = dt.date
CONFIG = parse_config("[time_limits]\n主办 = 15个工作日\n")


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_the_official_2026_schedule_around_national_day():
    # 国务院办公厅 2026 年部分节假日安排: 中秋节 9月25日至27日放假; 国庆节 10月1日至7日放假调休,
    # 9月20日（周日）、10月10日（周六）上班. The deadlines below rely on exactly this.
    off = {D(2026, 9, 19), D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27)} | set(_days(D(2026, 10, 1), D(2026, 10, 7))) | {
        D(2026, 10, 11)}
    for day in _days(D(2026, 9, 18), D(2026, 10, 16)):
        assert chinese_calendar.is_workday(day) == (day not in off), day
    assert D(2026, 9, 20).weekday() == 6 and D(2026, 10, 10).weekday() == 5  # the two adjusted working days


def test_fifteen_working_days_across_national_day_2026(tmp_path: Path):
    assert CONFIG.time_limits["主办"] == TimeLimit(15, "workdays")
    # Assigned 2026-09-18 (Fri); working days after it:
    #   09-19 Sat off; 09-20 Sun adjusted working day = 1; 09-21..09-24 = 2..5; 09-25..27 中秋 off;
    #   09-28, 09-29, 09-30 = 6..8; 10-01..07 国庆 off; 10-08, 10-09 = 9, 10; 10-10 Sat working = 11;
    #   10-11 Sun off; 10-12..10-15 = 12..15  -> deadline 2026-10-15.
    #   (Weekends only would give 2026-10-09.)
    # Assigned 2026-09-24 (Thu): 09-28..30 = 1..3; 10-08, 09 = 4, 5; 10-10 = 6; 10-12..16 = 7..11;
    #   10-19..22 = 12..15 -> deadline 2026-10-22.
    # Assigned 2026-10-09 (Fri): 10-10 = 1; 10-12..16 = 2..6; 10-19..23 = 7..11; 10-26..29 = 12..15
    #   -> 2026-10-29.
    path = tmp_path / "workdays.xlsx"
    write_items(path, [
        {"id": "W1", "title": "一", "role": "主办", "section": "甲科", "assigned": D(2026, 9, 18)},
        {"id": "W2", "title": "二", "role": "主办", "section": "甲科", "assigned": D(2026, 9, 24)},
        {"id": "W3", "title": "三", "role": "主办", "section": "甲科", "assigned": D(2026, 10, 9)},
        {"id": "M1", "title": "四", "role": "协办", "section": "甲科", "assigned": D(2026, 9, 18)},  # 1 month: 10-18
    ])
    today = D(2026, 10, 16)
    analysis = analyse_file(path, CONFIG, today)
    deadlines = list(analysis.classified.items["deadline_effective"])
    assert deadlines == [D(2026, 10, 15), D(2026, 10, 22), D(2026, 10, 29), D(2026, 10, 18)]
    statistics = analysis.statistics
    assert [(i.id, i.days) for i in statistics.overdue_items] == [("W1", 1)]
    assert [(i.id, i.days) for i in statistics.due_soon_items] == [("M1", 2), ("W2", 6)]
    assert analysis.classified.warnings == [] and statistics.warnings == []


def test_unknown_year_falls_back_to_weekends_with_one_warning(tmp_path: Path):
    try:
        chinese_calendar.is_workday(D(2027, 1, 4))
    except NotImplementedError:
        pass
    else:  # pragma: no cover - a newer chinese-calendar knows 2027: move the test years on
        raise AssertionError("chinese-calendar now knows 2027: use a later year in this test")
    # 2027-09-17 (Fri) + 15, weekends only: 09-20..24 = 1..5, 09-27..10-01 = 6..10, 10-04..08 = 11..15
    #   -> 2027-10-08 (the real 2027 National Day is unknown to the package).
    # 2026-12-24 (Thu) + 15: 2026 is known: 12-25, 28, 29, 30, 31 = 1..5; then 2027 weekends only:
    #   01-01 (Fri) = 6, 01-04..08 = 7..11, 01-11..14 = 12..15 -> 2027-01-14.
    # 2028-02-01 (Tue) + 15: 02-02..04 = 1..3, 02-07..11 = 4..8, 02-14..18 = 9..13, 02-21, 22 = 14, 15 -> 2028-02-22.
    path = tmp_path / "future.xlsx"
    write_items(path, [
        {"id": "F1", "title": "一", "role": "主办", "section": "甲科", "assigned": D(2027, 9, 17)},
        {"id": "F2", "title": "二", "role": "主办", "section": "甲科", "assigned": D(2026, 12, 24)},
        {"id": "F3", "title": "三", "role": "主办", "section": "甲科", "assigned": D(2028, 2, 1)},
        {"id": "F4", "title": "四", "role": "主办", "section": "甲科", "assigned": D(2027, 9, 17)},
    ])
    analysis = analyse_file(path, CONFIG, D(2027, 6, 1))
    deadlines = list(analysis.classified.items["deadline_effective"])
    assert deadlines == [D(2027, 10, 8), D(2027, 1, 14), D(2028, 2, 22), D(2027, 10, 8)]
    expected = [messages.CALENDAR_YEAR_UNKNOWN.format(years="2027、2028")]
    assert analysis.classified.warnings == expected
    assert analysis.statistics.warnings == expected


def test_month_limits_never_consult_the_calendar(tmp_path: Path):
    path = tmp_path / "months.xlsx"
    write_items(path, [{"id": "M", "title": "一", "role": "主办", "section": "甲科", "assigned": D(2030, 1, 31)}])
    analysis = analyse_file(path, parse_config(""), D(2030, 3, 1))
    assert list(analysis.classified.items["deadline_effective"]) == [D(2030, 4, 30)]
    assert analysis.classified.warnings == []
