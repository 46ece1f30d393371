"""Fresh every morning (issue 16): [schedule] morning_refresh, the watch slot it adds, and the
scheduled refresh that writes the side file of DESIGN invariant 4 when the workbook is open."""

from __future__ import annotations

import configparser
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from automation import messages
from automation.morning import MorningSettings, jobs_at, morning_settings
from tests.ledger_factory import STANDARD_KEYS, headers_of, run_cli, standard_rows, write_ledger
from tests.test_safe_write import excel_owner_file

T = dt.time


def parser(text: str) -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read_string(text)
    return config


def test_morning_refresh_is_off_by_default_and_reads_its_time():
    assert morning_settings(parser("")) == MorningSettings(False, T(7, 30))
    assert morning_settings(parser("[schedule]\nmorning_refresh = 是\nmorning_time = 06:45\n")) == \
        MorningSettings(True, T(6, 45))
    with pytest.raises(ValueError) as error:
        morning_settings(parser("[schedule]\nmorning_refresh = 也许\n"))
    assert str(error.value) == messages.MORNING_BAD_SWITCH.format(value="也许")
    with pytest.raises(ValueError) as error:
        morning_settings(parser("[schedule]\nmorning_refresh = 是\nmorning_time = 早上\n"))
    assert str(error.value) == messages.MORNING_BAD_TIME.format(value="早上")


def test_which_job_a_watch_slot_is_for():
    reminders = (T(9, 0), T(14, 0))
    assert jobs_at(T(7, 30), T(7, 30), reminders) == {"refresh"}
    assert jobs_at(T(7, 41), T(7, 30), reminders) == {"refresh"}  # woke a little late
    assert jobs_at(T(9, 0), T(7, 30), reminders) == {"remind"}
    assert jobs_at(T(15, 0), T(7, 30), reminders) == {"remind"}
    assert jobs_at(T(9, 0), T(9, 0), reminders) == {"refresh", "remind"}
    assert jobs_at(T(9, 0), None, reminders) == {"remind"}


def ledger(folder: Path) -> Path:
    path = folder / "台账.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(), title_rows=1)
    return path


def test_scheduled_refresh_of_an_open_workbook_goes_to_the_side_file(tmp_path: Path):
    path = ledger(tmp_path)
    (tmp_path / "~$台账.xlsx").write_bytes(excel_owner_file("王小明"))
    before = path.read_bytes()
    result = run_cli("refresh", path, "--today", "2024-06-28", "--scheduled", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    side = tmp_path / "台账_统计汇总.xlsx"
    assert messages.MORNING_SIDE_FILE.format(name="台账.xlsx", user="王小明", side=side) in result.stdout
    assert path.read_bytes() == before  # never written under Excel
    names = zipfile.ZipFile(side).read("xl/workbook.xml").decode("utf-8")
    for sheet in (messages.SHEET_SUMMARY, messages.SHEET_PROGRESS):
        assert f'name="{sheet}"' in names


def test_scheduled_refresh_of_a_closed_workbook_writes_it(tmp_path: Path):
    path = ledger(tmp_path)
    result = run_cli("refresh", path, "--today", "2024-06-28", "--scheduled", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert messages.MORNING_DONE.format(path=path, today="2024-06-28") in result.stdout
    assert f'name="{messages.SHEET_PROGRESS}"' in zipfile.ZipFile(path).read("xl/workbook.xml").decode("utf-8")
    assert not (tmp_path / "台账_统计汇总.xlsx").exists()


def test_a_watch_slot_refreshes_in_the_morning_and_reminds_at_the_reminder_time(tmp_path: Path):
    from automation.config import load_config
    from automation.history import load_history
    from automation.morning import watch_job

    path = ledger(tmp_path)
    (tmp_path / "~$台账.xlsx").write_bytes(excel_owner_file("王小明"))  # open in Excel since last night
    config = load_config(None, path)
    settings = MorningSettings(True, T(7, 30))
    reminded, said = [], []
    day = dt.date(2024, 6, 28)
    code = watch_job(path, config, day, dt.datetime(2024, 6, 28, 7, 30, 5), settings, (T(9, 0),),
                     lambda d: reminded.append(d) or 0, said.append)
    assert code == 0 and reminded == []
    side = tmp_path / "台账_统计汇总.xlsx"
    assert said == [messages.MORNING_SIDE_FILE.format(name="台账.xlsx", user="王小明", side=side)]
    assert side.is_file()
    assert [s.as_of for s in load_history(path)] == [day]  # the scheduled run keeps its snapshot
    code = watch_job(path, config, day, dt.datetime(2024, 6, 28, 9, 0, 2), settings, (T(9, 0),),
                     lambda d: reminded.append(d) or 1, said.append)
    assert code == 1 and reminded == [day] and len(said) == 1


def test_scheduled_refresh_skips_a_holiday_and_schedule_install_prints_the_morning_task(tmp_path: Path):
    path = ledger(tmp_path)
    before = path.read_bytes()
    result = run_cli("refresh", path, "--today", "2024-10-01", "--scheduled", cwd=tmp_path)  # 国庆节
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == messages.MORNING_NOT_WORKDAY.format(date="2024-10-01")
    assert path.read_bytes() == before
    (tmp_path / "config.ini").write_text("[schedule]\nmorning_refresh = 是\nmorning_time = 07:15\n", encoding="utf-8")
    result = run_cli("schedule-install", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index(messages.MORNING_TASK)
    assert "refresh" in lines[at + 1] and "--scheduled" in lines[at + 1] and "/ST 07:15" in lines[at + 1]
    assert lines[at + 2].startswith("15 7 * * * ") and lines[at + 2].endswith("--scheduled")
