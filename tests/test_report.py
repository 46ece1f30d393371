"""`ledger report`: the Word/Markdown report draft, its figures, its format and its template."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt

from automation import messages as m
from automation import report
from automation.analysis import analyse_file
from automation.config import Config, parse_config
from automation.ledger import read_ledger
from automation.problems import LedgerError
from automation.report import (DEFAULT_TEMPLATE, Heading, Paragraph, Table, build_report_document, filter_year,
                               md_escape, write_report)
from tests.test_report_sentences import d, late_assisting_rows, row, write_ledger

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "examples" / "sample_ledger.xlsx"
TODAY = dt.date(2026, 6, 28)


def run_cli(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
    return subprocess.run([sys.executable, "-m", "automation", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd or PROJECT, env=env, timeout=300)


def all_text(document) -> str:
    """Every piece of text a reader could see: body paragraphs, table cells, headers, footers,
    and the document properties."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for table_row in table.rows for cell in table_row.cells]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            parts += [p.text for p in part.paragraphs]
    properties = document.core_properties
    parts += [properties.title or "", properties.subject or "", properties.comments or ""]
    return "\n".join(parts)


# --- the sample ledger, through the command line ------------------------------------------

@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    target = folder / "汇报.docx"
    result = run_cli("report", SAMPLE, "--today", "2026-06-28", "--output", target)
    assert result.returncode == 0, result.stderr
    stats = run_cli("stats", SAMPLE, "--today", "2026-06-28", "--json")
    assert stats.returncode == 0, stats.stderr
    return Document(str(target)), json.loads(stats.stdout), result


def role_sum(figures: dict, roles, key: str) -> int:
    return sum(figures[role][key] for role in roles if role in figures)


def test_sample_opening_figures_equal_the_statistics(sample_report):
    document, stats, _ = sample_report
    opening = next(p.text for p in document.paragraphs if p.text.startswith("今年，我局承办"))
    found = 0
    for kind, noun in (("政协提案", "区政协委员提案"), ("人大建议", "区人大代表建议")):
        match = re.search(rf"承办{noun}共(\d+)件，其中：{noun}主办件(\d+)件，{noun}协办件(\d+)件", opening)
        assert match, (kind, opening)
        figures = stats["by_kind"][kind]
        assert [int(g) for g in match.groups()] == [figures["total"], figures["lead"], figures["assisting"]]
        found += figures["total"]
    assert found == stats["total"] == 60


def test_sample_closing_figures_equal_the_statistics(sample_report):
    document, stats, _ = sample_report
    closing = next(p.text for p in document.paragraphs if p.text.startswith("目前，"))
    match = re.match(r"目前，我局负责承办的(\d+)件协办件中，(\d+)件已按时呈送主办单位，(\d+)件超期呈送，"
                     r"(\d+)件已呈送但未填写送达日期，(\d+)件正在办理；(\d+)件主办件已办理完毕，"
                     r"(\d+)件主办件已提出初步答复意见，(\d+)件主办件正在办理。", closing)
    assert match, closing
    roles = stats["by_role_detail"]
    lead_roles, assisting_roles = ("主办", "会办", "分办"), ("协办",)
    assisting = role_sum(roles, assisting_roles, "total")
    done = role_sum(roles, assisting_roles, "completed")
    on_time = role_sum(roles, assisting_roles, "assisting_on_time")
    late = role_sum(roles, assisting_roles, "late")
    lead = role_sum(roles, lead_roles, "total")
    lead_done = role_sum(roles, lead_roles, "completed")
    preliminary = role_sum(roles, lead_roles, "preliminary")
    expected = [assisting, on_time, late, done - on_time - late, assisting - done,
                lead_done, preliminary, lead - lead_done - preliminary]
    assert [int(g) for g in match.groups()] == expected
    assert assisting == stats["assisting"] and lead == stats["lead"]
    assert lead_done == sum(stats["reply_classes"].values())  # every completed lead item has its class


def test_sample_headline_outcome_and_communication_figures(sample_report):
    document, stats, _ = sample_report
    text = "\n".join(p.text for p in document.paragraphs)
    pct = lambda value: f"{value * 100:.1f}%"  # noqa: E731
    assert (f"共办结{stats['completed']}件，办结率{pct(stats['completion_rate'])}，按时办结率{pct(stats['on_time_rate'])}；"
            f"正在办理{stats['in_progress']}件，已逾期{stats['overdue']}件。") in text
    classes = "，".join(f"{letter}类{count}件" for letter, count in stats["reply_classes"].items())
    assert f"主办件中，{classes}，解决采纳率{pct(stats['adoption_rate'])}。" in text
    assert (f"已测评{stats['rated']}件，满意{stats['satisfied']}件、基本满意{stats['basically_satisfied']}件、"
            f"不满意{stats['unsatisfied']}件，满意率{pct(stats['satisfaction_rate'])}。") in text
    assert f"主办件面商率{pct(stats['face_to_face_rate'])}" in text
    assert f"对{stats['due_soon']}件7天内到期的事项及时提醒承办科室，对{stats['overdue']}件已逾期的事项逐件催办" in text


def test_sample_key_proposals_listed_by_number_title_and_proposer(sample_report):
    document, stats, _ = sample_report
    statistics = analyse_file(SAMPLE, Config(), TODAY).statistics
    assert len(statistics.key_items) == stats["key_items"] == 3
    text = "\n".join(p.text for p in document.paragraphs)
    paragraph = next(p.text for p in document.paragraphs if "重点提案3件" in p.text)
    for item in statistics.key_items:
        assert f"{item['proposer']}委员提出的第{item['id']}号提案《{item['title']}》" in paragraph
    assert "在重点提案办理过程中" in text


def test_sample_has_no_star_or_unfilled_placeholder(sample_report):
    document, _, _ = sample_report
    text = all_text(document)
    for leftover in ("*", "{{", "}}", "{%", "%}", "—%", "None", "nan"):
        assert leftover not in text, leftover
    assert document.paragraphs[0].text == "2026年政协委员提案和人大代表建议\n办理工作情况汇报"  # two lines
    assert document.paragraphs[0].style.name == "Title"


def test_sample_appendix_tables_and_chart(sample_report):
    document, stats, _ = sample_report
    sections, overdue = document.tables
    header = [cell.text for cell in sections.rows[0].cells]
    assert header == ["序号", "承办科室", "总件数", "已办结", "办理中", "已逾期", "即将到期", "办结率", "按时办结率"]
    body = [[cell.text for cell in table_row.cells] for table_row in sections.rows[1:]]
    assert [line[1] for line in body[:-1]] == list(stats["by_section"])
    for line in body[:-1]:
        figures = stats["by_section"][line[1]]
        assert [int(v) for v in line[2:7]] == [figures[k] for k in ("total", "completed", "in_progress", "overdue",
                                                                    "due_soon")]
        # completed + in progress + overdue = total: the chart's stacked bars add up
        assert int(line[3]) + int(line[4]) + int(line[5]) == int(line[2])
    assert body[-1][1] == "合计" and int(body[-1][2]) == stats["total"]
    overdue_ids = [table_row.cells[0].text for table_row in overdue.rows[1:]]
    assert overdue_ids == [item["id"] for item in stats["overdue_items"]]
    assert [int(table_row.cells[6].text) for table_row in overdue.rows[1:]] == [
        item["days_overdue"] for item in stats["overdue_items"]]
    assert len(document.inline_shapes) == 1  # the progress chart
    texts = [p.text for p in document.paragraphs]
    assert m.REPORT_APPENDIX in texts and m.REPORT_CHART_CAPTION in texts


def test_sample_cli_prints_where_and_the_figures(sample_report):
    _, stats, result = sample_report
    assert "已生成办理情况汇报" in result.stdout
    assert f"合计 {stats['total']} 件" in result.stdout
    assert result.stderr == ""  # a Chinese font is found here: no notice


# --- official format ----------------------------------------------------------------------

def style_fonts(style) -> dict[str, str]:
    from docx.oxml.ns import qn

    fonts = style.element.rPr.find(qn("w:rFonts"))
    return {name: fonts.get(qn("w:" + name)) for name in ("ascii", "hAnsi", "eastAsia")}


def test_official_document_format(tmp_path):
    config = Config()
    statistics = analyse_file(SAMPLE, config, TODAY).statistics
    document = Document(str(write_report(statistics, config, tmp_path / "r.docx").path))
    section = document.sections[0]
    mm = lambda length: round(length.mm, 1)  # noqa: E731 - Word stores twips
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)] == [
        37, 35, 28, 26]
    styles = document.styles
    assert style_fonts(styles["Normal"])["eastAsia"] == "仿宋_GB2312"
    assert styles["Normal"].font.size == Pt(16)
    assert styles["Normal"].paragraph_format.first_line_indent == Pt(32)
    assert style_fonts(styles["Title"])["eastAsia"] == "方正小标宋简体"
    assert styles["Title"].font.size == Pt(22)
    assert style_fonts(styles["Heading 1"])["eastAsia"] == "黑体"
    assert styles["Heading 1"].font.bold is False
    assert style_fonts(styles["Heading 2"])["eastAsia"] == "楷体"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、强化组织领导，明确工作责任", "二、坚持问题导向，提高办理质量", "三、加强沟通协调，确保办理效果"]
    signature = [p for p in document.paragraphs if p.style.name == "落款"]
    assert [p.text for p in signature] == ["2026年6月28日"]
    footer = "".join(p.text for p in section.footer.paragraphs)
    assert footer.startswith("— ") and footer.endswith(" —")  # — page number —
    with zipfile.ZipFile(tmp_path / "r.docx") as package:
        fonts = package.read("word/fontTable.xml").decode("utf-8")
        styles_xml = package.read("word/styles.xml").decode("utf-8")
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
    assert 'w:eastAsia="zh-CN"' in styles_xml


def test_shipped_template_matches_its_definition(tmp_path):
    """automation/templates/report_template.docx is what `write_default_template` builds from
    messages.REPORT_TEMPLATE_PARAGRAPHS (regenerate it after changing either)."""
    rebuilt = Document(str(report.write_default_template(tmp_path / "t.docx")))
    shipped = Document(str(DEFAULT_TEMPLATE))
    as_list = lambda doc: [(p.style.name, p.text) for p in doc.paragraphs]  # noqa: E731
    assert as_list(shipped) == as_list(rebuilt) == [tuple(pair) for pair in m.REPORT_TEMPLATE_PARAGRAPHS]
    for name in report.OFFICIAL_STYLES:
        assert style_fonts(shipped.styles[name]) == style_fonts(rebuilt.styles[name]), name
    prose = "\n".join(text for _, text in m.REPORT_TEMPLATE_PARAGRAPHS)
    names = set(re.findall(r"\{\{ (\w+) \}\}|\{%p? if (\w+) %\}", prose))
    used = {a or b for a, b in names}
    assert used <= set(m.REPORT_PLACEHOLDERS)
    statistics = analyse_file(SAMPLE, Config(), TODAY).statistics
    assert set(report.template_context(statistics, Config())) == set(m.REPORT_PLACEHOLDERS)  # documented = given


# --- one model, two renderings ------------------------------------------------------------

def test_markdown_and_word_render_the_same_model(tmp_path):
    config = Config()
    statistics = analyse_file(SAMPLE, config, TODAY).statistics
    model = build_report_document(statistics, config)
    docx = Document(str(write_report(statistics, config, tmp_path / "r.docx").path))
    result = write_report(statistics, config, tmp_path / "r.md", fmt="md")
    markdown = result.path.read_text(encoding="utf-8")

    word_paragraphs = [p.text for p in docx.paragraphs if p.text.strip()]
    assert word_paragraphs == model.texts()
    for block in model.blocks:
        if isinstance(block, Heading):
            assert f"{'#' * (block.level + 1)} {md_escape(block.text.replace(chr(10), ''))}\n" in markdown
        elif isinstance(block, Paragraph):
            assert md_escape(block.text) in markdown
        elif isinstance(block, Table):
            for table_row in block.rows:
                assert "| " + " | ".join(md_escape(v, cell=True) for v in table_row) + " |" in markdown
    assert markdown.startswith("# 2026年政协委员提案和人大代表建议办理工作情况汇报\n")
    assert "## 一、强化组织领导，明确工作责任" in markdown
    assert [image.name for image in result.images] == ["r_progress.png"]
    assert result.images[0].read_bytes().startswith(b"\x89PNG")
    assert "![各科室办理进度](r_progress.png)" in markdown
    assert "{{" not in markdown and "*" not in markdown


def test_cli_markdown_by_suffix_and_by_option(tmp_path):
    result = run_cli("report", SAMPLE, "--today", "2026-06-28", "-o", tmp_path / "a.md")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.md").read_text(encoding="utf-8").startswith("# 2026年")
    assert (tmp_path / "a_progress.png").exists()
    result = run_cli("report", SAMPLE, "--today", "2026-06-28", "-o", tmp_path / "b.markdown", "--format", "md")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "b.markdown").read_text(encoding="utf-8").startswith("# 2026年")
    # Any other name is refused (issue 17): a report is a .docx or .md file, never a workbook.
    result = run_cli("report", SAMPLE, "--today", "2026-06-28", "-o", tmp_path / "b.txt", "--format", "md")
    assert result.returncode == 2 and ".docx" in result.stderr and not (tmp_path / "b.txt").exists()


def test_ledger_values_are_text_everywhere(tmp_path):
    rows = [row("TA1", title='=HYPERLINK("x")<b>&"引号"</b>|*重点*', proposer="@王五", key="是",
                assigned=d("2026-02-10"), status="已办结", replied=d("2026-04-20"), reply_class="A"),
            row("TA2", title="- 1. # 标题", assigned=d("2026-03-01"))]  # overdue: listed in the appendix
    config = Config()
    statistics = analyse_file(write_ledger(tmp_path / "l.xlsx", rows), config, TODAY).statistics
    docx = Document(str(write_report(statistics, config, tmp_path / "r.docx").path))
    text = all_text(docx)
    assert '@王五委员提出的第TA1号提案《=HYPERLINK("x")<b>&"引号"</b>|*重点*》为重点提案。' in text
    assert "- 1. # 标题" in [table_row.cells[1].text for table_row in docx.tables[1].rows]
    markdown = write_report(statistics, config, tmp_path / "r.md", fmt="md").path.read_text(encoding="utf-8")
    assert r'《=HYPERLINK("x")\<b\>&"引号"\</b\>\|\*重点\*》' in markdown
    assert "| TA2 | - 1. # 标题 |" in markdown


# --- --year ------------------------------------------------------------------------------

def two_year_rows():
    """2025: TA1 (assigned 2025-03-01), TA2 (no assigned date, typed deadline not in the sheet ->
    see below). 2026: TA3, TA4. TA5 has no date at all."""
    return [
        row("TA1", assigned=d("2025-03-01"), status="已办结", replied=d("2025-05-01"), reply_class="A"),
        row("TA2", role="协办", assigned=d("2025-11-20"), status="已办结", replied=d("2025-12-01")),
        row("TA3", assigned=d("2026-02-10"), status="已办结", replied=d("2026-04-20"), reply_class="B"),
        row("TA4", role="协办", assigned=d("2026-06-10")),
        row("TA5", assigned=None),
    ]


def test_filter_year_is_pure_and_keeps_the_years_items(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", two_year_rows())
    config = Config()
    ledger = read_ledger(path, config, TODAY)
    kept = filter_year(ledger, 2025)
    assert list(kept.items["id"]) == ["TA1", "TA2"]
    assert list(ledger.items["id"]) == ["TA1", "TA2", "TA3", "TA4", "TA5"]  # the input is unchanged
    assert list(filter_year(ledger, 2026).items["id"]) == ["TA3", "TA4"]
    assert filter_year(ledger, 2024).items.empty
    # TA5's problem (no deadline) belongs to no year
    assert all(problem.row in (2, 3) for problem in kept.problems)


def test_filter_year_uses_the_deadline_without_an_assigned_date(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "案由", "办理类型", "承办科室", "交办日期", "办理时限"])
    sheet.append(["TA1", "关于甲的建议", "主办", "科一", None, dt.date(2025, 12, 31)])
    sheet.append(["TA2", "关于乙的建议", "主办", "科一", dt.date(2026, 1, 5), dt.date(2025, 12, 31)])
    book.save(tmp_path / "l.xlsx")
    ledger = read_ledger(tmp_path / "l.xlsx", Config(), TODAY)
    assert list(filter_year(ledger, 2025).items["id"]) == ["TA1"]  # TA2 was assigned in 2026
    assert list(filter_year(ledger, 2026).items["id"]) == ["TA2"]


def test_cli_year_counts_only_that_years_items(tmp_path):
    path = write_ledger(tmp_path / "l.xlsx", two_year_rows())
    result = run_cli("report", path, "--today", "2026-06-28", "--year", "2025", "-o", tmp_path / "r.docx")
    assert result.returncode == 0, result.stderr
    assert "按 2025 年统计：计入 2 件，未计入 3 件" in result.stdout
    assert "其中 1 件没有可识别的交办日期或办理时限" in result.stdout
    document = Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "2025年政协委员提案\n办理工作情况汇报"
    # TA1 (lead) + TA2 (assisting) only; the report is about 2025, written in 2026: "2025年", not "今年"
    assert texts[1].startswith("2025年，我局承办区政协委员提案共2件，其中：区政协委员提案主办件1件，区政协委员提案协办件1件。"
                               "为切实做好2025年政协委员提案办理工作")
    assert "目前，我局负责承办的1件协办件已按时呈送主办单位，1件主办提案已办理完毕。" in texts

    result = run_cli("report", path, "--today", "2026-06-28", "--year", "2024", "-o", tmp_path / "none.docx")
    assert result.returncode == 2
    assert m.REPORT_YEAR_EMPTY.format(year=2024) in result.stderr
    assert not (tmp_path / "none.docx").exists()


# --- the template the office edits --------------------------------------------------------

def write_custom_template(path: Path, extra: str = "") -> Path:
    document = Document()
    document.add_paragraph("{{ year }}年办理情况（{{ office }}）", style="Title")
    paragraph = document.add_paragraph()
    for piece in ("{{ open", "ing }}", "另起：", "{{ closing }}"):  # a placeholder split across runs
        paragraph.add_run(piece)
    document.add_paragraph("{%p if not has_key_items %}")
    document.add_paragraph("本年度无重点提案。")
    document.add_paragraph("{%p endif %}")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "内容"
    table.cell(1, 0).text, table.cell(1, 1).text = "统计日期", "{{ date }}"
    if extra:
        document.add_paragraph(extra)
    document.save(path)
    return path


def test_config_template_is_used(tmp_path):
    write_custom_template(tmp_path / "我的模板.docx")
    (tmp_path / "config.ini").write_text("[ledger]\noffice_name = 区经信局\n[report]\ntemplate = 我的模板.docx\n",
                                         encoding="utf-8")
    path = write_ledger(tmp_path / "l.xlsx", late_assisting_rows())
    result = run_cli("report", path, "--today", "2026-06-28", "-o", tmp_path / "r.docx")
    assert result.returncode == 0, result.stderr
    document = Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == "2026年办理情况（区经信局）"
    assert texts[1].startswith("今年，区经信局承办区政协委员提案共5件") and "另起：目前，区经信局负责承办的3件协办件中" in texts[1]
    assert "本年度无重点提案。" not in texts  # TA1 is a key item
    assert [[c.text for c in r.cells] for r in document.tables[0].rows][1] == ["统计日期", "2026年6月28日"]
    assert len(document.tables) == 3  # the template's table, then the appendix's two
    assert "Heading 1" in [s.name for s in document.styles]  # the styles the report needs were added


def test_template_with_unknown_placeholder_is_refused_clearly(tmp_path):
    config = parse_config(f"[report]\ntemplate = {write_custom_template(tmp_path / 't.docx', '{{ openning }}')}\n")
    statistics = analyse_file(write_ledger(tmp_path / "l.xlsx", late_assisting_rows()), config, TODAY).statistics
    with pytest.raises(LedgerError) as error:
        write_report(statistics, config, tmp_path / "r.docx")
    assert "{{ openning }} 不存在" in error.value.message and "{{ opening }}" in error.value.message
    assert not (tmp_path / "r.docx").exists()


def test_template_with_bad_syntax_or_missing_or_not_docx(tmp_path):
    statistics = analyse_file(write_ledger(tmp_path / "l.xlsx", late_assisting_rows()), Config(), TODAY).statistics
    bad = write_custom_template(tmp_path / "bad.docx", "{% if %}")
    with pytest.raises(LedgerError, match="占位符写法有误"):
        write_report(statistics, parse_config(f"[report]\ntemplate = {bad}\n"), tmp_path / "r.docx")
    with pytest.raises(LedgerError, match="找不到汇报模板"):
        write_report(statistics, parse_config("[report]\ntemplate = /nonexistent/t.docx\n"), tmp_path / "r.docx")
    (tmp_path / "fake.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(LedgerError, match="无法打开"):
        write_report(statistics, parse_config(f"[report]\ntemplate = {tmp_path / 'fake.docx'}\n"), tmp_path / "r.docx")
    with pytest.raises(LedgerError, match="不支持的汇报格式"):
        write_report(statistics, Config(), tmp_path / "r.pdf", fmt="pdf")


def test_cli_template_error_exits_2(tmp_path):
    write_custom_template(tmp_path / "t.docx", "{{ nosuch }}")
    (tmp_path / "config.ini").write_text("[report]\ntemplate = t.docx\n", encoding="utf-8")
    path = write_ledger(tmp_path / "l.xlsx", late_assisting_rows())
    result = run_cli("report", path, "--today", "2026-06-28", "-o", tmp_path / "r.docx")
    assert result.returncode == 2
    assert result.stderr.startswith("错误：汇报模板") and "{{ nosuch }} 不存在" in result.stderr
    assert "Traceback" not in result.stderr


# --- the chart font ------------------------------------------------------------------------

def test_cjk_font_is_found_among_installed_fonts():
    from matplotlib import font_manager

    names = {entry.name for entry in font_manager.fontManager.ttflist}
    if not any("CJK" in name or "WenQuanYi" in name for name in names):
        pytest.skip("no CJK font installed (install fonts-noto-cjk)")
    assert report.find_cjk_font() in names


def test_without_cjk_font_the_chart_uses_ascii_labels_and_says_so_once(tmp_path, monkeypatch):
    monkeypatch.setattr(report.chart, "find_cjk_font", lambda: None)  # draw_chart looks it up there
    config = Config()
    statistics = analyse_file(SAMPLE, config, TODAY).statistics
    result = write_report(statistics, config, tmp_path / "r.docx")
    assert result.notices == [m.REPORT_NO_CJK_FONT]
    texts = [p.text for p in Document(str(result.path)).paragraphs]
    assert m.REPORT_CHART_ASCII_NOTE in texts
    result = write_report(statistics, config, tmp_path / "r.md", fmt="md")
    assert result.notices == [m.REPORT_NO_CJK_FONT]


def test_chart_draws_with_chinese_labels_without_missing_glyph_warnings(recwarn):
    if report.find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    statistics = analyse_file(SAMPLE, Config(), TODAY).statistics
    chart = next(b for b in report.appendix_blocks(statistics) if isinstance(b, report.StackedBarChart))
    png, ascii_only = report.draw_chart(chart)
    assert png.startswith(b"\x89PNG") and not ascii_only
    assert not [w for w in recwarn if "missing from" in str(w.message) or "Glyph" in str(w.message)]


# --- writing -------------------------------------------------------------------------------

def test_write_report_keeps_the_excel_button_signature_and_writes_atomically(tmp_path):
    config = Config()
    statistics = analyse_file(SAMPLE, config, TODAY).statistics
    target = tmp_path / "sub" / "办理情况汇报_20260628.docx"
    result = write_report(statistics, config, target)  # as automation/excel.py calls it
    assert result.path == target and zipfile.is_zipfile(target)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left
    before = target.read_bytes()
    write_report(statistics, config, target)  # a draft the clerk may have edited is kept as a backup
    backups = list((target.parent / ".ledger_backups").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == before
    before = target.read_bytes()
    (target.parent / ("~$" + target.name[2:])).write_text("owner", encoding="utf-8")  # open in Word
    with pytest.raises(LedgerError, match="正在 Word/WPS 中打开"):
        write_report(statistics, config, target)
    assert target.read_bytes() == before


def test_empty_ledger_gives_a_report_without_broken_sentences(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["编号", "案由", "办理类型", "承办科室", "交办日期"])
    book.save(tmp_path / "l.xlsx")
    config = Config()
    statistics = analyse_file(tmp_path / "l.xlsx", config, TODAY).statistics
    document = build_report_document(statistics, config)
    text = "\n".join(document.texts())
    assert "今年，我局尚未承办提案建议。" in text and "0件" not in text and "—" not in text
    assert not any(isinstance(block, report.StackedBarChart) for block in document.blocks)
    write_report(statistics, config, tmp_path / "r.docx")


def test_docs_pictures_are_committed():
    """docs/report-*.png are made by docs/make_report_images.py (LibreOffice); keep them in the repository."""
    for name in ("report-page1.png", "report-chart.png"):
        picture = PROJECT / "docs" / name
        assert picture.exists() and picture.read_bytes().startswith(b"\x89PNG"), name
