"""The ledger sheet parsed while the program starts (automation/early_read.py): a guess from
the command line that is used only for the very sheet and the very bytes the reader reads."""

from __future__ import annotations

import json

import pytest

from automation import early_read
from automation.config import Config
from automation.ledger import read_ledger
from tests.ledger_factory import STANDARD_KEYS, STANDARD_TODAY, assert_standard, headers_of, run_cli, \
    standard_rows, write_ledger


@pytest.fixture(autouse=True)
def _forget_early_reads():
    early_read.release()
    yield
    early_read.release()


def _ledger(path, **options):
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(), **options)
    return path


def _parsed_early(path):
    """Start the early read of `path` and wait until its thread has finished."""
    early_read.start(["stats", str(path)])
    early = early_read._early
    assert early is not None
    assert early.done.wait(30)
    return early


def test_the_ledger_argument_is_the_one_workbook_named(tmp_path):
    ledger = _ledger(tmp_path / "台账.xlsx")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(ledger.read_bytes())
    name = str(ledger)
    assert early_read.ledger_argument(["refresh", name, "--today", "2026-06-28"]) == name
    assert early_read.ledger_argument(["stats", "--today", "2026-06-28", name, "--json"]) == name
    # the file after --output is written, not read
    assert early_read.ledger_argument(["refresh", "--output", str(copy), name]) == name
    assert early_read.ledger_argument(["check", name, "-o", str(copy)]) == name
    # several files, a folder, a missing file, a legacy name, another command: no guess
    assert early_read.ledger_argument(["stats", name, str(copy)]) is None
    assert early_read.ledger_argument(["stats", str(tmp_path)]) is None
    assert early_read.ledger_argument(["stats", str(tmp_path / "无.xlsx")]) is None
    assert early_read.ledger_argument(["remind", name]) is None
    assert early_read.ledger_argument(["template", name]) is None
    assert early_read.ledger_argument([]) is None


def test_the_sheet_parsed_early_is_the_sheet_read(tmp_path):
    ledger = _ledger(tmp_path / "l.xlsx")
    early = _parsed_early(ledger)
    assert early.target == "台账" and early.sheet is not None
    analysis_figures = read_ledger(ledger, Config(), STANDARD_TODAY)
    assert early_read._early is None  # taken once, then forgotten
    assert len(analysis_figures.items) == 8
    from automation.analysis import analyse

    assert_standard(analyse(analysis_figures, Config(), STANDARD_TODAY))


def test_bytes_changed_after_the_early_read_are_read_again(tmp_path):
    """The early read runs without the run lock: a file rewritten between it and the reader's
    own read is read as it is now, never as it was."""
    ledger = _ledger(tmp_path / "l.xlsx")
    early = _parsed_early(ledger)
    assert early.sheet is not None
    rows = standard_rows()[:3]  # the same sheet name, three items instead of eight
    write_ledger(ledger, headers_of(STANDARD_KEYS), rows)
    assert len(read_ledger(ledger, Config(), STANDARD_TODAY).items) == 3


def test_another_sheet_asked_for_is_parsed_by_the_reader(tmp_path):
    """The early guess is the first sheet that is not the assistant's own; a ledger on a later
    sheet (a 说明 sheet first) is read as always, with the same figures."""
    ledger = _ledger(tmp_path / "l.xlsx", extra_sheets_before=[("说明", [["本表说明"], ["填写要求"]])])
    early = _parsed_early(ledger)
    assert early.target == "说明"
    read = read_ledger(ledger, Config(), STANDARD_TODAY)
    assert read.sheet == "台账" and len(read.items) == 8


def test_the_sheet_the_config_names_is_the_one_parsed(tmp_path):
    """Last year's ledger first, this year's named in config.ini beside the file: the early
    read parses the named sheet, not the first (which the reader would never ask for)."""
    ledger = _ledger(tmp_path / "l.xlsx", sheet="2026年台账",
                     extra_sheets_before=[("2025年台账", [headers_of(STANDARD_KEYS)] + standard_rows()[:2])])
    (tmp_path / "config.ini").write_text("[ledger]\nsheet = 2026年台账\n", encoding="utf-8")
    early = _parsed_early(ledger)
    assert early.target == "2026年台账" and early.sheet is not None
    from automation.config import load_config

    read = read_ledger(ledger, load_config(None, ledger), STANDARD_TODAY)
    assert read.sheet == "2026年台账" and len(read.items) == 8


def test_a_config_given_on_the_command_line_is_followed(tmp_path):
    ledger = _ledger(tmp_path / "l.xlsx", sheet="本年",
                     extra_sheets_before=[("上年", [headers_of(STANDARD_KEYS)] + standard_rows()[:2])])
    config = tmp_path / "其他" / "设置.ini"
    config.parent.mkdir()
    config.write_text("[ledger]\nsheet = 本年\n", encoding="utf-8")
    early_read.start(["refresh", str(ledger), "--config", str(config)])
    assert early_read._early.done.wait(30)
    assert early_read._early.target == "本年"
    early_read.release()
    early_read.start(["refresh", f"--config={config}", str(ledger)])
    assert early_read._early.done.wait(30)
    assert early_read._early.target == "本年"


def test_nothing_is_parsed_early_for_several_sheets_or_a_bad_config(tmp_path):
    ledger = _ledger(tmp_path / "l.xlsx")
    (tmp_path / "config.ini").write_text("[ledger]\nsheets = 台账, 建议台账\n", encoding="utf-8")
    assert _parsed_early(ledger).target is None
    early_read.release()
    (tmp_path / "config.ini").write_text("[ledger\nsheet = 台账\n", encoding="utf-8")
    assert _parsed_early(ledger).target is None
    assert read_ledger(ledger, Config(), STANDARD_TODAY).sheet == "台账"


def test_owned_sheets_are_not_guessed(tmp_path):
    ledger = _ledger(tmp_path / "l.xlsx", extra_sheets_before=[("统计汇总", [["旧的汇总"]])])
    early = _parsed_early(ledger)
    assert early.target == "台账"


def test_a_damaged_file_is_reported_by_the_reader_as_always(tmp_path):
    broken = tmp_path / "坏.xlsx"
    data = _ledger(tmp_path / "l.xlsx").read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    early = _parsed_early(broken)
    assert early.sheet is None
    with_early = run_cli("stats", str(broken))
    assert with_early.returncode == 2
    assert "损坏" in with_early.stderr and "Traceback" not in with_early.stderr


def test_the_command_line_gives_the_same_figures_with_and_without_the_early_read(tmp_path, monkeypatch):
    ledger = _ledger(tmp_path / "l.xlsx", extra_sheets_before=[("说明", [["本表说明"]])])
    with_early = run_cli("stats", str(ledger), "--today", STANDARD_TODAY.isoformat(), "--json")
    monkeypatch.setenv("LEDGER_NO_EARLY_READ", "1")
    without = run_cli("stats", str(ledger), "--today", STANDARD_TODAY.isoformat(), "--json")
    assert with_early.returncode == without.returncode == 0, with_early.stderr
    assert json.loads(with_early.stdout) == json.loads(without.stdout)
    assert json.loads(with_early.stdout)["total"] == 8
