"""The report's filled sentences for small real ledgers, checked word for word.

Each ledger is a real .xlsx written with openpyxl; the figures in the expected sentences are
worked out by hand in the comments (today is 2026-06-28 throughout; 主办 = 3 months,
协办 = 1 month after 交办, as in the default config). The same sentences must appear in the Word
report, in the Markdown report and in the 统计汇总 sheet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from automation.analysis import analyse_file
from automation.config import Config
from automation.report import build_report_document, write_report
from automation.report_text import report_sentences
from automation.summary import build_summary

TODAY = dt.date(2026, 6, 28)
HEADERS = ["编号", "类别", "案由", "提案人", "办理类型", "是否重点", "承办科室", "承办人", "分管领导", "领域",
           "交办日期", "办理状态", "答复日期", "答复类别", "沟通方式", "满意度"]


def row(id, kind="政协提案", title="关于……的建议", proposer="张三", role="主办", key="否", section="产业发展科",
        handler="刘洋", leader="王建国", topic="企业创新", assigned=None, status="办理中", replied=None,
        reply_class=None, contact=None, satisfaction=None):
    return [id, kind, title, proposer, role, key, section, handler, leader, topic, assigned, status, replied,
            reply_class, contact, satisfaction]


def write_ledger(path: Path, rows: list[list]) -> Path:
    """A ledger sheet 台账 with the template's headers in row 1 and real date cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(HEADERS)
    for values in rows:
        sheet.append(values)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed by a clerk, not a formula
    book.save(path)
    return path


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the ledgers --------------------------------------------------------------------------

def no_assisting_rows():
    """Three 政协 lead items, no assisting item.
    TA1: assigned 02-10, deadline 05-10, replied 04-20 -> completed on time, A, face to face, 满意, key.
    TA2: assigned 05-20, deadline 08-20, 已初步答复 -> not completed, preliminary, not due.
    TA3: assigned 05-20, 办理中 -> in progress, not due (08-20 is 53 days away)."""
    return [
        row("TA1", title="关于加强专精特新企业培育的建议", proposer="陈海林", key="是", assigned=d("2026-02-10"),
            status="已办结", replied=d("2026-04-20"), reply_class="A", contact="见面座谈", satisfaction="满意"),
        row("TA2", assigned=d("2026-05-20"), status="已初步答复"),
        row("TA3", assigned=d("2026-05-20")),
    ]


def no_key_rows():
    """Two kinds, one assisting item, no key item, everything completed on time.
    TA1: 政协 lead, assigned 02-10 (deadline 05-10), replied 04-20, B, 电话联系 (not face to face), 基本满意.
    TA2: 政协 assisting, assigned 03-01 (deadline 04-01), replied 03-20 -> on time.
    JY3: 人大 lead, assigned 02-10 (deadline 05-10), replied 05-05, A, 实地调研 (face to face), 满意."""
    return [
        row("TA1", topic="电子商务", assigned=d("2026-02-10"), status="已办结", replied=d("2026-04-20"),
            reply_class="B", contact="电话联系", satisfaction="基本满意"),
        row("TA2", role="协办", topic="电子商务", assigned=d("2026-03-01"), status="已办结", replied=d("2026-03-20")),
        row("JY3", kind="人大建议", proposer="林晓燕", topic="矿业经济", assigned=d("2026-02-10"), status="已办结",
            replied=d("2026-05-05"), reply_class="A", contact="实地调研", satisfaction="满意"),
    ]


def late_assisting_rows():
    """Three assisting items, one of them sent late; one lead item overdue.
    TA1: lead, key, assigned 02-10 (deadline 05-10), replied 04-20 -> on time, A, 见面座谈, 满意.
    TA2: assisting, assigned 03-02 (deadline 04-02), replied 03-20 -> on time.
    TA3: assisting, assigned 03-02 (deadline 04-02), replied 04-15 -> late.
    TA4: assisting, assigned 06-10 (deadline 07-10, 12 days away) -> in progress, not due soon.
    TA5: lead, assigned 03-01 (deadline 06-01), 已初步答复 -> overdue by 27 days."""
    return [
        row("TA1", title="关于推动矿业经济转型升级的建议", proposer="陈海林", key="是", assigned=d("2026-02-10"),
            status="已办结", replied=d("2026-04-20"), reply_class="A", contact="见面座谈", satisfaction="满意"),
        row("TA2", role="协办", assigned=d("2026-03-02"), status="已办结", replied=d("2026-03-20")),
        row("TA3", role="协办", assigned=d("2026-03-02"), status="已办结", replied=d("2026-04-15")),
        row("TA4", role="协办", assigned=d("2026-06-10")),
        row("TA5", title="关于发展数字经济的建议", assigned=d("2026-03-01"), status="已初步答复"),
    ]


def sentences_of(tmp_path: Path, rows, name: str = "ledger.xlsx"):
    config = Config()
    statistics = analyse_file(write_ledger(tmp_path / name, rows), config, TODAY).statistics
    return statistics, config, report_sentences(statistics, config)


# --- exact wording --------------------------------------------------------------------------

def test_no_assisting_items(tmp_path):
    statistics, config, s = sentences_of(tmp_path, no_assisting_rows())
    assert s.opening == "今年，我局承办区政协委员提案共3件，均为主办件。"
    # completed 1 of 3 = 33.3%; on time 1 / (1 + 0 late + 0 overdue) = 100.0%; in progress 2, overdue 0
    assert s.headline == "截至2026年6月28日，共办结1件，办结率33.3%，按时办结率100.0%；正在办理2件。"
    assert s.follow_up == "办公室根据办理时限要求及时提醒承办科室，目前没有逾期未办结的事项。"
    assert s.topics == "今年我局共主办3件政协委员提案。内容主要为企业创新等。"
    assert s.key_items == "其中，陈海林委员提出的第TA1号提案《关于加强专精特新企业培育的建议》为重点提案。"
    assert s.outcome == "已办结的1件主办件中，A类1件，解决采纳率100.0%。"
    # face to face 1 / 1 lead item with a contact recorded
    assert s.communication == ("承办人员采取电话联系、见面座谈、实地调研等形式与提案人沟通，主办件面商率100.0%。"
                               "已测评1件，满意1件，满意率100.0%。")
    # no assisting part at all; 1 done, 1 preliminary, 3 - 1 - 1 = 1 still in hand
    assert s.closing == "目前，1件主办提案已办理完毕，1件主办提案已提出初步答复意见，1件主办提案正在办理。"


def test_no_key_items(tmp_path):
    statistics, config, s = sentences_of(tmp_path, no_key_rows())
    # 政协: TA1 lead + TA2 assisting; 人大: JY3 lead only (one item: "为主办件", not "均为")
    assert s.opening == ("今年，我局承办区政协委员提案共2件，其中：区政协委员提案主办件1件，区政协委员提案协办件1件；"
                         "承办区人大代表建议共1件，为主办件。")
    assert s.key_items == "今年承办的事项中没有重点提案。"
    assert s.headline == "截至2026年6月28日，共办结3件，办结率100.0%，按时办结率100.0%。"
    assert s.follow_up == "目前所有事项均已办结。"
    # topics sorted by count: 电子商务 (2), 矿业经济 (1)
    assert s.topics == "今年我局共主办（协办）3件政协委员提案和人大代表建议。内容主要为电子商务、矿业经济等。"
    # completed lead: TA1 (B), JY3 (A); zero classes (C) are left out; (1 + 1) / 2 = 100.0%
    assert s.outcome == "已办结的2件主办件中，A类1件，B类1件，解决采纳率100.0%。"
    # face to face: JY3 (实地调研) of 2 lead items with a contact = 50.0%
    assert s.communication == ("承办人员采取电话联系、见面座谈、实地调研等形式与提案人沟通，主办件面商率50.0%。"
                               "已测评2件，满意1件、基本满意1件，满意率100.0%。")
    # one assisting item ("1件协办件已按时", not "均已"); both kinds -> "主办件"
    assert s.closing == "目前，我局负责承办的1件协办件已按时呈送主办单位，2件主办件已办理完毕。"

    document = build_report_document(statistics, config)
    texts = document.texts()
    assert document.title == "2026年政协委员提案和人大代表建议办理工作情况汇报"
    assert not any(text.startswith("在重点提案办理过程中") for text in texts)  # the {%p if has_key_items %} block
    assert not any("对尚未办结的事项" in text for text in texts)  # nothing pending
    assert any(text.startswith("今年我局共主办（协办）3件") and text.endswith("今年承办的事项中没有重点提案。")
               for text in texts)


def test_assisting_item_sent_late(tmp_path):
    statistics, config, s = sentences_of(tmp_path, late_assisting_rows())
    assert s.opening == "今年，我局承办区政协委员提案共5件，其中：区政协委员提案主办件2件，区政协委员提案协办件3件。"
    # completed: TA1, TA2, TA3 = 3 of 5 = 60.0%; on time TA1, TA2 = 2; late TA3 = 1; overdue TA5 = 1
    # -> 2 / (2 + 1 + 1) = 50.0%; in progress TA4 = 1
    assert s.headline == "截至2026年6月28日，共办结3件，办结率60.0%，按时办结率50.0%；正在办理1件，已逾期1件。"
    assert s.follow_up == "办公室根据办理时限要求，对1件已逾期的事项逐件催办，督促加快办理进度。"
    # assisting: 1 on time (TA2), 1 late (TA3), 1 in progress (TA4); lead: TA1 done, TA5 preliminary
    assert s.closing == ("目前，我局负责承办的3件协办件中，1件已按时呈送主办单位，1件超期呈送，1件正在办理；"
                         "1件主办提案已办理完毕，1件主办提案已提出初步答复意见。")
    assert s.key_items == "其中，陈海林委员提出的第TA1号提案《关于推动矿业经济转型升级的建议》为重点提案。"

    document = build_report_document(statistics, config)
    texts = document.texts()
    assert any(text.startswith("在重点提案办理过程中") for text in texts)
    closing = next(text for text in texts if text.startswith("目前，"))
    assert closing == s.closing + "对尚未办结的事项，将进一步与提案人沟通对接、征求意见，确保按时高质量办结。"


def test_every_assisting_item_late_and_single(tmp_path):
    """Zero on time: no "0件已按时" piece; one item: no "均"."""
    rows = [row("TA1", role="协办", assigned=d("2026-03-02"), status="已办结", replied=d("2026-04-15"))]
    _, _, s = sentences_of(tmp_path, rows)
    assert s.opening == "今年，我局承办区政协委员提案共1件，为协办件。"
    assert s.closing == "目前，我局负责承办的1件协办件已超期呈送主办单位。"
    assert s.outcome == "承办事项均为协办件，不涉及答复类别。"
    assert s.topics == "今年我局共协办1件政协委员提案。内容主要为企业创新等。"
    # no lead item: no face-to-face rate (never "—" in a sentence) and no satisfaction to report
    assert s.communication == "承办人员采取电话联系、见面座谈、实地调研等形式与提案人沟通。"


def test_all_assisting_on_time_keeps_the_seed_wording(tmp_path):
    rows = [row(f"TA{n}", role="协办", assigned=d("2026-03-02"), status="已办结", replied=d("2026-03-20"))
            for n in range(1, 4)]
    rows.append(row("TA9", assigned=d("2026-02-10"), status="已办结", replied=d("2026-04-20"), reply_class="C"))
    _, _, s = sentences_of(tmp_path, rows)
    assert s.closing == "目前，我局负责承办的3件协办件均已按时呈送主办单位，1件主办提案已办理完毕。"
    # a class-C only outcome: (A + B) / completed lead = 0 / 1
    assert s.outcome == "已办结的1件主办件中，C类1件，解决采纳率0.0%。"


def test_year_changes_the_time_word_only_for_another_year(tmp_path):
    config = Config()
    statistics = analyse_file(write_ledger(tmp_path / "l.xlsx", no_assisting_rows()), config, TODAY).statistics
    assert report_sentences(statistics, config, 2026) == report_sentences(statistics, config)
    other = report_sentences(statistics, config, 2025)
    assert other.opening.startswith("2025年，我局承办区政协委员提案共3件")
    assert other.topics.startswith("2025年我局共主办3件")


@pytest.mark.parametrize("rows", [no_assisting_rows, no_key_rows, late_assisting_rows])
def test_same_sentences_in_summary_sheet_word_and_markdown(tmp_path, rows):
    """One code path: every sentence of the 统计汇总 sheet is in the .docx and the .md verbatim."""
    from docx import Document

    statistics, config, sentences = sentences_of(tmp_path, rows())
    summary = build_summary(statistics, config, dt.datetime(2026, 6, 28, 9, 0))
    cells = [value for block in summary.sheets[0].blocks for line in block.values for value in line]
    docx_path = write_report(statistics, config, tmp_path / "r.docx").path
    md_path = write_report(statistics, config, tmp_path / "r.md", fmt="md").path
    word_text = "\n".join(p.text for p in Document(str(docx_path)).paragraphs)
    markdown = md_path.read_text(encoding="utf-8")
    for label, sentence in sentences.as_list():
        assert sentence in cells, label
        if sentence:
            assert sentence in word_text, label
            assert sentence in markdown, label


def test_opening_without_a_kind_column_speaks_plainly():
    """A ledger with no 类别 column: no "未填写类别的事项" in the opening."""
    import datetime as dt

    from automation.analysis import analyse_grid
    from automation.config import Config
    from automation.report_text import opening_sentence

    header = ["编号", "案由", "办理类型", "承办科室", "交办日期", "办理状态", "答复日期"]
    grid = [header,
            ["TA1", "关于甲的建议", "主办", "产业发展科", dt.date(2026, 3, 1), "已办结", dt.date(2026, 5, 1)],
            ["TA2", "关于乙的建议", "协办", "产业发展科", dt.date(2026, 5, 1), "办理中", None]]
    statistics = analyse_grid(grid, "台账", Config(), dt.date(2026, 6, 28)).statistics
    assert opening_sentence(statistics, Config()) == "今年，我局承办提案建议共2件，其中：主办件1件，协办件1件。"
