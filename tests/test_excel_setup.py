"""write_xlwings_conf: the user-level xlwings.conf the Excel add-in reads, on a temporary home."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import xlwings
import xlwings.utils

from automation.excel_setup import user_config_path, write_xlwings_conf

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def vba_get_config_from_file(data: bytes, key: str, encoding: str) -> str | None:
    """What xlwings' VBA GetConfigFromFile returns: ``Input #`` reads two quoted fields per
    pair, key compared without case, the first match wins."""
    text = data.decode(encoding)
    fields = re.findall(r'"([^"]*)"', text)
    for name, value in zip(fields[0::2], fields[1::2]):
        if name.lower() == key.lower():
            return value
    return None


def xlwings_python_reads(path: Path, monkeypatch) -> dict[str, str]:
    """What the xlwings Python package reads from the same file."""
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(path))
    return xlwings.utils.read_user_config()


def test_creates_the_file_where_xlwings_looks(tmp_path, monkeypatch):
    home = tmp_path / "home"
    interpreter = Path(sys.executable)
    lines = write_xlwings_conf(home, interpreter, ROOT, encoding="utf-8")

    path = home / ".xlwings" / "xlwings.conf"
    assert user_config_path(home) == path
    data = path.read_bytes()
    assert data == (f'"INTERPRETER_WIN","{interpreter}"\r\n' f'"PYTHONPATH","{ROOT}"\r\n').encode()
    assert vba_get_config_from_file(data, "INTERPRETER_WIN", "utf-8") == str(interpreter)
    assert vba_get_config_from_file(data, "PYTHONPATH", "utf-8") == str(ROOT)
    assert xlwings_python_reads(path, monkeypatch) == {
        "interpreter_win": str(interpreter),
        "pythonpath": str(ROOT),
    }
    assert lines[0] == f"已创建 Excel 加载项配置：{path}"
    assert all(CJK.search(line) for line in lines)
    assert not any(line.startswith("注意") for line in lines)  # real interpreter, real project
    assert sorted(p.name for p in path.parent.iterdir()) == ["xlwings.conf"]  # no temp files


def test_keeps_unrelated_settings_and_replaces_ours(tmp_path, monkeypatch):
    home = tmp_path / "home"
    path = user_config_path(home)
    path.parent.mkdir(parents=True)
    license_line = '"LICENSE_KEY","abc,def"'.encode()
    chinese_line = '"TEMP DIR","D:\\临时"'.encode("gbk")  # another key, in the ANSI code page
    path.write_bytes(
        b'"interpreter_win","C:\\old\\python.exe"\r\n'
        + license_line + b"\n"
        + b"\r\n"
        + b'"INTERPRETER_WIN","C:\\older\\python.exe"\r\n'
        + b'"PYTHONPATH","C:\\other;C:\\shared\\lib"\r\n'
        + chinese_line + b"\r\n"
    )
    project = tmp_path / "proj"
    (project / "automation").mkdir(parents=True)
    interpreter = tmp_path / "venv" / "python.exe"

    lines = write_xlwings_conf(home, interpreter, project, encoding="gbk")

    data = path.read_bytes()
    assert data.split(b"\r\n") == [
        f'"INTERPRETER_WIN","{interpreter}"'.encode("gbk"),
        f'"PYTHONPATH","{project};C:\\other;C:\\shared\\lib"'.encode("gbk"),
        license_line,
        chinese_line,
        b"",
    ]
    assert vba_get_config_from_file(data, "Interpreter_Win", "gbk") == str(interpreter)
    assert vba_get_config_from_file(data, "TEMP DIR", "gbk") == "D:\\临时"
    assert "原解释器设置已替换：C:\\old\\python.exe" in lines
    assert "PYTHONPATH 中原有的其他路径已保留：C:\\other;C:\\shared\\lib" in lines
    assert "保留原有设置 2 项：LICENSE_KEY、TEMP DIR" in lines
    assert f"注意：解释器文件不存在：{interpreter}" in lines


def test_project_dir_already_on_pythonpath_is_moved_first(tmp_path):
    home = tmp_path / "home"
    path = user_config_path(home)
    path.parent.mkdir(parents=True)
    project = tmp_path / "proj"
    path.write_bytes(f'"PYTHONPATH","C:\\a;{project};C:\\b"\r\n'.encode())
    write_xlwings_conf(home, Path(sys.executable), project, encoding="utf-8")
    assert vba_get_config_from_file(path.read_bytes(), "PYTHONPATH", "utf-8") == f"{project};C:\\a;C:\\b"


def test_second_run_changes_nothing(tmp_path):
    home = tmp_path / "home"
    write_xlwings_conf(home, Path(sys.executable), ROOT, encoding="utf-8")
    path = user_config_path(home)
    before = path.read_bytes()
    stat = path.stat()
    lines = write_xlwings_conf(home, Path(sys.executable), ROOT, encoding="utf-8")
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert lines[0].startswith("Excel 加载项配置已是最新，未改动")


def test_chinese_paths_are_written_in_the_ansi_code_page(tmp_path):
    home = tmp_path / "张三"
    project = tmp_path / "办公室" / "台账助手"
    (project / "automation").mkdir(parents=True)
    write_xlwings_conf(home, Path(sys.executable), project, encoding="gbk")
    data = user_config_path(home).read_bytes()
    assert vba_get_config_from_file(data, "PYTHONPATH", "gbk") == str(project)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # GBK bytes, what VBA's Input # reads on a Chinese system


def test_unrepresentable_path_is_refused_and_nothing_written(tmp_path):
    home = tmp_path / "home"
    project = tmp_path / "项目😀"
    with pytest.raises(ValueError, match="代码页"):
        write_xlwings_conf(home, Path(sys.executable), project, encoding="gbk")
    assert not user_config_path(home).exists()


def test_conda_settings_are_kept_with_a_warning(tmp_path):
    home = tmp_path / "home"
    path = user_config_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'"CONDA PATH","C:\\conda"\r\n"CONDA ENV","base"\r\n')
    lines = write_xlwings_conf(home, Path(sys.executable), ROOT, encoding="utf-8")
    assert path.read_bytes().endswith(b'"CONDA PATH","C:\\conda"\r\n"CONDA ENV","base"\r\n')
    assert any(line.startswith("注意：配置中还有 CONDA PATH / CONDA ENV") for line in lines)


def test_a_bom_does_not_hide_an_old_entry(tmp_path):
    home = tmp_path / "home"
    path = user_config_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'\xef\xbb\xbf"INTERPRETER_WIN","C:\\old\\python.exe"\r\n"LICENSE_KEY","k"\r\n')
    write_xlwings_conf(home, Path(sys.executable), ROOT, encoding="utf-8")
    data = path.read_bytes()
    assert data.count(b"INTERPRETER_WIN") == 1
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b'"LICENSE_KEY","k"\r\n')


def test_excel_setup_command_writes_the_user_config(tmp_path):
    """`ledger excel-setup --home TMP` writes xlwings.conf there and prints what it did."""
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run([sys.executable, "-m", "automation", "excel-setup", "--home", str(home)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    conf = (home / ".xlwings" / "xlwings.conf").read_bytes()
    assert b'"INTERPRETER_WIN"' in conf and b'"PYTHONPATH"' in conf
    assert "xlwings addin install" in result.stdout
