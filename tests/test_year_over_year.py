"""report --previous (issue 16): the comparison with the same date of the previous year.

This year: the eight STANDARD items on 2024-06-28 — 8 件, 办结率 4/8 = 50.0%, 按时办结率
3/(4 + 2) = 50.0%, 满意率 2/3 = 66.7%.
Last year, as of 2023-06-28 (five items, by hand):
    P1 主办 2023-01-10 → 04-10, replied 03-01: on time, 满意
    P2 主办 2023-02-01 → 05-01, replied 05-20: late, 满意
    P3 主办 2023-03-01 → 06-01, no reply: overdue
    P4 协办 2023-06-10 → 07-10: in progress
    P5 协办 2023-05-01 → 06-01, replied 05-25: on time
→ 5 件, 办结率 3/5 = 60.0%, 按时办结率 2/(3 + 1) = 50.0%, 满意率 2/2 = 100.0%.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from automation import messages
from automation.year_over_year import previous_date
from tests.ledger_factory import STANDARD_KEYS, headers_of, item, run_cli, standard_rows, write_ledger

D = dt.date
EXPECTED = ("与上年同期（2023年6月28日）相比：承办件数增加3件（上年5件）；办结率下降10.0个百分点（上年60.0%）；"
            "按时办结率持平（上年50.0%）；满意率下降33.3个百分点（上年100.0%）。")
LAST_YEAR = [
    dict(id="P1", title="上年一", role="主办", section="甲科", assigned=D(2023, 1, 10), replied=D(2023, 3, 1),
         status="已办结", satisfaction="满意"),
    dict(id="P2", title="上年二", role="主办", section="甲科", assigned=D(2023, 2, 1), replied=D(2023, 5, 20),
         status="已办结", satisfaction="满意"),
    dict(id="P3", title="上年三", role="主办", section="乙科", assigned=D(2023, 3, 1), status="办理中"),
    dict(id="P4", title="上年四", role="协办", section="乙科", assigned=D(2023, 6, 10), status="未办理"),
    dict(id="P5", title="上年五", role="协办", section="乙科", assigned=D(2023, 5, 1), replied=D(2023, 5, 25),
         status="已办结"),
]


def test_report_compares_with_the_same_date_last_year(tmp_path: Path):
    current = tmp_path / "2024年台账.xlsx"
    write_ledger(current, headers_of(STANDARD_KEYS), standard_rows(), title_rows=1)
    previous = tmp_path / "2023年台账.xlsx"
    write_ledger(previous, headers_of(STANDARD_KEYS), [item(STANDARD_KEYS, **values) for values in LAST_YEAR])
    for name in ("汇报.md", "汇报.docx"):
        result = run_cli("report", current, "--today", "2024-06-28", "--previous", previous, "-o", tmp_path / name,
                         cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert messages.YOY_WRITTEN.format(path=previous, previous="2023-06-28") in result.stdout
    markdown = (tmp_path / "汇报.md").read_text(encoding="utf-8")
    assert EXPECTED in markdown
    from docx import Document

    paragraphs = [p.text for p in Document(str(tmp_path / "汇报.docx")).paragraphs if p.text.strip()]
    at = paragraphs.index(EXPECTED)
    assert paragraphs[at + 1] == "2024年6月28日"  # before the signature (the date line)


def test_previous_date_of_a_leap_day():
    assert previous_date(D(2024, 2, 29)) == D(2023, 2, 28)
    assert previous_date(D(2024, 6, 28)) == D(2023, 6, 28)


def test_without_previous_the_report_has_no_comparison(tmp_path: Path):
    current = tmp_path / "台账.xlsx"
    write_ledger(current, headers_of(STANDARD_KEYS), standard_rows(), title_rows=1)
    result = run_cli("report", current, "--today", "2024-06-28", "-o", tmp_path / "r.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "与上年同期" not in (tmp_path / "r.md").read_text(encoding="utf-8")
