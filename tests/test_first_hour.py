"""A new user's first hour (issue 17): nothing of theirs is overwritten, read-only files and
folders are respected, the error log never fails, and every mistake gets one Chinese sentence."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation import messages
from automation.cli import main
from automation.targets import is_read_only
from tests.ledger_factory import BASIC_HEADERS, PROJECT_ROOT, item, write_ledger

SAMPLE = PROJECT_ROOT / "examples" / "sample_ledger.xlsx"
CJK = re.compile(r"[\u4e00-\u9fff]")


def filled_ledger(path: Path) -> bytes:
    write_ledger(path, BASIC_HEADERS, [item(id="TA1", title="我的事项", role="主办", section="甲科",
                                            assigned="2024-03-05", status="办理中")])
    return path.read_bytes()


class _Finished:
    """A finished real process, shaped like click's Result for `assert_one_sentence`."""

    def __init__(self, completed: subprocess.CompletedProcess):
        self.exit_code = completed.returncode
        self.stderr = completed.stderr
        self.output = completed.stdout + completed.stderr


def invoke(*args, env=None):
    """Run the command in process; `watch` (which would run forever if it did not refuse) runs
    as a real process with a time bound instead."""
    if args and args[0] == "watch" and len(args) > 1:
        completed = subprocess.run([sys.executable, "-m", "automation", *map(str, args)], capture_output=True,
                                   text=True, encoding="utf-8", timeout=30,
                                   env=dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUTF8="1"))
        return _Finished(completed)
    return CliRunner().invoke(main, [str(arg) for arg in args], env=env, prog_name="ledger")


def assert_one_sentence(result, code: int, *expected: str) -> str:
    """Exit code as documented, one Chinese line on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    text = result.stderr.strip()
    assert "Traceback" not in result.output and "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert text.startswith(messages.FATAL_PREFIX) and CJK.search(text), text
    assert not re.search(r"\b(Error|Usage|Missing|Invalid|No such)\b", text), text
    for part in expected:
        assert part in text, (part, text)
    return text


# --- 1. overwrites ------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["template", "sample"])
def test_template_and_sample_never_replace_a_file_without_force(tmp_path: Path, command: str):
    ledger = tmp_path / "台账.xlsx"
    original = filled_ledger(ledger)
    assert_one_sentence(invoke(command, ledger), 2, "已经存在", "--force")
    assert ledger.read_bytes() == original

    owner = tmp_path / "~$台账.xlsx"  # open in Excel: even --force does not write
    owner.write_bytes(bytes([4]) + b"Zhao" + b" " * 49 + bytes([4, 0]) + "Zhao".encode("utf-16-le"))
    assert_one_sentence(invoke(command, ledger, "--force"), 3, "Zhao")
    assert ledger.read_bytes() == original
    owner.unlink()

    result = invoke(command, ledger, "--force")
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / ".ledger_backups").glob("台账.*.xlsx"))
    assert [backup.read_bytes() for backup in backups] == [original]
    assert ledger.read_bytes() != original and zipfile.is_zipfile(ledger)


def test_template_into_a_new_file_needs_no_force(tmp_path: Path):
    target = tmp_path / "新建" / "模板.xlsx"
    result = invoke("template", target)
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(target) and not (target.parent / ".ledger_backups").exists()


@pytest.mark.parametrize("output", ["台账.xlsx", "汇报.xlsx", "汇报.pdf", "汇报"])
def test_report_output_is_a_document_never_a_workbook_nor_the_ledger(tmp_path: Path, output: str):
    ledger = tmp_path / "台账.xlsx"
    original = filled_ledger(ledger)
    result = invoke("report", ledger, "--today", "2024-06-28", "--output", tmp_path / output)
    assert_one_sentence(result, 2, ".docx", ".md")
    assert ledger.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx"]


# --- 2. read-only places --------------------------------------------------------------------

def test_read_only_is_judged_by_the_mode_bits(tmp_path: Path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"x")
    assert not is_read_only(path)
    path.chmod(0o444)
    assert is_read_only(path)  # also as root, who could still write it
    path.chmod(0o644)


def test_a_read_only_ledger_is_refused_and_a_copy_suggested(tmp_path: Path):
    ledger = tmp_path / "台账.xlsx"
    original = filled_ledger(ledger)
    ledger.chmod(0o444)
    try:
        text = assert_one_sentence(invoke("refresh", ledger, "--today", "2024-06-28"), 2, "只读", "--output")
        assert str(ledger) in text
        assert ledger.read_bytes() == original
        copy = tmp_path / "副本.xlsx"
        result = invoke("refresh", ledger, "--today", "2024-06-28", "--output", copy)
        assert result.exit_code == 0, result.output
        assert zipfile.is_zipfile(copy) and ledger.read_bytes() == original
    finally:
        ledger.chmod(0o644)


def test_no_lock_file_is_left_after_a_run(tmp_path: Path):
    ledger = tmp_path / "台账.xlsx"
    filled_ledger(ledger)
    for _ in range(2):
        result = invoke("refresh", ledger, "--today", "2024-06-28")
        assert result.exit_code == 0, result.output
    left = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".lock")]
    assert left == []
    assert len(list((tmp_path / ".ledger_backups").glob("台账.*.xlsx"))) == 2


def _can_mount_read_only() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="needs unshare -m (a mount namespace) to make a read-only folder")
def test_a_ledger_in_a_read_only_folder_refreshes_into_a_writable_one(tmp_path: Path):
    """The folder is read-only for real (a read-only bind mount), so this fails even as root
    when anything (lock, backup, temporary file) is written beside the source."""
    source = tmp_path / "只读"
    source.mkdir()
    ledger = source / "台账.xlsx"
    original = filled_ledger(ledger)
    out = tmp_path / "可写" / "副本.xlsx"
    out.parent.mkdir()
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUTF8="1", PYTHONPATH=str(PROJECT_ROOT))
    ledger_cmd = f"{sys.executable} -m automation refresh '{ledger}' --today 2024-06-28"
    script = (f"mount --bind '{source}' '{source}' && mount -o remount,bind,ro '{source}' && "
              f"! touch '{source}/probe' 2>/dev/null && {ledger_cmd} --output '{out}'; echo rc=$?; "
              f"{ledger_cmd}; echo rc=$?")
    result = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, encoding="utf-8",
                            env=env, timeout=120, cwd=tmp_path)
    codes = re.findall(r"rc=(\d+)", result.stdout)
    assert codes == ["0", "2"], (result.stdout, result.stderr)
    assert zipfile.is_zipfile(out) and ledger.read_bytes() == original
    assert "Traceback" not in result.stderr and "只读" in result.stderr
    assert sorted(p.name for p in source.iterdir()) == ["台账.xlsx"]


# --- 3. the error log ----------------------------------------------------------------------

def _boom(*args, **kwargs):
    raise RuntimeError("boom")


def test_unexpected_error_is_logged_in_the_users_log_folder(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("automation.analysis.analyse_file", _boom)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    result = invoke("check", SAMPLE)
    text = assert_one_sentence(result, 1, "boom")
    log = tmp_path / "state" / "ledger-assistant" / "log" / "ledger-assistant.log"
    assert str(log) in text
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("blocker", ["file", "folder"])
def test_an_unwritable_log_does_not_crash_the_error_handler(tmp_path: Path, monkeypatch, blocker: str):
    if blocker == "file":  # the log folder's place is taken by a file: no folder can be made, even as root
        (tmp_path / "state").write_text("not a folder")
    else:  # the log file's place is taken by a folder (another user's, say): it cannot be opened
        (tmp_path / "state" / "ledger-assistant" / "log" / "ledger-assistant.log").mkdir(parents=True)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("automation.analysis.analyse_file", _boom)
    text = assert_one_sentence(invoke("check", SAMPLE), 1, "boom")
    assert text == messages.FATAL_PREFIX + messages.UNEXPECTED_NO_LOG.format(error="boom")


# --- 4. one sentence for every failure ------------------------------------------------------

READERS = ["check", "stats", "columns", "refresh", "remind", "report"]


@pytest.mark.parametrize("command", READERS + ["watch", "schedule-install"])
def test_missing_ledger_argument(command: str):
    text = assert_one_sentence(invoke(command), 2, "缺少参数 LEDGER（台账文件）", f"ledger {command} --help")
    assert text == f"错误：缺少参数 LEDGER（台账文件）。用 ledger {command} --help 查看用法。"


@pytest.mark.parametrize("command", READERS + ["watch"])
def test_missing_file(tmp_path: Path, command: str):
    missing = tmp_path / "没有这个.xlsx"
    assert_one_sentence(invoke(command, missing, *(["--dry-run"] if command == "remind" else [])), 2,
                        "找不到", str(missing))


def test_missing_config_file(tmp_path: Path):
    assert_one_sentence(invoke("check", SAMPLE, "--config", tmp_path / "没有.ini"), 2, "找不到配置文件", "没有.ini")


@pytest.mark.parametrize("command", ["columns", "remind", "watch"])
def test_a_folder_given_for_the_one_ledger_file(tmp_path: Path, command: str):
    assert_one_sentence(invoke(command, tmp_path, *(["--dry-run"] if command == "remind" else [])), 2,
                        "是文件夹", str(tmp_path))


def test_plain_ledger_shows_the_help():
    result = invoke()
    assert result.output.startswith("Usage: ledger") and "退出码" in result.output


@pytest.mark.parametrize("args", [("template", "{d}"), ("sample", "{d}"), ("refresh", "{l}", "--output", "{d}"),
                                  ("report", "{l}", "--output", "{d}/汇报.docx")])
def test_a_folder_given_for_an_output_file(tmp_path: Path, args):
    ledger = tmp_path / "台账.xlsx"
    filled_ledger(ledger)
    folder = tmp_path / "文件夹"
    (folder / "汇报.docx").mkdir(parents=True)
    arguments = [a.format(d=folder, l=ledger) for a in args]
    text = assert_one_sentence(invoke(*arguments), 2, "文件夹")
    assert str(folder) in text


def test_a_renamed_word_file_is_not_a_workbook_rather_than_damaged(tmp_path: Path):
    fake = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" ContentType='
                         '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
    for command in ("check", "refresh"):
        text = assert_one_sentence(invoke(command, fake), 2, "不是 Excel 工作簿")
        assert "已损坏" not in text


@pytest.mark.parametrize("args, expected", [
    (("chek", "a.xlsx"), "没有命令“chek”"),
    (("check", "a.xlsx", "--todya", "2024-01-01"), "没有选项 --todya（是否想用 --today？）"),
    (("columns", "a.xlsx", "b.xlsx", "c.xlsx"), "多余的参数"),
    (("check", "a.xlsx", "--today", "明天"), "不是日期"),
    (("serve", "--port", "abc"), "--port 的值“abc”不是整数"),
    (("serve", "--port", "0"), "超出范围（1 到 65535）"),
    (("report", "a.xlsx", "--format", "pdf"), "只能是 docx、md 之一"),
    (("refresh", "a.xlsx", "--output"), "--output 后面需要一个值"),
])
def test_click_usage_errors_in_chinese(args, expected):
    assert_one_sentence(invoke(*args), 2, expected, "--help 查看用法")


def test_exit_codes_are_documented_in_help():
    result = invoke("--help")
    assert result.exit_code == 0
    flat = "".join(result.output.split())
    for part in ("退出码", "0成功", "1意外错误", "2输入有误", "3工作簿正被Excel/WPS打开"):
        assert part in flat, part


def test_a_real_process_gives_the_sentence_and_code(tmp_path: Path):
    """The installed entry point (not only click's test runner) prints the Chinese sentence."""
    script = Path(sys.executable).parent / ("ledger.exe" if os.name == "nt" else "ledger")
    if not script.exists():
        pytest.skip(f"the ledger script is not installed beside {sys.executable}")
    result = subprocess.run([str(script), "check"], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
                            env=dict(os.environ, PYTHONIOENCODING="utf-8"), timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "错误：缺少参数 LEDGER（台账文件）。用 ledger check --help 查看用法。"


# --- 9. a clone stands alone -----------------------------------------------------------------

def test_a_clone_needs_nothing_outside_the_project():
    corpus = PROJECT_ROOT / "tests" / "corpus"
    listed = [line.split("\t")[0] for line in (corpus / "poi" / "MANIFEST.tsv").read_text(encoding="utf-8")
              .splitlines()[1:] if line.strip()]
    assert len(listed) == 41 and all((corpus / "poi" / name).is_file() for name in listed)
    assert "Apache License" in (corpus / "poi" / "LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")
    assert "Apache POI" in (corpus / "README.md").read_text(encoding="utf-8")
    from tests import ledger_factory, xlsx_helpers

    assert ledger_factory.CORPUS == xlsx_helpers.CORPUS == corpus / "poi"
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/口径.md" in readme and "docs/json.md" in readme
    for doc in [PROJECT_ROOT / "README.md", *(PROJECT_ROOT / "docs").glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text and "DOMAIN.md" not in text and "DESIGN.md" not in text, doc
    for test_file in (PROJECT_ROOT / "tests").glob("*.py"):
        assert '"shared" / ' + '"corpus"' not in test_file.read_text(encoding="utf-8"), test_file
    rules = (PROJECT_ROOT / "docs" / "口径.md").read_text(encoding="utf-8")
    for term in ("按时办结率", "满意率", "面商率", "解决采纳率", "EDATE", "办理时限早于交办日期"):
        assert term in rules, term
    contract = (PROJECT_ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for field in ("as_of", "on_time_rate", "by_section", "overdue_items", "days_overdue", "problems"):
        assert f'"{field}"' in contract, field
