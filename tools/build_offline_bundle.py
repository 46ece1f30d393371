"""Build the offline installation bundle for intranet PCs (run on a PC with internet access).

    python tools/build_offline_bundle.py --output dist/ledger-offline

makes `dist/ledger-offline/` and `dist/ledger-offline.zip` holding:
- `wheels/`: the project's own wheel and every wheel it needs, for each target platform
  (default: Windows x64, Linux x86_64, Linux aarch64) and Python version (default 3.11, 3.12),
  fetched with `pip download --only-binary=:all: --platform ... --python-version ...`;
- `install.bat` (Windows) and `install.sh` (Linux): make a virtual environment from the PC's
  own Python and `pip install --no-index --find-links wheels ledger-assistant`;
- `config.ini`, `sample_ledger.xlsx` and `安装说明.txt`.
Copy the folder (or the zip) to the intranet PC and run the install script there; no network
is needed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "ledger-assistant"

#: Target name -> the platform tags pip may choose wheels for (newest first).
TARGETS = {
    "win-amd64": ["win_amd64"],
    "linux-x86_64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"],
    "linux-aarch64": ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64",
                      "linux_aarch64"],
}
DEFAULT_PYTHONS = ["3.11", "3.12"]
#: Environment markers of each target. `pip download --platform` still evaluates markers for
#: the machine it runs on, so a Windows-only dependency (xlwings -> pywin32, click -> colorama)
#: is missed from Linux; the bundle adds them by evaluating every wheel's markers for the target.
MARKERS = {
    "win-amd64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                  "platform_machine": "AMD64"},
    "linux-x86_64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                     "platform_machine": "x86_64"},
    "linux-aarch64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                      "platform_machine": "aarch64"},
}

INSTALL_SH = """#!/bin/sh
# 台账助手 离线安装（Linux / 信创电脑）。用法：sh install.sh [安装到的文件夹]
# Offline install: makes a virtual environment from the local Python 3.11+ and installs from ./wheels.
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
TARGET="${1:-$HOME/ledger-assistant}"
# The bundle holds wheels for Python {versions}: use one of those (newest first) unless PYTHON is set.
if [ -z "$PYTHON" ]; then
  for candidate in {commands} python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "需要 Python {versions}（当前：$("$PYTHON" --version 2>&1)）。可用 PYTHON=/路径/python3.12 sh install.sh 指定。"; exit 2; }
"$PYTHON" -m venv "$TARGET"
"$TARGET/bin/python" -m pip install --no-index --find-links "$HERE/wheels" ledger-assistant
echo "安装完成。命令：$TARGET/bin/ledger（例如：$TARGET/bin/ledger check \\"$HERE/sample_ledger.xlsx\\"）"
"""

INSTALL_BAT = """@echo off
chcp 65001 >nul
rem 台账助手 离线安装（Windows）。用法：install.bat [安装到的文件夹]
rem Offline install: makes a virtual environment from the local Python 3.11+ and installs from wheels\\.
setlocal
set "HERE=%~dp0"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%USERPROFILE%\\ledger-assistant"
rem The bundle holds wheels for Python {versions}: the py launcher picks one of those (newest first).
set "PY="
{launchers}
if not defined PY set "PY=python"
%PY% -c "import sys; sys.exit(sys.version_info < (3, 11))" || (echo 需要 Python {versions}（python.org 安装版，勾选 Add python.exe to PATH）。& exit /b 2)
%PY% -m venv "%TARGET%" || exit /b 1
"%TARGET%\\Scripts\\python.exe" -m pip install --no-index --find-links "%HERE%wheels" ledger-assistant || exit /b 1
echo 安装完成。命令："%TARGET%\\Scripts\\ledger.exe"，例如："%TARGET%\\Scripts\\ledger.exe" check "%HERE%sample_ledger.xlsx"
echo Excel 加载项：运行 "%TARGET%\\Scripts\\ledger.exe" excel-setup；WPS 加载项：运行 "%TARGET%\\Scripts\\ledger.exe" wps-setup
endlocal
"""

README = """台账助手 离线安装包

1. 把整个文件夹（或 zip 解压后的文件夹）复制到内网电脑。电脑上需要 Python 3.11 或 3.12
   （Windows：python.org 安装版；信创 Linux：系统自带的 python3，或另装 3.11+）。
2. Windows：双击 install.bat（或在命令提示符中运行 install.bat D:\\台账助手）；
   Linux：sh install.sh（或 sh install.sh /opt/ledger-assistant）。
   默认安装到用户文件夹下的 ledger-assistant，不需要管理员权限，也不需要网络。
3. 试一试：ledger check sample_ledger.xlsx（命令在安装文件夹的 Scripts\\ 或 bin/ 下）。
4. Excel 加载项：ledger excel-setup；WPS 加载项：ledger wps-setup（见 README“在 Excel 中使用”“在 WPS 中使用”）。
config.ini 是默认配置，可复制到台账旁边修改。
"""


def run(command: list[str]) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def _metadata(wheel: Path):
    import email.parser
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def missing_requirements(folder: Path, environment: dict[str, str]) -> list[str]:
    """Requirements of the wheels in `folder` that apply on the target (by their markers) and
    have no wheel in `folder` yet."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename

    present = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in folder.glob("*.whl")}
    wanted: dict[str, str] = {}
    for wheel in sorted(folder.glob("*.whl")):
        for line in _metadata(wheel).get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(dict(environment, extra="")):
                continue
            name = canonicalize_name(requirement.name)
            if name not in present:
                requirement.marker = None
                wanted.setdefault(name, str(requirement))
    return sorted(wanted.values())


def build(output: Path, targets: list[str], pythons: list[str], make_zip: bool = True) -> Path:
    """Build the bundle folder (and zip); return the folder."""
    if output.exists():
        shutil.rmtree(output)
    wheels = output / "wheels"
    wheels.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip"]
    run(pip + ["wheel", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)])
    own = next(wheels.glob("ledger_assistant-*.whl"))
    staging = output.parent / (output.name + ".staging")
    for target in targets:
        platforms = [arg for tag in TARGETS[target] for arg in ("--platform", tag)]
        for version in pythons:
            abi = "cp" + version.replace(".", "")
            download = pip + ["download", "--only-binary=:all:", *platforms, "--python-version", version,
                              "--implementation", "cp", "--abi", abi, "--abi", "abi3", "--abi", "none",
                              "--dest", str(staging)]
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            shutil.copy2(own, staging / own.name)
            run(download + [str(own)])
            environment = dict(MARKERS[target], python_version=version, python_full_version=version + ".0",
                               implementation_name="cpython", platform_python_implementation="CPython")
            while missing := missing_requirements(staging, environment):
                run(download + missing)
            for wheel in staging.glob("*.whl"):
                if not (wheels / wheel.name).exists():
                    shutil.move(str(wheel), wheels / wheel.name)
            shutil.rmtree(staging)
    write_scripts(output, pythons)
    (output / "安装说明.txt").write_text(README, encoding="utf-8", newline="\r\n")
    shutil.copyfile(ROOT / "config.ini", output / "config.ini")
    shutil.copyfile(ROOT / "examples" / "sample_ledger.xlsx", output / "sample_ledger.xlsx")
    if make_zip:
        archive = shutil.make_archive(str(output), "zip", root_dir=output.parent, base_dir=output.name)
        print(f"已生成：{output}/ 和 {archive}")
    return output


def write_scripts(output: Path, pythons: list[str]) -> None:
    """install.sh (LF) and install.bat (CRLF), preferring the Python versions the wheels are for."""
    newest_first = sorted(pythons, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    versions = " / ".join(newest_first)
    commands = " ".join(f"python{version}" for version in newest_first)
    launchers = "\n".join(f'if not defined PY (py -{version} -c "" >nul 2>nul && set "PY=py -{version}")'
                          for version in newest_first)
    (output / "install.sh").write_text(INSTALL_SH.replace("{versions}", versions).replace("{commands}", commands),
                                       encoding="utf-8", newline="\n")
    (output / "install.sh").chmod(0o755)
    (output / "install.bat").write_text(INSTALL_BAT.replace("{versions}", versions).replace("{launchers}", launchers),
                                        encoding="utf-8", newline="\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成台账助手的离线安装包（在能上网的电脑上运行）。")
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "ledger-offline",
                        help="安装包文件夹（同时生成同名 .zip）")
    parser.add_argument("--target", dest="targets", action="append", choices=sorted(TARGETS),
                        help="目标平台，可重复；默认全部：win-amd64、linux-x86_64、linux-aarch64")
    parser.add_argument("--python", dest="pythons", action="append", metavar="3.11",
                        help="目标 Python 版本，可重复；默认 3.11 和 3.12")
    parser.add_argument("--no-zip", action="store_true", help="只生成文件夹，不打 zip 包")
    args = parser.parse_args(argv)
    try:
        build(args.output, args.targets or list(TARGETS), args.pythons or DEFAULT_PYTHONS, not args.no_zip)
    except subprocess.CalledProcessError as error:
        print(f"错误：命令失败（退出码 {error.returncode}）：{' '.join(error.cmd)}。请检查网络连接后重试。",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
