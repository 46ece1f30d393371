"""Atomic replace, backups, owner files and the run lock, on real files and processes."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from automation.safe_write import (
    BACKUP_DIR_NAME, TEMP_SUFFIX, find_owner, list_backups, parse_owner_file, run_lock, save_workbook,
)
from automation.xlsx import RunLockedError, WorkbookInUseError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def zip_bytes(size: int, label: str) -> bytes:
    """A valid zip holding `size` random (incompressible) bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("label.txt", label)
        archive.writestr("payload.bin", os.urandom(size))
    return buffer.getvalue()


def excel_owner_file(name: str) -> bytes:
    """An owner file as Excel writes it: ANSI name padded to 55, then UTF-16 length and name."""
    ansi = name.encode("cp936")
    data = bytes([len(name)]) + ansi
    data = data.ljust(55, b" ") + len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    while len(data) < 165:
        data += b" \x00"
    return data[:165]


def word_owner_file(name: str) -> bytes:
    """The Word layout: ANSI name padded with zeros to 54, then UTF-16 length and name."""
    data = bytes([len(name)]) + name.encode("cp936")
    data = data.ljust(54, b"\x00") + len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    return data.ljust(162, b"\x00")


def child(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- save_workbook -------------------------------------------------------------------------
def test_save_replaces_and_backs_up(tmp_path):
    path = tmp_path / "台账.xlsx"
    versions = [zip_bytes(100, f"v{i}") for i in range(8)]
    path.write_bytes(versions[0])
    start = dt.datetime(2024, 6, 1, 9, 0, 0)
    for number, data in enumerate(versions[1:], start=1):
        backup = save_workbook(path, data, backups=3, now=start + dt.timedelta(minutes=number))
        assert path.read_bytes() == data
        backups = list_backups(path)
        assert backups[-1] == backup and backup.read_bytes() == versions[number - 1]
        assert len(backups) == min(number, 3)
    assert [b.read_bytes() for b in list_backups(path)] == versions[4:7]
    assert sorted(p.name for p in tmp_path.iterdir()) == [BACKUP_DIR_NAME, "台账.xlsx"]


def test_save_without_previous_file_or_backups(tmp_path):
    path = tmp_path / "新台账.xlsx"
    assert save_workbook(path, b"first") is None
    assert save_workbook(path, b"second", backups=0) is None
    assert path.read_bytes() == b"second"
    assert list_backups(path) == []


def test_save_to_a_side_file_leaves_the_workbook(tmp_path):
    path, side = tmp_path / "台账.xlsx", tmp_path / "台账_汇总.xlsx"
    path.write_bytes(b"ledger")
    assert save_workbook(path, b"summary", output=side) is None
    assert path.read_bytes() == b"ledger" and side.read_bytes() == b"summary"
    assert save_workbook(path, b"summary 2", output=side).read_bytes() == b"summary"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_permissions(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o640)
    save_workbook(path, b"new")
    assert path.stat().st_mode & 0o777 == 0o640


def test_save_refuses_an_open_workbook(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"old")
    (tmp_path / "~$台账.xlsx").write_bytes(excel_owner_file("王小明"))
    with pytest.raises(WorkbookInUseError) as raised:
        save_workbook(path, b"new")
    assert raised.value.owner == "王小明" and "王小明" in raised.value.message
    assert path.read_bytes() == b"old"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_at_any_moment_leaves_old_or_new(tmp_path):
    path = tmp_path / "台账.xlsx"
    old, new = zip_bytes(1_000_000, "old"), zip_bytes(30_000_000, "new")
    payload = tmp_path / "payload.bin"
    payload.write_bytes(new)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from automation.safe_write import save_workbook\n"
        f"data = Path({str(payload)!r}).read_bytes()\n"
        "print('ready', flush=True)\n"
        f"save_workbook(Path({str(path)!r}), data, backups=2)\n"
        "print('done', flush=True)\n"
    )
    outcomes = set()
    for delay in (0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 2.0):
        path.write_bytes(old)
        process = child(code)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        data = path.read_bytes()
        assert data in (old, new), f"torn file after {delay}s"
        outcomes.add("new" if data == new else "old")
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    assert outcomes == {"old", "new"}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("台账.xlsx", "payload.bin", BACKUP_DIR_NAME)]
    assert all(name.endswith(TEMP_SUFFIX) for name in leftovers)
    if os.name == "posix":  # the next save clears what the killed runs left
        save_workbook(path, old)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([BACKUP_DIR_NAME, "payload.bin", "台账.xlsx"])


# -- owner files -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["王小明", "Zhang San", "李"])
def test_owner_file_formats(name):
    assert parse_owner_file(excel_owner_file(name)) == name
    assert parse_owner_file(word_owner_file(name)) == name


def test_owner_file_ansi_only_and_garbage():
    name = "王小明"
    ansi_only = bytes([len(name.encode("cp936"))]) + name.encode("cp936") + b" " * 10
    assert parse_owner_file(ansi_only) == name
    assert parse_owner_file(b"") is None
    assert parse_owner_file(b"\xff" * 200) is None


def test_find_owner(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"x")
    assert find_owner(path) is None
    owner = tmp_path / "~$台账.xlsx"
    owner.write_bytes(excel_owner_file("王小明"))
    assert find_owner(path) == "王小明"
    owner.write_bytes(b"\x00\x01")
    assert find_owner(path) == "未知用户"
    owner.unlink()
    lock = tmp_path / ".~lock.台账.xlsx#"
    lock.write_text("李四,lisi,pc-01,01.06.2024 09:00,file:///home/lisi/.config/libreoffice/4;", encoding="utf-8")
    assert find_owner(path) == "李四"
    lock.unlink()
    (tmp_path / ".~台账.xlsx").write_bytes(b"")
    assert find_owner(path) == "未知用户"


# -- run lock ---------------------------------------------------------------------------------
def test_run_lock_excludes_a_second_process(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"x")
    code = (
        "import time\n"
        "from automation.safe_write import run_lock\n"
        f"with run_lock({str(path)!r}):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(30)\n"
    )
    holder = child(code)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunLockedError) as raised:
            with run_lock(path, timeout=0.3):
                pass
        assert "另一个任务正在处理" in raised.value.message
    finally:
        holder.kill()
        holder.wait(timeout=10)
    with run_lock(path, timeout=5) as lock_path:
        assert lock_path.parent.name == BACKUP_DIR_NAME


def test_second_process_fails_while_we_hold_the_lock(tmp_path):
    path = tmp_path / "台账.xlsx"
    code = (
        "from automation.safe_write import run_lock\n"
        "from automation.xlsx import RunLockedError\n"
        "try:\n"
        f"    with run_lock({str(path)!r}, timeout=0.2):\n"
        "        print('acquired')\n"
        "except RunLockedError as error:\n"
        "    print('refused:', error.message)\n"
    )
    with run_lock(path):
        out, err = child(code).communicate(timeout=30)
    assert out.startswith("refused:"), err
