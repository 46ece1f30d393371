"""Installed as users install it (issue 17, points 7 and 8): from a wheel, not from the
source tree, every command finds what it needs; and the offline bundle installs with the
network cut, after which check, refresh, excel-setup and wps-setup work."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.ledger_factory import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "examples" / "sample_ledger.xlsx"
#: pip without this machine's own configuration (its local indexes and find-links).
PIP_ENV = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
PIP_ENV.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONIOENCODING="utf-8",
               PYTHONUTF8="1")


def _run(command, timeout=300, **kwargs):
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout, **kwargs)


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def _check_commands(ledger: Path, venv: Path, tmp_path: Path, prefix=()) -> None:
    """check, refresh, excel-setup and wps-setup of an installed (non-editable) package."""
    ledger_cmd = [*prefix, _bin(venv, "ledger")]
    env = dict(PIP_ENV, HOME=str(tmp_path / "home"))
    where = _run([*prefix, _bin(venv, "python"), "-c", "import automation; print(automation.__file__)"], env=env,
                 cwd=tmp_path)
    assert where.returncode == 0 and str(PROJECT_ROOT) not in where.stdout, where  # not the source tree
    result = _run([*ledger_cmd, "check", ledger, "--today", "2026-06-28"], env=env, cwd=tmp_path)
    assert result.returncode == 0 and "合计 60 件" in result.stdout, result
    copy = tmp_path / "副本.xlsx"
    result = _run([*ledger_cmd, "refresh", ledger, "--today", "2026-06-28", "--output", copy], env=env, cwd=tmp_path)
    assert result.returncode == 0 and zipfile.is_zipfile(copy), result
    home = tmp_path / "home"
    result = _run([*ledger_cmd, "excel-setup", "--home", home], env=env, cwd=tmp_path)
    assert result.returncode == 0, result
    xlam = next(line for line in result.stdout.splitlines() if "xlwings addin install" in line)
    shipped = Path(xlam.split('"')[1])
    assert shipped.is_file() and shipped.name == "ledger_assistant.xlam" and str(PROJECT_ROOT) not in str(shipped)
    assert shipped.read_bytes() == (PROJECT_ROOT / "macros" / "ledger_assistant.xlam").read_bytes()
    result = _run([*ledger_cmd, "wps-setup", "--home", home, "--platform", "linux"], env=env, cwd=tmp_path)
    assert result.returncode == 0, result
    installed = list((home / ".local/share/Kingsoft/wps/jsaddons").glob("ledger-assistant_*"))
    assert len(installed) == 1
    assert (installed[0] / "js" / "ledger.js").read_bytes() == (PROJECT_ROOT / "macros/wps/js/ledger.js").read_bytes()
    assert not (installed[0] / "test").exists()


def _build_wheel(folder: Path) -> Path:
    result = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", folder, PROJECT_ROOT],
                  env=dict(os.environ, PYTHONIOENCODING="utf-8"), timeout=300)
    if result.returncode != 0:
        pytest.skip(f"cannot build the wheel here (setuptools unavailable?): {result.stderr[-300:]}")
    return next(folder.glob("ledger_assistant-*.whl"))


def test_commands_work_from_a_wheel_in_a_fresh_venv(tmp_path: Path):
    wheel = _build_wheel(tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"automation/macros/ledger_assistant.xlam", "automation/macros/LedgerRibbon.bas",
            "automation/macros/wps/index.html", "automation/macros/wps/js/ledger.js",
            "automation/report/__init__.py", "automation/templates/report_template.docx"} <= names
    assert not any("/wps/test/" in name or "node_modules" in name or name.endswith("build_addin.py")
                   for name in names)
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", venv]).returncode == 0
    install = _run([_bin(venv, "python"), "-m", "pip", "install", "--no-index", "--no-deps", wheel], env=PIP_ENV)
    assert install.returncode == 0, install
    # The dependencies come from this test environment (no network needed); the package itself
    # is the wheel's copy, in the fresh venv's site-packages (first on sys.path).
    site = _run([_bin(venv, "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (Path(site) / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _check_commands(SAMPLE, venv, tmp_path)
    # The report package finds its Word template inside the installed wheel: the same document
    # as from the source tree.
    env = dict(PIP_ENV, HOME=str(tmp_path / "home"))
    report = [_bin(venv, "ledger"), "report", SAMPLE, "--today", "2026-06-28", "-o"]
    assert _run([*report, tmp_path / "wheel.docx"], env=env, cwd=tmp_path).returncode == 0
    source = _run([sys.executable, "-m", "automation", *report[1:], tmp_path / "source.docx"], cwd=PROJECT_ROOT)
    assert source.returncode == 0, source
    with zipfile.ZipFile(tmp_path / "wheel.docx") as wheel_doc, zipfile.ZipFile(tmp_path / "source.docx") as src_doc:
        assert wheel_doc.read("word/document.xml") == src_doc.read("word/document.xml")


def _online() -> bool:
    try:
        with socket.create_connection(("pypi.org", 443), timeout=5):
            return True
    except OSError:
        return False


def _can_cut_network() -> bool:
    try:
        return _run(["unshare", "-n", "true"], timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.timeout(1500)  # downloads and installs ~60 MB of wheels: minutes, not seconds
@pytest.mark.skipif(sys.platform != "linux", reason="the bundle test installs the Linux x86_64 part")
@pytest.mark.skipif(not _can_cut_network(), reason="needs unshare -n (a network namespace) to cut the network")
@pytest.mark.skipif(not _online(), reason="building the bundle downloads wheels from pypi.org")
def test_offline_bundle_installs_with_the_network_cut(tmp_path: Path):
    import platform

    if platform.machine() != "x86_64":
        pytest.skip("the test installs the linux-x86_64 part")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    bundle = tmp_path / "dist" / "ledger-offline"
    build = _run([sys.executable, PROJECT_ROOT / "tools" / "build_offline_bundle.py", "--output", bundle,
                  "--target", "linux-x86_64", "--python", version], env=PIP_ENV, timeout=900)
    assert build.returncode == 0, build.stderr[-2000:]
    with zipfile.ZipFile(bundle.with_suffix(".zip")) as archive:
        assert "ledger-offline/install.sh" in archive.namelist()
        assert "ledger-offline/install.bat" in archive.namelist()
    assert (bundle / "install.bat").read_bytes().count(b"\r\n") > 5  # Windows line ends
    target = tmp_path / "安装"
    cut = ["unshare", "-n"]
    probe = _run([*cut, sys.executable, "-c", "import socket; socket.create_connection(('pypi.org', 443), 3)"])
    assert probe.returncode != 0  # the network really is cut
    install = _run([*cut, "sh", bundle / "install.sh", target], env=dict(PIP_ENV, PYTHON=sys.executable), timeout=600)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    assert "安装完成" in install.stdout
    _check_commands(bundle / "sample_ledger.xlsx", target, tmp_path, prefix=cut)
