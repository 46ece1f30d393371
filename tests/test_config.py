"""config.ini: the shipped file says exactly the built-in defaults; how a config is found and
what a bad one says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from automation import messages
from automation.config import Config, TimeLimit, load_config, parse_config
from tests.ledger_factory import PROJECT_ROOT, write_config

CONFIG_INI = PROJECT_ROOT / "config.ini"


def _fields(config: Config) -> dict:
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(Config) if f.name not in ("source", "parser")}


def test_shipped_config_ini_equals_the_built_in_defaults():
    parsed = load_config(CONFIG_INI)
    assert parsed.source == CONFIG_INI
    shipped, defaults = _fields(parsed), _fields(Config())
    for name in defaults:
        assert shipped[name] == defaults[name], name
    # every section Config reads is in the file (not left to the defaults by a typo in a section
    # name); other parts of the assistant (reminders) may add sections of their own
    assert set(parsed.parser.sections()) >= {"ledger", "columns", "roles", "time_limits", "kinds", "statuses",
                                            "satisfaction", "reply_classes", "vocabulary", "output", "report"}


def test_an_empty_config_is_the_defaults():
    assert _fields(parse_config("")) == _fields(Config())


def test_time_limits_parse_every_unit():
    assert TimeLimit.parse("3个月") == TimeLimit(3, "months")
    assert TimeLimit.parse(" 30 天 ") == TimeLimit(30, "days")
    assert TimeLimit.parse("15个工作日") == TimeLimit(15, "workdays")
    assert TimeLimit.parse("2 months") == TimeLimit(2, "months")
    assert str(TimeLimit(15, "workdays")) == "15个工作日"
    with pytest.raises(ValueError, match="三个月"):
        TimeLimit.parse("三个月")


def test_settings_override_the_defaults():
    config = parse_config(
        "[ledger]\nsheet = 2024年\ndefault_year = 2024\nwarn_days = 5\n"
        "[columns]\nsection = 承办科室，承办处室、处室\n"
        "[time_limits]\n主办 = 15个工作日\nlead_roles = 主办, 会办\n"
        "[vocabulary]\nface_to_face = 见面, 走访\n")
    assert (config.sheet, config.default_year, config.warn_days) == ("2024年", 2024, 5)
    assert config.columns["section"] == ["承办科室", "承办处室", "处室"]
    assert config.time_limits["主办"] == TimeLimit(15, "workdays") and config.time_limits["协办"] == TimeLimit(1, "months")
    assert config.lead_roles == ("主办", "会办") and config.assisting_roles == ("协办", "分办")
    assert config.face_to_face == ("见面", "走访")


def test_unknown_column_key_is_refused():
    with pytest.raises(ValueError) as error:
        parse_config("[columns]\nsubject = 案由\n")
    assert str(error.value).startswith(messages.CONFIG_UNKNOWN_COLUMN_KEY.split("{key}")[0] + "subject")


def test_config_is_found_beside_the_ledger_then_in_the_current_folder(tmp_path: Path, monkeypatch):
    ledger_dir = tmp_path / "ledgers"
    ledger_dir.mkdir()
    ledger = ledger_dir / "台账.xlsx"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_config(None, ledger).source is None  # none anywhere: the defaults
    write_config(elsewhere / "config.ini", "[ledger]\nwarn_days = 3\n")
    assert load_config(None, ledger).warn_days == 3
    write_config(ledger_dir / "config.ini", "[ledger]\nwarn_days = 9\n")
    assert load_config(None, ledger).warn_days == 9  # beside the ledger wins
    explicit = write_config(tmp_path / "other.ini", "[ledger]\nwarn_days = 1\n")
    assert load_config(explicit, ledger).warn_days == 1  # --config wins


def test_config_in_gbk_is_read(tmp_path: Path):
    path = tmp_path / "config.ini"
    path.write_bytes("[ledger]\nsheet = 二〇二四年台账\n".encode("gbk"))
    assert load_config(path).sheet == "二〇二四年台账"
