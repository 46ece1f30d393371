"""`ledger wps-setup` registers the add-in as Kingsoft's wpsjs does for the installed build:
publish.xml from 12.1.0.16910 on, jsplugins.xml + oem.ini before, both when the build is
unknown; `--uninstall` removes both and puts oem.ini back. On temporary homes and install
folders, for Windows and Linux."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from automation import wps_registration as reg
from automation import wps_setup as setup

JSADDONS = {"linux": ".local/share/Kingsoft/wps/jsaddons", "windows": "AppData/Roaming/kingsoft/wps/jsaddons"}
#: An oem.ini as WPS installs it (CRLF, a section before ours, a comment).
OEM_INI = ("[Setup]\r\nSilent=0\r\nLANG_ID=2052\r\nBUILD_VERSION=11.1.0.10495\r\n\r\n; 单位配置\r\n"
           "[feature]\r\nxn3QfP=hn3QfP\r\n")
OTHER_JSPLUGIN = ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
                  '  <jsplugin name="OaAssist" type="wps" url="http://oa.example/OaAssist.7z" version="2.0"/>\n'
                  '</jsplugins>\n')


def windows_wps(root: Path, version: str, setup_cfg: str | None) -> tuple[Path, str]:
    """A WPS install folder as the registry's open command names it (wpsjs reads it there)."""
    office6 = root / "Kingsoft" / "WPS Office" / version / "office6"
    (office6 / "cfgs").mkdir(parents=True)
    (office6 / "cfgs" / "oem.ini").write_bytes(OEM_INI.encode("utf-8"))
    if setup_cfg is not None:
        (office6 / "cfgs" / "setup.cfg").write_text(setup_cfg, encoding="utf-8")
    command = f'"{office6}/wps.exe" /wps "%1"'
    return office6, command


def linux_wps(root: Path, dpkg_version: str | None = None, setup_cfg: str | None = None) -> Path:
    office6 = root / "opt" / "kingsoft" / "wps-office" / "office6"
    (office6 / "cfgs").mkdir(parents=True)
    (office6 / "cfgs" / "oem.ini").write_bytes(OEM_INI.encode("utf-8"))
    if setup_cfg is not None:
        (office6 / "cfgs" / "setup.cfg").write_text(setup_cfg, encoding="utf-8")
    if dpkg_version:
        status = root / "var" / "lib" / "dpkg" / "status"
        status.parent.mkdir(parents=True)
        status.write_text("Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n"
                          f"Package: wps-office\nStatus: install ok installed\nVersion: {dpkg_version}\n", encoding="utf-8")
    return office6


def install(home: Path, platform: str, **options) -> list[str]:
    return setup.install(home=home, platform=platform, port=28190, python="/usr/bin/python3", **options)


def ours(path: Path) -> list[ET.Element]:
    if not path.exists():
        return []
    return [child for child in ET.parse(path).getroot() if child.get("name") == setup.ADDIN_NAME]


# -- the rule ---------------------------------------------------------------------------------------
def test_the_build_rule_is_wpsjs_s():
    assert reg.parse_setup_cfg("[Version]\nFirstVersion=1\nVersion=16910\n") == ("1", 16910)
    assert reg.parse_setup_cfg("[version]\r\nfirstversion = 1\r\nversion = 12.1.0.16909\r\n") == ("1", 16909)
    assert reg.reads_publish_xml(reg.WpsInstall(None, "1", 16910)) is True
    assert reg.reads_publish_xml(reg.WpsInstall(None, "1", 16909)) is False
    assert reg.reads_publish_xml(reg.WpsInstall(None, "1", 9999)) is False, "a number, not wpsjs's text comparison"
    assert reg.reads_publish_xml(reg.WpsInstall(None, "9", None)) is True
    assert reg.reads_publish_xml(reg.WpsInstall(None, None, None)) is None
    assert reg.registration_modes("windows", reg.WpsInstall(None, "1", 17000)) == ("publish",)
    assert reg.registration_modes("windows", reg.WpsInstall(None, "1", 10495)) == ("jsplugins",)
    assert reg.registration_modes("linux", reg.WpsInstall(None, None, 11719)) == ("publish", "jsplugins")
    assert reg.registration_modes("windows", None) == ("publish", "jsplugins")


def test_the_registry_command_gives_the_office6_folder_as_wpsjs_cuts_it():
    command = r'"C:\Users\张三\AppData\Local\Kingsoft\WPS Office\12.1.0.17147\office6\wps.exe" /wps "%1"'
    office6 = reg.office6_from_command(command)
    assert office6 == Path("C:/Users/张三/AppData/Local/Kingsoft/WPS Office/12.1.0.17147/office6")
    assert reg.version_in_text(str(office6)) == ("12.1.0.17147", 17147)
    assert reg.office6_from_command(r"C:\WPS\office6\wpsoffice.exe %1") == Path("C:/WPS/office6")
    assert reg.office6_from_command("notepad.exe %1") is None


def test_oem_ini_is_edited_line_by_line_and_restored_byte_for_byte(tmp_path):
    path = tmp_path / "oem.ini"
    original = ("[Setup]\r\nSilent=0\r\n; 注释\r\n[support]\r\nJsApiPlugin=false\r\nOther=1\r\n\r\n[Tail]\r\nX=1\r\n")
    path.write_bytes(original.encode("utf-16"))
    change = reg.configure_oem(path)
    text = path.read_bytes().decode("utf-16")
    assert text == ("[Setup]\r\nSilent=0\r\n; 注释\r\n[support]\r\nJsApiPlugin=true\r\nOther=1\r\n\r\n[Tail]\r\nX=1\r\n"
                    "\r\n[Server]\r\nJSPluginsServer=\r\n")
    assert change.previous == {"Support.JsApiPlugin": "false", "Server.JSPluginsServer": None}
    assert reg.configure_oem(path).changed is False, "a second run changes nothing"
    assert change.added_sections == ("Server",)
    reg.restore_oem(path, change.previous, change.added_sections)
    assert path.read_bytes().decode("utf-16") == original


# -- install and uninstall ------------------------------------------------------------------------------
def test_windows_new_build_registers_in_publish_xml_only(tmp_path):
    office6, command = windows_wps(tmp_path / "sys", "12.1.0.17147", "[Version]\nFirstVersion=1\nVersion=17147\n")
    lines = install(tmp_path, "windows", registry=lambda: command)
    jsaddons = tmp_path / JSADDONS["windows"]
    assert len(ours(jsaddons / "publish.xml")) == 1
    assert not (jsaddons / "jsplugins.xml").exists()
    assert (office6 / "cfgs" / "oem.ini").read_bytes() == OEM_INI.encode("utf-8"), "oem.ini untouched"
    assert any("FirstVersion=1, Version=17147" in line and "publish.xml" in line for line in lines)


def test_windows_old_build_registers_in_jsplugins_xml_and_oem_ini_and_uninstall_undoes_it(tmp_path):
    office6, command = windows_wps(tmp_path / "sys", "11.1.0.10495", "[Version]\nFirstVersion=1\nVersion=10495\n")
    jsaddons = tmp_path / JSADDONS["windows"]
    jsaddons.mkdir(parents=True)
    (jsaddons / "jsplugins.xml").write_text(OTHER_JSPLUGIN, encoding="utf-8")
    (jsaddons / "publish.xml").write_text(
        '<jsplugins><jsplugin name="ledger-assistant" type="et" url="ledger-assistant_0.0.1" version="0.0.1"/></jsplugins>',
        encoding="utf-8")
    lines = install(tmp_path, "windows", registry=lambda: command)

    entries = ours(jsaddons / "jsplugins.xml")
    assert len(entries) == 1
    folder = jsaddons / f"{setup.ADDIN_NAME}_{setup.ADDIN_VERSION}"
    assert entries[0].attrib == {"name": "ledger-assistant", "type": "et", "url": folder.as_uri(),
                                 "version": setup.ADDIN_VERSION, "enable": "true"}
    assert (folder / "main.js").is_file()
    names = [child.get("name") for child in ET.parse(jsaddons / "jsplugins.xml").getroot()]
    assert names == ["OaAssist", "ledger-assistant"], "the other add-in's entry is kept"
    assert ours(jsaddons / "publish.xml") == [], "an entry this build does not read is removed"
    oem = (office6 / "cfgs" / "oem.ini").read_bytes().decode("utf-8")
    assert oem == OEM_INI + "\r\n[Support]\r\nJsApiPlugin=true\r\n\r\n[Server]\r\nJSPluginsServer=\r\n"
    assert any("JsApiPlugin=true" in line for line in lines)
    record = json.loads(setup.layout(tmp_path, "windows").oem_record.read_text(encoding="utf-8"))
    assert record == {"path": str(office6 / "cfgs" / "oem.ini"),
                      "previous": {"Support.JsApiPlugin": None, "Server.JSPluginsServer": None},
                      "added_sections": ["Server", "Support"]}

    install(tmp_path, "windows", registry=lambda: command)  # a second run keeps the first record
    assert json.loads(setup.layout(tmp_path, "windows").oem_record.read_text(encoding="utf-8")) == record

    lines = setup.uninstall(home=tmp_path, platform="windows")
    assert ours(jsaddons / "jsplugins.xml") == []
    assert [c.get("name") for c in ET.parse(jsaddons / "jsplugins.xml").getroot()] == ["OaAssist"]
    assert any("仍有其他加载项在用" in line for line in lines), "OaAssist still needs JsApiPlugin=true"
    assert "JsApiPlugin=true" in (office6 / "cfgs" / "oem.ini").read_text(encoding="utf-8")


def test_uninstall_restores_oem_ini_when_no_other_addin_needs_it(tmp_path):
    office6, command = windows_wps(tmp_path / "sys", "11.1.0.10495", None)  # version from the folder name
    lines = install(tmp_path, "windows", registry=lambda: command)
    assert any("11.1.0.10495" in line for line in lines)
    assert "JsApiPlugin=true" in (office6 / "cfgs" / "oem.ini").read_text(encoding="utf-8")
    lines = setup.uninstall(home=tmp_path, platform="windows")
    assert (office6 / "cfgs" / "oem.ini").read_bytes() == OEM_INI.encode("utf-8")
    assert any("恢复原样" in line for line in lines)
    assert not setup.layout(tmp_path, "windows").oem_record.exists()
    assert not setup.layout(tmp_path, "windows").config_dir.exists()


def test_an_upgrade_to_a_new_build_moves_the_entry_to_publish_xml(tmp_path):
    office6, command = windows_wps(tmp_path / "sys", "11.1.0.10495", None)
    install(tmp_path, "windows", registry=lambda: command)
    (office6 / "cfgs" / "setup.cfg").write_text("[Version]\nFirstVersion=1\nVersion=17147\n", encoding="utf-8")
    install(tmp_path, "windows", registry=lambda: command)
    jsaddons = tmp_path / JSADDONS["windows"]
    assert len(ours(jsaddons / "publish.xml")) == 1
    assert ours(jsaddons / "jsplugins.xml") == []
    assert (office6 / "cfgs" / "oem.ini").read_bytes() == OEM_INI.encode("utf-8")


def test_windows_without_a_readable_build_registers_both_ways(tmp_path):
    lines = install(tmp_path, "windows", registry=lambda: None)
    jsaddons = tmp_path / JSADDONS["windows"]
    assert len(ours(jsaddons / "publish.xml")) == 1 and len(ours(jsaddons / "jsplugins.xml")) == 1
    assert any("未能读出已安装 WPS 的版本" in line for line in lines)
    assert any("JsApiPlugin=true" in line and "找不到 WPS 的安装目录" in line for line in lines)
    setup.uninstall(home=tmp_path, platform="windows")
    assert ours(jsaddons / "publish.xml") == [] and ours(jsaddons / "jsplugins.xml") == []


def test_linux_new_build_registers_in_publish_xml_only(tmp_path):
    office6 = linux_wps(tmp_path / "sys", setup_cfg="[Version]\nFirstVersion=1\nVersion=17900\n")
    install(tmp_path, "linux", system_root=tmp_path / "sys")
    jsaddons = tmp_path / JSADDONS["linux"]
    assert len(ours(jsaddons / "publish.xml")) == 1
    assert not (jsaddons / "jsplugins.xml").exists()
    assert (office6 / "cfgs" / "oem.ini").read_bytes() == OEM_INI.encode("utf-8")


def test_linux_old_build_from_dpkg_registers_both_ways_and_uninstall_undoes_it(tmp_path):
    office6 = linux_wps(tmp_path / "sys", dpkg_version="11.1.0.11719")
    lines = install(tmp_path, "linux", system_root=tmp_path / "sys")
    jsaddons = tmp_path / JSADDONS["linux"]
    assert len(ours(jsaddons / "publish.xml")) == 1, "wpsjs writes publish.xml on Linux"
    assert len(ours(jsaddons / "jsplugins.xml")) == 1, "and the older build reads jsplugins.xml"
    assert any("11.1.0.11719" in line and "dpkg" in line for line in lines)
    assert "JSPluginsServer=" in (office6 / "cfgs" / "oem.ini").read_text(encoding="utf-8")
    setup.uninstall(home=tmp_path, platform="linux")
    assert ours(jsaddons / "publish.xml") == [] and ours(jsaddons / "jsplugins.xml") == []
    assert (office6 / "cfgs" / "oem.ini").read_bytes() == OEM_INI.encode("utf-8")


def test_a_units_own_jsplugins_server_is_left_alone_and_named(tmp_path):
    office6, command = windows_wps(tmp_path / "sys", "11.1.0.10495", None)
    oem = office6 / "cfgs" / "oem.ini"
    oem.write_text("[Support]\nJsApiPlugin=true\n[Server]\nJSPluginsServer=http://oa.example/jsplugins.xml\n",
                   encoding="utf-8")
    before = oem.read_bytes()
    lines = install(tmp_path, "windows", registry=lambda: command)
    assert oem.read_bytes() == before
    line = next(line for line in lines if "http://oa.example/jsplugins.xml" in line)
    assert "未改动" in line and '<jsplugin name="ledger-assistant"' in line


def test_an_oem_ini_that_cannot_be_written_is_a_sentence_and_the_rest_is_installed(tmp_path):
    office6, command = windows_wps(tmp_path / "sys", "11.1.0.10495", None)
    (office6 / "cfgs" / "oem.ini").unlink()
    (office6 / "cfgs" / "oem.ini").mkdir()  # unreadable as a file, even for root
    lines = install(tmp_path, "windows", registry=lambda: command)
    line = next(line for line in lines if "无法写入" in line)
    assert "以管理员身份" in line and "JsApiPlugin=true" in line
    assert len(ours(tmp_path / JSADDONS["windows"] / "jsplugins.xml")) == 1
    assert setup.read_token(tmp_path, "windows", env={})


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_an_explicit_home_never_reads_this_machines_wps(tmp_path, platform, monkeypatch):
    monkeypatch.setattr(reg, "windows_registry_command", lambda: pytest.fail("the registry was read"))
    lines = install(tmp_path, platform)
    assert any("未能读出已安装 WPS 的版本" in line for line in lines)
