"""Point the Excel add-in (macros/ledger_assistant.xlam) at this Python installation.

The add-in's VBA (xlwings' RunPython, PROJECT_NAME "xlwings") reads its settings, key by
key, from: an ``xlwings.conf`` sheet in the active workbook, then one in the add-in, then an
``xlwings.conf`` file next to the active workbook, then the user's file
``%USERPROFILE%\\.xlwings\\xlwings.conf`` (``GetConfigFilePath`` in xlwings' VBA). The add-in
ships with its config sheet inactive, so the user file is where the interpreter and the
project folder go. That file is the one ``xlwings config create`` and the standard xlwings
add-in's ribbon write, in the format VBA's ``Write #`` produces and ``Input #`` reads
(``GetConfigFromFile``): one ``"KEY","VALUE"`` pair per line, CRLF, keys compared without
case, the first match winning, in the ANSI code page (VBA file I/O is not Unicode). The
xlwings Python package reads the same file (``xlwings.utils.read_user_config``).
"""

from __future__ import annotations

import codecs
import locale
import os
import re
import sys
from pathlib import Path

from automation.safe_write import write_file_atomically

CONFIG_DIR = ".xlwings"
CONFIG_FILE = "xlwings.conf"
INTERPRETER_KEY = "INTERPRETER_WIN"
PYTHONPATH_KEY = "PYTHONPATH"
CONDA_KEYS = ("CONDA PATH", "CONDA ENV")

_LINE_KEY = re.compile(rb'^\s*"([^"]*)"')


def user_config_path(home: Path) -> Path:
    """Where xlwings' VBA looks for the user config: ``<home>\\.xlwings\\xlwings.conf``."""
    return Path(home) / CONFIG_DIR / CONFIG_FILE


def default_encoding() -> str:
    """The encoding VBA's ``Open ... For Input`` uses: the ANSI code page on Windows."""
    if sys.platform == "win32":
        return "mbcs"
    return locale.getpreferredencoding(False)


def _config_line(key: str, value: str, encoding: str) -> bytes:
    if '"' in value or "\r" in value or "\n" in value:
        raise ValueError(f"{key} 的值含有引号或换行，xlwings.conf 无法保存：{value}")
    try:
        return f'"{key}","{value}"\r\n'.encode(encoding)
    except UnicodeEncodeError:
        raise ValueError(
            f"路径“{value}”含有当前系统代码页（{encoding}）无法表示的字符，Excel 读不到这一设置；"
            "请把 Python 或项目放到只含中文、英文和数字的路径下。"
        ) from None


def _line_key(line: bytes) -> str | None:
    match = _LINE_KEY.match(line)
    if not match:
        return None
    return match.group(1).decode("ascii", errors="replace").strip().upper()


def _line_value(line: bytes, encoding: str) -> str:
    values = re.findall(rb'"([^"]*)"', line)
    return values[1].decode(encoding, errors="replace") if len(values) > 1 else ""


def _same_path(a: str, b: str) -> bool:
    return os.path.normcase(os.path.normpath(a)) == os.path.normcase(os.path.normpath(b))


def write_xlwings_conf(
    home: Path, interpreter: Path, project_dir: Path, *, encoding: str | None = None
) -> list[str]:
    """Set INTERPRETER_WIN and PYTHONPATH in ``<home>/.xlwings/xlwings.conf``.

    ``interpreter`` is the python.exe that has this project installed; ``project_dir`` is
    the folder that contains the ``automation`` package, put first on PYTHONPATH (other
    PYTHONPATH entries already there are kept after it). Every other line of an existing
    file is kept as it is (bytes untouched, line end made CRLF); blank lines are dropped
    (they would shift VBA's ``Input #`` pairs) and so are repeated entries of the two keys.
    The file is replaced atomically and only when something changes. A path the ANSI code
    page cannot represent raises ValueError (Chinese message) and writes nothing. Returns
    what was done, in Chinese, one line per item.
    """
    encoding = encoding or default_encoding()
    path = user_config_path(home)
    interpreter_value = os.path.abspath(os.fspath(interpreter))
    project_value = os.path.abspath(os.fspath(project_dir))

    old_bytes = path.read_bytes() if path.exists() else b""
    body = old_bytes.removeprefix(codecs.BOM_UTF8)  # an editor's BOM would hide the first key
    old_lines = [line for line in body.splitlines() if line.strip()]
    old_values: dict[str, str] = {}
    kept: list[bytes] = []
    kept_keys: list[str] = []
    for line in old_lines:
        key = _line_key(line)
        if key in (INTERPRETER_KEY, PYTHONPATH_KEY):
            old_values.setdefault(key, _line_value(line, encoding))  # VBA reads the first one
            continue
        kept.append(line.rstrip(b"\r\n") + b"\r\n")
        if key is not None:
            kept_keys.append(key)

    old_pythonpath = old_values.get(PYTHONPATH_KEY, "")
    other_entries = [
        entry for entry in old_pythonpath.split(";") if entry.strip() and not _same_path(entry, project_value)
    ]
    pythonpath_value = ";".join([project_value] + other_entries)

    new_bytes = (
        _config_line(INTERPRETER_KEY, interpreter_value, encoding)
        + _config_line(PYTHONPATH_KEY, pythonpath_value, encoding)
        + b"".join(kept)
    )

    report: list[str] = []
    if new_bytes == old_bytes:
        report.append(f"Excel 加载项配置已是最新，未改动：{path}")
    else:
        write_file_atomically(path, new_bytes)
        verb = "已更新" if old_bytes else "已创建"
        report.append(f"{verb} Excel 加载项配置：{path}")
    report.append(f"Python 解释器（{INTERPRETER_KEY}）：{interpreter_value}")
    old_interpreter = old_values.get(INTERPRETER_KEY)
    if old_interpreter and not _same_path(old_interpreter, interpreter_value):
        report.append(f"原解释器设置已替换：{old_interpreter}")
    report.append(f"项目目录（{PYTHONPATH_KEY} 首项）：{project_value}")
    if other_entries:
        report.append(f"{PYTHONPATH_KEY} 中原有的其他路径已保留：{';'.join(other_entries)}")
    if kept_keys:
        report.append(f"保留原有设置 {len(kept_keys)} 项：{'、'.join(kept_keys)}")
    if not Path(interpreter_value).is_file():
        report.append(f"注意：解释器文件不存在：{interpreter_value}")
    if not (Path(project_value) / "automation").is_dir():
        report.append(f"注意：项目目录下没有 automation 包：{project_value}")
    conda = [key for key in CONDA_KEYS if key in kept_keys]
    if conda:
        report.append(
            f"注意：配置中还有 {' / '.join(conda)}，xlwings 会先激活该 conda 环境再运行上面的解释器；"
            "如不需要请删除这两项。"
        )
    return report
