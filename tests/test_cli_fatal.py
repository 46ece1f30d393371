"""Fatal inputs: each gives its Chinese message on stderr and exit code 2, never a traceback.

Every case runs `python -m automation` in a real process."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from automation import messages
from tests.ledger_factory import CORPUS, BASIC_HEADERS, item, run_cli, write_config, write_ledger


def good_ledger(path: Path, **options) -> Path:
    write_ledger(path, BASIC_HEADERS, [item(id="TA1", title="标题", role="主办", section="甲科")], **options)
    return path


def assert_fatal(result, message: str) -> None:
    """Exit 2, nothing on stdout, exactly the message on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == messages.FATAL_PREFIX + message


@pytest.mark.parametrize("command", [["check"], ["stats"], ["stats", "--json"], ["columns"]])
def test_text_file_renamed_xlsx(tmp_path: Path, command):
    path = tmp_path / "台账.xlsx"
    path.write_text("编号,案由,办理类型,承办科室\nTA1,标题,主办,甲科\n", encoding="utf-8")
    result = run_cli(*command, path, *([] if command == ["columns"] else ["--today", "2024-06-28"]), cwd=tmp_path)
    assert_fatal(result, messages.NOT_A_WORKBOOK.format(path=path))


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert_fatal(run_cli("check", path, cwd=tmp_path), messages.NOT_A_WORKBOOK.format(path=path))


def test_truncated_zip(tmp_path: Path):
    data = good_ledger(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    result = run_cli("stats", path, "--today", "2024-06-28", cwd=tmp_path)
    assert_fatal(result, messages.DAMAGED_WORKBOOK.format(path=path, detail="File is not a zip file"))


def test_zip_member_damaged(tmp_path: Path):
    # Flip bytes inside the compressed data of the first member: the zip opens, its CRC fails.
    data = bytearray(good_ledger(tmp_path / "good.xlsx").read_bytes())
    name_length = int.from_bytes(data[26:28], "little")
    extra_length = int.from_bytes(data[28:30], "little")
    start = 30 + name_length + extra_length
    for offset in range(start + 5, start + 15):
        data[offset] ^= 0xFF
    path = tmp_path / "crc.xlsx"
    path.write_bytes(bytes(data))
    result = run_cli("check", path, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(messages.FATAL_PREFIX + f"“{path}”已损坏，无法读取（")


def test_encrypted_workbook(tmp_path: Path):
    from msoffcrypto.format.ooxml import OOXMLFile

    source = good_ledger(tmp_path / "plain.xlsx")
    encrypted = io.BytesIO()
    with source.open("rb") as handle:
        OOXMLFile(handle).encrypt("1234", encrypted)
    path = tmp_path / "encrypted.xlsx"
    path.write_bytes(encrypted.getvalue())
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # an OLE container, not a zip
    for command in (["check"], ["stats", "--json"]):
        assert_fatal(run_cli(*command, path, cwd=tmp_path), messages.ENCRYPTED_WORKBOOK.format(path=path))


def test_configured_sheet_missing(tmp_path: Path):
    ledger = good_ledger(tmp_path / "ledger.xlsx", extra_sheets_before=["填写说明"])
    write_config(tmp_path / "config.ini", "[ledger]\nsheet = 2025年台账\n")  # beside the ledger: found
    result = run_cli("check", ledger, "--today", "2024-06-28", cwd=tmp_path)
    assert_fatal(result, messages.SHEET_NOT_FOUND.format(sheet="2025年台账", sheets="填写说明、台账"))
    result = run_cli("columns", ledger, cwd=tmp_path)
    assert_fatal(result, messages.SHEET_NOT_FOUND.format(sheet="2025年台账", sheets="填写说明、台账"))


def test_sheet_without_a_recognisable_header(tmp_path: Path):
    path = tmp_path / "no_header.xlsx"
    write_ledger(path, ["名称", "数量", "金额"], [["办公用品", 3, 120.5]], title_rows=1)
    result = run_cli("stats", path, "--today", "2024-06-28", cwd=tmp_path)
    assert_fatal(result, messages.NO_LEDGER_SHEET.format(sheets="台账"))
    config = write_config(tmp_path / "sheet.ini", "[ledger]\nsheet = 台账\n")
    result = run_cli("stats", path, "--config", config, "--today", "2024-06-28", cwd=tmp_path)
    assert_fatal(result, messages.NO_HEADER_ROW.format(sheet="台账", rows=30))


def test_missing_required_column_names_the_closest_headers(tmp_path: Path):
    path = tmp_path / "ledger.xlsx"
    write_ledger(path, ["序号", "编号", "案由", "办理类型", "承办处室", "交办日期"],
                 [[1, "TA1", "标题", "主办", "甲科", "2024-3-5"]], title_rows=1)
    result = run_cli("check", path, "--today", "2024-06-28", cwd=tmp_path)
    expected = "\n".join([
        messages.MISSING_COLUMNS.format(sheet="台账", row=2, columns="承办科室"),
        messages.MISSING_COLUMN_HINT.format(header="承办科室", closest="“承办处室”", key="section",
                                            suggestion="责任科室, 承办部门, 科室, 责任部门, 承办处室"),
    ])
    assert_fatal(result, expected)
    assert "最接近的现有表头是 “承办处室”" in result.stderr


def test_file_not_found(tmp_path: Path):
    path = tmp_path / "没有这个文件.xlsx"
    assert_fatal(run_cli("check", path, cwd=tmp_path), messages.FILE_NOT_FOUND.format(path=path))


def test_bad_config_value(tmp_path: Path):
    ledger = good_ledger(tmp_path / "ledger.xlsx")
    write_config(tmp_path / "config.ini", "[time_limits]\n主办 = 三个月\n")
    result = run_cli("check", ledger, "--today", "2024-06-28", cwd=tmp_path)
    assert_fatal(result, messages.CONFIG_BAD_TIME_LIMIT.format(value="三个月"))


def test_bad_today_is_a_usage_error(tmp_path: Path):
    ledger = good_ledger(tmp_path / "ledger.xlsx")
    result = run_cli("check", ledger, "--today", "明天", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "“明天”不是日期" in result.stderr


BROKEN = ["clusterfuzz-testcase-minimized-POIXSSFFuzzer-5937385319563264.xlsx",
          "clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx",
          "clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-6594557414080512.xlsx"]


def _broken_in_manifest() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    names = []
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        name, _, features = line.partition("\t")
        if {"NOTZIP", "BADZIP"} & set(features.split(",")):
            names.append(name)
    return names


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the POI corpus is not here ({CORPUS})")
def test_manifest_marks_exactly_the_three_broken_files():
    assert sorted(_broken_in_manifest()) == sorted(BROKEN)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the POI corpus is not here ({CORPUS})")
@pytest.mark.parametrize("name", BROKEN)
def test_broken_corpus_files_give_a_clear_error(tmp_path: Path, name: str):
    path = CORPUS / name
    result = run_cli("check", path, "--today", "2024-06-28", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    damaged = result.stderr.startswith(messages.FATAL_PREFIX + f"“{path}”已损坏，无法读取（")
    not_workbook = result.stderr.strip() == messages.FATAL_PREFIX + messages.NOT_A_WORKBOOK.format(path=path)
    assert damaged or not_workbook, result.stderr
