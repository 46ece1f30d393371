"""The shipped sample ledger: its statistics on 2026-06-28 against a hand-checked JSON, the
committed files against a fresh build, and LibreOffice opening it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import main
from automation.sample import ASSISTING_GROUPS, LEAD_GROUPS, SECTIONS, build_sample, sample_rows
from automation.template import build_template
from tests.ledger_factory import PROJECT_ROOT, run_cli

SAMPLE = PROJECT_ROOT / "examples" / "sample_ledger.xlsx"
TEMPLATE = PROJECT_ROOT / "ledger_template.xlsx"
EXPECTED = Path(__file__).resolve().parent / "expected" / "sample_stats.json"
TODAY = "2026-06-28"


@pytest.fixture(scope="module")
def stats_json(tmp_path_factory) -> dict:
    result = run_cli("stats", SAMPLE, "--today", TODAY, "--json", cwd=tmp_path_factory.mktemp("cwd"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_stats_json_matches_the_hand_checked_expected_file(stats_json):
    # tests/expected/sample_stats.json was generated once by this command and checked by hand: the
    # headline figures and two sections below, by_role_detail (主办 30: 18+3+6+2+1; 会办 4 all
    # overdue; 分办 4 all due soon; 协办 22: 18 completed, 2 overdue, 1 due soon, 1 open), the
    # overdue/due-soon lists (rows = index + 3) and the three problems.
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert stats_json == expected


def test_headline_figures_by_hand(stats_json):
    # Groups of sample.py in order (index n = Excel row n + 3), on 2026-06-28:
    #  n 0-17  主办 x18 assigned 02-10, deadline 05-10, replied 04-28: on time; A10 B6 C2;
    #          见面座谈 10, 电话联系 5, 实地调研 3; 满意 12, 基本满意 5, 不满意 1
    #  n 18-20 主办 x3 replied 05-20 > 05-10: late; B B C; 电话联系 x3; 基本满意 2, 不满意 1
    #  n 21-26 主办 x6 已初步答复, deadline 07-15: open, not due soon; 见面座谈 3, 电话联系 3
    #  n 27-30 会办 x4 deadline 06-10: overdue 18 days; 电话联系 3, none 1
    #  n 31-32 主办 x2 deadline 05-25: overdue 34 days
    #  n 33-35 分办 x3 deadline 07-01: due soon (3 days); n 36 分办 typed 07-05: due soon (7 days)
    #  n 37    主办 assigned "待定": no deadline, open, 2 problems
    #  n 38-53 协办 x16 deadline 04-05, replied 03-25: on time;  n 54 协办 replied 04-15: late
    #  n 55-56 协办 x2 deadline 06-20: overdue 8 days;  n 57 协办 deadline 07-01: due soon
    #  n 58    协办 deadline 07-20: open;  n 59 协办 已办结 without a reply date: completed, 1 problem
    d = stats_json
    assert d["total"] == 60
    assert d["lead"] == 38 and d["by_role"] == {"主办": 30, "会办": 4, "分办": 4, "协办": 22}
    assert d["assisting"] == 22
    assert d["key_items"] == 3  # n 0, 21, 27
    assert d["completed"] == 39  # 18 + 3 + 16 + 1 + 1
    assert d["overdue"] == 8  # 4 + 2 lead, 2 assisting
    assert d["due_soon"] == 5  # 3 + 1 分办, 1 协办
    assert d["in_progress"] == 13  # 60 - 39 - 8: n 21-26, 33-36, 37, 57, 58
    assert d["completion_rate"] == 0.65  # 39 / 60
    assert (d["on_time"], d["late"]) == (34, 4)  # 18 + 16; 3 + 1
    assert d["on_time_rate"] == 0.7391  # 34 / (38 completed with a reply date + 8 overdue) = 34 / 46
    assert (d["satisfied"], d["basically_satisfied"], d["unsatisfied"], d["rated"]) == (12, 7, 2, 21)
    assert d["satisfaction_rate"] == 0.9048  # 19 / 21
    assert d["satisfied_share"] == 0.5714  # 12 / 21
    assert d["face_to_face_rate"] == 0.5333  # (10 + 3 + 3) / (18 + 3 + 6 + 3) = 16 / 30
    assert d["reply_classes"] == {"A": 10, "B": 8, "C": 3}  # B 6 + 2, C 2 + 1
    assert d["adoption_rate"] == 0.8571  # 18 / 21 completed lead items
    assert [(p["row"], p["column"], p["value"]) for p in d["problems"]] == [
        (40, "交办日期", "待定"), (40, "办理时限", ""), (62, "答复日期", "")]
    assert [(i["row"], i["days_overdue"]) for i in d["overdue_items"]] == [
        (34, 34), (35, 34), (30, 18), (31, 18), (32, 18), (33, 18), (58, 8), (59, 8)]
    assert [(i["row"], i["days_left"]) for i in d["due_soon_items"]] == [(36, 3), (37, 3), (38, 3), (60, 3), (39, 7)]


def test_two_sections_by_hand(stats_json):
    # Row n goes to SECTIONS[n % 5].
    # 产业发展科 = n 0 5 10 15 20 25 30 35 40 45 50 55:
    #   n0 n5 A 见面座谈 满意; n10 B 电话联系 满意; n15 B 实地调研 基本满意 (all on time);
    #   n20 late, C, 电话联系, 不满意; n25 已初步答复 电话联系; n30 会办 overdue, no contact;
    #   n35 分办 due soon; n40 n45 n50 协办 on time; n55 协办 overdue.
    #   total 12, lead 8, assisting 4, key 1 (n0); completed 8 (n0-20 + n40-50); overdue 2 (n30 n55);
    #   due soon 1 (n35); in progress 2 (n25 n35); on time 7, late 1 -> 7 / (8 + 2) = 0.7;
    #   rated 5: 满意 3, 基本满意 1, 不满意 1 -> 0.8, share 0.6; lead with contact 6 (n0-25),
    #   face to face 3 (n0 n5 n15) -> 0.5; completed lead 5: A2 B2 C1 -> adoption 0.8.
    industry = stats_json["by_section"]["产业发展科"]
    assert {k: industry[k] for k in (
        "total", "lead", "assisting", "key_items", "completed", "overdue", "due_soon", "in_progress", "on_time",
        "late", "completion_rate", "on_time_rate", "rated", "satisfaction_rate", "satisfied_share",
        "face_to_face_rate", "completed_lead", "reply_classes", "adoption_rate")} == {
        "total": 12, "lead": 8, "assisting": 4, "key_items": 1, "completed": 8, "overdue": 2, "due_soon": 1,
        "in_progress": 2, "on_time": 7, "late": 1, "completion_rate": 0.6667, "on_time_rate": 0.7, "rated": 5,
        "satisfaction_rate": 0.8, "satisfied_share": 0.6, "face_to_face_rate": 0.5, "completed_lead": 5,
        "reply_classes": {"A": 2, "B": 2, "C": 1}, "adoption_rate": 0.8}
    # 中小企业科 = n 4 9 14 19 24 29 34 39 44 49 54 59:
    #   n4 n9 A 见面座谈 满意; n14 B 电话联系 基本满意 (on time); n19 late, B, 电话联系, 基本满意;
    #   n24 已初步答复 电话联系; n29 会办 overdue 电话联系; n34 分办 due soon; n39 n44 n49 协办 on time;
    #   n54 协办 late; n59 协办 已办结 without a date.
    #   total 12, lead 7, assisting 5, key 0; completed 9 (n4 9 14 19 39 44 49 54 59); overdue 1 (n29);
    #   due soon 1 (n34); in progress 2 (n24 n34); on time 6, late 2 -> 6 / (8 with a date + 1) = 0.6667;
    #   rated 4: 满意 2, 基本满意 2 -> 1.0, share 0.5; lead with contact 6 (n4-29), face to face 2
    #   (n4 n9) -> 0.3333; completed lead 4: A2 B2 -> adoption 1.0.
    small = stats_json["by_section"]["中小企业科"]
    assert {k: small[k] for k in (
        "total", "lead", "assisting", "key_items", "completed", "overdue", "due_soon", "in_progress", "on_time",
        "late", "completion_rate", "on_time_rate", "rated", "satisfaction_rate", "satisfied_share",
        "face_to_face_rate", "completed_lead", "reply_classes", "adoption_rate")} == {
        "total": 12, "lead": 7, "assisting": 5, "key_items": 0, "completed": 9, "overdue": 1, "due_soon": 1,
        "in_progress": 2, "on_time": 6, "late": 2, "completion_rate": 0.75, "on_time_rate": 0.6667, "rated": 4,
        "satisfaction_rate": 1.0, "satisfied_share": 0.5, "face_to_face_rate": 0.3333, "completed_lead": 4,
        "reply_classes": {"A": 2, "B": 2, "C": 0}, "adoption_rate": 1.0}
    assert sum(section["total"] for section in stats_json["by_section"].values()) == 60


def test_sample_construction_is_what_the_hand_count_assumes():
    rows = sample_rows()
    assert len(rows) == 60 == sum(group[0] for group in LEAD_GROUPS + ASSISTING_GROUPS)
    assert all(row["section"] == SECTIONS[n % 5][0] for n, row in enumerate(rows))
    assert [n for n, row in enumerate(rows) if row["key_item"] == "是"] == [0, 21, 27]
    assert rows[37]["assigned"] == "待定" and rows[59]["status"] == "已办结" and rows[59]["replied"] is None
    assert [rows[n]["assigned"] for n in (1, 2, 3, 4)] == ["2026年2月10日", "2026/02/10", "2026.2.10", "2026-2-10"]


def test_committed_sample_and_template_equal_a_fresh_build():
    assert SAMPLE.read_bytes() == build_sample()
    assert TEMPLATE.read_bytes() == build_template()


def test_sample_and_template_commands_write_the_committed_bytes(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["sample", str(tmp_path / "out" / "sample.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "sample.xlsx").read_bytes() == SAMPLE.read_bytes()
    result = runner.invoke(main, ["template", str(tmp_path / "template.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "template.xlsx").read_bytes() == TEMPLATE.read_bytes()


def test_libreoffice_opens_the_sample(tmp_path: Path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    profile = tmp_path / "profile"
    env = dict(os.environ, HOME=str(tmp_path))
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(SAMPLE)],
        capture_output=True, text=True, timeout=300, env=env)
    pdf = tmp_path / "sample_ledger.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.is_file(), (result.stdout, result.stderr)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
