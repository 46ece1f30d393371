"""`ledger wps-setup` and `--uninstall`, on a temporary home folder, in the Windows and the Linux layout."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation import wps_setup as setup
from automation.cli import main
from automation.service import DEFAULT_PORT
from automation.summary import OWNED_SHEETS

CJK = re.compile(r"[\u4e00-\u9fff]")
LAYOUTS = {
    "linux": {"jsaddons": ".local/share/Kingsoft/wps/jsaddons", "token": ".config/ledger-assistant/token",
              "autostart": ".config/autostart/ledger-assistant-service.desktop"},
    "windows": {"jsaddons": "AppData/Roaming/kingsoft/wps/jsaddons", "token": "AppData/Roaming/ledger-assistant/token",
                "autostart": "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/ledger-assistant-service.cmd"},
}
OTHER_ADDIN = ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n  <!-- 单位 OA 助手 -->\n'
               '  <jsplugin name="OaAssist" type="wps" url="http://oa.example/addin/" version="2.0" enable="true"/>\n'
               '</jsplugins>\n')


class Recorder:
    """A stand-in for subprocess.run on Windows: records commands, answers with a return code."""

    def __init__(self, returncode: int = 0, stderr: str = ""):
        self.commands: list[list[str]] = []
        self.returncode = returncode
        self.stderr = stderr

    def __call__(self, command):
        self.commands.append(list(command))
        return subprocess.CompletedProcess(list(command), self.returncode, "", self.stderr)


def install(home: Path, platform: str, **options) -> list[str]:
    options.setdefault("port", DEFAULT_PORT)
    options.setdefault("python", "/opt/python/bin/python3")
    return setup.install(home=home, platform=platform, **options)


def manifest_entries(path: Path) -> list[ET.Element]:
    return [child for child in ET.parse(path).getroot() if child.get("name") == setup.ADDIN_NAME]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_install_writes_the_addin_the_manifest_the_token_and_the_settings(tmp_path, platform):
    lines = install(tmp_path, platform)
    where = LAYOUTS[platform]
    jsaddons = tmp_path / where["jsaddons"]
    folder = jsaddons / f"ledger-assistant_{setup.ADDIN_VERSION}"
    for name in setup.ADDIN_FILES:
        assert (folder / name).read_bytes() == (setup.addin_source() / name).read_bytes(), name
    assert not (folder / "test").exists(), "tests are not installed"

    entries = manifest_entries(jsaddons / "publish.xml")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.tag == "jsplugin"  # offline: the files are local, nothing is downloaded
    assert entry.get("type") == "et"
    assert entry.get("url") == folder.name
    assert entry.get("version") == setup.ADDIN_VERSION
    assert (jsaddons / entry.get("url") / "ribbon.xml").is_file(), "the manifest names the folder setup wrote"

    token_file = tmp_path / where["token"]
    token = token_file.read_text().strip()
    assert len(token) >= 40
    assert mode(token_file) == 0o600, "only the user can read the token"
    assert mode(token_file.parent) == 0o700

    settings_file = folder / "js" / "settings.js"
    assert mode(settings_file) == 0o600
    settings = json.loads(re.search(r"window\.LEDGER_SETTINGS = (\{.*\});", settings_file.read_text()).group(1))
    assert settings == {"port": DEFAULT_PORT, "token": token, "ledgerSheet": "", "ownedSheets": list(OWNED_SHEETS),
                        "version": setup.ADDIN_VERSION}
    assert setup.read_token(tmp_path, platform, env={}) == token

    assert all(CJK.search(line) for line in lines), "every line says what was done, in Chinese"
    assert str(folder) in "\n".join(lines)


def test_linux_autostart_is_an_xdg_desktop_entry(tmp_path):
    lines = install(tmp_path, "linux", python="/opt/my python/bin/python3", port=30123,
                    config_path=tmp_path / "台账" / "config.ini")
    desktop = (tmp_path / LAYOUTS["linux"]["autostart"]).read_text()
    assert "[Desktop Entry]" in desktop and "Type=Application" in desktop
    exec_line = next(line for line in desktop.splitlines() if line.startswith("Exec="))
    assert exec_line == (f'Exec="/opt/my python/bin/python3" -m automation serve --port 30123 --config '
                         f'{tmp_path / "台账" / "config.ini"}')
    assert "Terminal=false" in desktop
    assert any("自动启动" in line for line in lines)


def test_windows_autostart_is_printed_not_run_off_windows(tmp_path):
    lines = install(tmp_path, "windows")
    shown = next(line for line in lines if "schtasks" in line)
    assert "请在 Windows 上运行" in shown
    assert "/Create" in shown and "/SC ONLOGON" in shown and f"/TN {setup.TASK_NAME}" in shown
    assert "-m automation serve --port 28190" in shown
    assert not (tmp_path / LAYOUTS["windows"]["autostart"]).exists()


def test_windows_autostart_runs_schtasks_on_windows(tmp_path):
    runner = Recorder()
    lines = install(tmp_path, "windows", runner=runner, python=r"C:\Python311\python.exe")
    assert len(runner.commands) == 1
    command = runner.commands[0]
    assert command[:6] == ["schtasks", "/Create", "/F", "/SC", "ONLOGON", "/TN"]
    assert command[command.index("/TR") + 1] == r"C:\Python311\python.exe -m automation serve --port 28190"
    assert any("任务计划" in line for line in lines)
    assert not (tmp_path / LAYOUTS["windows"]["autostart"]).exists()


def test_windows_autostart_falls_back_to_the_startup_folder(tmp_path):
    runner = Recorder(returncode=1, stderr="错误: 拒绝访问。")
    lines = install(tmp_path, "windows", runner=runner, python=r"C:\Program Files\Python311\python.exe")
    script = tmp_path / LAYOUTS["windows"]["autostart"]
    text = script.read_text(encoding="utf-8")
    assert 'start "" "C:\\Program Files\\Python311\\python.exe" -m automation serve --port 28190' in text
    assert any("拒绝访问" in line and str(script) in line for line in lines)
    uninstall_runner = Recorder()
    setup.uninstall(home=tmp_path, platform="windows", runner=uninstall_runner)
    assert uninstall_runner.commands == [["schtasks", "/Delete", "/F", "/TN", setup.TASK_NAME]]
    assert not script.exists()


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_reinstall_keeps_the_token_and_other_addins_and_drops_old_versions(tmp_path, platform):
    jsaddons = tmp_path / LAYOUTS[platform]["jsaddons"]
    jsaddons.mkdir(parents=True)
    (jsaddons / "publish.xml").write_text(OTHER_ADDIN, encoding="utf-8")
    old = jsaddons / "ledger-assistant_0.0.1"
    (old / "js").mkdir(parents=True)
    (old / "js" / "ledger.js").write_text("// old")
    install(tmp_path, platform)
    token = setup.read_token(tmp_path, platform, env={})
    install(tmp_path, platform, sheet="台账2026")
    assert setup.read_token(tmp_path, platform, env={}) == token
    assert not old.exists()
    root = ET.parse(jsaddons / "publish.xml").getroot()
    assert [child.get("name") for child in root if isinstance(child.tag, str)] == ["OaAssist", "ledger-assistant"]
    assert "单位 OA 助手" in (jsaddons / "publish.xml").read_text(encoding="utf-8"), "comments are kept"
    settings = (jsaddons / f"ledger-assistant_{setup.ADDIN_VERSION}" / "js" / "settings.js").read_text()
    assert '"ledgerSheet": "台账2026"' in settings
    install(tmp_path, platform, new_token=True)
    assert setup.read_token(tmp_path, platform, env={}) != token


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_uninstall_removes_all_of_it_and_keeps_other_addins(tmp_path, platform):
    jsaddons = tmp_path / LAYOUTS[platform]["jsaddons"]
    jsaddons.mkdir(parents=True)
    (jsaddons / "publish.xml").write_text(OTHER_ADDIN, encoding="utf-8")
    (jsaddons / "jsplugins.xml").write_text(
        '<jsplugins><jsplugin name="ledger-assistant" type="et" url="x" version="0.0.1"/></jsplugins>', encoding="utf-8")
    install(tmp_path, platform)
    setup.layout(tmp_path, platform).log_file.write_text("2026-06-28 INFO ...\n")  # ledger serve's log
    lines = setup.uninstall(home=tmp_path, platform=platform)
    assert not list(jsaddons.glob("ledger-assistant_*"))
    assert manifest_entries(jsaddons / "publish.xml") == []
    assert manifest_entries(jsaddons / "jsplugins.xml") == []
    assert [c.get("name") for c in ET.parse(jsaddons / "publish.xml").getroot() if isinstance(c.tag, str)] == ["OaAssist"]
    assert not (tmp_path / LAYOUTS[platform]["token"]).exists()
    assert not (tmp_path / LAYOUTS[platform]["token"]).parent.exists()
    assert not (tmp_path / LAYOUTS[platform]["autostart"]).exists()
    assert setup.read_token(tmp_path, platform, env={}) is None
    assert all(CJK.search(line) for line in lines)
    if platform == "windows":
        assert any("schtasks /Delete /F /TN LedgerAssistantService" in line for line in lines)
    again = setup.uninstall(home=tmp_path, platform=platform)
    assert any("没有找到已安装" in line for line in again)


def test_a_broken_manifest_is_left_alone(tmp_path):
    jsaddons = tmp_path / LAYOUTS["linux"]["jsaddons"]
    jsaddons.mkdir(parents=True)
    (jsaddons / "publish.xml").write_text("<jsplugins><jsplugin name=", encoding="utf-8")
    with pytest.raises(ValueError, match="格式有误"):
        install(tmp_path, "linux")
    assert (jsaddons / "publish.xml").read_text() == "<jsplugins><jsplugin name="
    assert not list(jsaddons.glob("ledger-assistant_*"))
    assert not (tmp_path / LAYOUTS["linux"]["token"]).exists()


def test_missing_addin_files_are_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="找不到 WPS 加载项文件"):
        install(tmp_path, "linux", source=tmp_path / "nowhere")


def test_the_token_comes_from_the_environment_first(tmp_path):
    install(tmp_path, "linux")
    assert setup.read_token(tmp_path, "linux", env={"LEDGER_TOKEN": " from-env "}) == "from-env"


def test_default_layouts_follow_appdata_and_xdg(tmp_path):
    windows = setup.layout(None, "windows", env={"APPDATA": str(tmp_path / "Roaming")})
    assert windows.jsaddons == tmp_path / "Roaming" / "kingsoft" / "wps" / "jsaddons"
    assert windows.token_file == tmp_path / "Roaming" / "ledger-assistant" / "token"
    linux = setup.layout(None, "linux", env={"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert linux.jsaddons == Path.home() / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"
    assert linux.token_file == tmp_path / "cfg" / "ledger-assistant" / "token"
    assert linux.autostart == tmp_path / "cfg" / "autostart" / "ledger-assistant-service.desktop"
    explicit = setup.layout(tmp_path, "linux", env={"XDG_CONFIG_HOME": "/elsewhere"})
    assert explicit.token_file == tmp_path / ".config" / "ledger-assistant" / "token", "--home ignores the environment"
    with pytest.raises(ValueError, match="不支持的平台"):
        setup.layout(tmp_path, "macos")


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_the_command_installs_and_uninstalls(tmp_path, platform, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.ini").write_text("[ledger]\nsheet = 台账\n\n[service]\nport = 30555\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["wps-setup", "--home", str(tmp_path / "home"), "--platform", platform])
    assert result.exit_code == 0, result.output
    assert "安装台账助手 WPS 加载项" in result.output and "端口 30555" in result.output and "台账工作表“台账”" in result.output
    jsaddons = tmp_path / "home" / LAYOUTS[platform]["jsaddons"]
    settings = (jsaddons / f"ledger-assistant_{setup.ADDIN_VERSION}" / "js" / "settings.js").read_text()
    assert '"port": 30555' in settings
    if platform == "linux":
        desktop = (tmp_path / "home" / LAYOUTS["linux"]["autostart"]).read_text()
        assert f"--port 30555 --config {tmp_path / 'config.ini'}" in desktop
        assert sys.executable in desktop
    result = runner.invoke(main, ["wps-setup", "--home", str(tmp_path / "home"), "--platform", platform, "--uninstall"])
    assert result.exit_code == 0, result.output
    assert "卸载台账助手 WPS 加载项" in result.output
    assert not list(jsaddons.glob("ledger-assistant_*"))


def test_the_command_reports_a_broken_manifest_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    jsaddons = tmp_path / LAYOUTS["linux"]["jsaddons"]
    jsaddons.mkdir(parents=True)
    (jsaddons / "publish.xml").write_text("<oops/>", encoding="utf-8")
    result = CliRunner().invoke(main, ["wps-setup", "--home", str(tmp_path), "--platform", "linux"])
    assert result.exit_code == 2
    assert "格式有误" in result.output and "Traceback" not in result.output


def test_the_installed_token_lets_ledger_serve_start(tmp_path):
    """What setup writes is what the service reads (same home, no LEDGER_TOKEN)."""
    install(tmp_path, "linux")
    env = {key: value for key, value in os.environ.items() if key not in ("LEDGER_TOKEN", "XDG_CONFIG_HOME")}
    env["HOME"] = str(tmp_path)
    code = ("from automation.wps_setup import read_token; import sys; "
            "sys.stdout.write(read_token() or '')")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout == setup.read_token(tmp_path, "linux", env={})
