"""The WPS add-in (macros/wps/): package checks, and its Node tests run from pytest on fresh fixtures."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from automation import wps_setup as setup
from automation.service import DEFAULT_PORT, MARKER_NAME, NOTE_PREFIX, TOKEN_HEADER
from automation.summary import OWNED_SHEETS

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "macros" / "wps"
NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
CALLBACK_ATTRIBUTES = ("onLoad", "onAction", "getImage", "getLabel", "getEnabled", "getVisible", "getScreentip")
CJK = re.compile(r"[\u4e00-\u9fff]")
NODE = shutil.which("node")


def ribbon() -> ET.Element:
    return ET.parse(ADDIN / "ribbon.xml").getroot()


def callbacks() -> set[str]:
    return {element.get(name) for element in ribbon().iter() for name in CALLBACK_ATTRIBUTES if element.get(name)}


def node_eval(script: str) -> object:
    done = subprocess.run([NODE, "-e", script], cwd=ADDIN, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def make_fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixture", ADDIN / "test" / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the ribbon ------------------------------------------------------------------------------------
def test_the_ribbon_has_the_tab_and_the_three_buttons_with_chinese_labels():
    root = ribbon()
    assert root.tag == f"{NS}customUI"
    tabs = list(root.iter(f"{NS}tab"))
    assert [tab.get("label") for tab in tabs] == ["台账助手"]
    buttons = list(root.iter(f"{NS}button"))
    assert [button.get("label") for button in buttons] == ["一键统计", "逾期清单", "生成汇报"]
    for element in [*tabs, *root.iter(f"{NS}group"), *buttons]:
        assert CJK.search(element.get("label")), element.get("id")
    for button in buttons:
        assert CJK.search(button.get("supertip") or ""), button.get("id")


def test_the_buttons_are_the_excel_addins():
    excel = ET.parse(ROOT / "macros" / "customUI14.xml").getroot() if (ROOT / "macros" / "customUI14.xml").exists() \
        else None
    if excel is None:
        pytest.skip("the Excel ribbon is not there")
    ids = [b.get("id") for b in excel.iter() if b.tag.endswith("button")]
    labels = [b.get("label") for b in excel.iter() if b.tag.endswith("button")]
    assert [b.get("id") for b in ribbon().iter(f"{NS}button")] == ids
    assert [b.get("label") for b in ribbon().iter(f"{NS}button")] == labels


def test_every_callback_in_ribbon_xml_is_exported_by_the_javascript():
    names = callbacks()
    assert {"OnAddinLoad", "OnAction", "GetImage"} <= names
    source = (ADDIN / "js" / "ribbon.js").read_text(encoding="utf-8")
    for name in names:
        assert re.search(rf"\bfunction {name}\(", source), f"{name} is not defined in ribbon.js"
        assert re.search(rf"\broot\.{name} = {name};", source), f"{name} is not put on window"
    if NODE:
        script = ("const vm=require('vm'),fs=require('fs');const window={};"
                  "const LedgerAddin=require('./js/ledger.js');"
                  "vm.runInNewContext(fs.readFileSync('js/ribbon.js','utf8'),{window,LedgerAddin});"
                  "console.log(JSON.stringify(Object.keys(window).filter(k=>typeof window[k]==='function')))")
        assert names <= set(node_eval(script))


def test_the_javascript_agrees_with_the_python_side():
    if not NODE:
        pytest.skip("node is not installed")
    script = ("const L=require('./js/ledger.js');console.log(JSON.stringify({d:L.DEFAULT_SETTINGS,"
              "b:Object.keys(L.BUTTONS)}))")
    found = node_eval(script)
    assert found["d"]["ownedSheets"] == list(OWNED_SHEETS)
    assert found["d"]["port"] == DEFAULT_PORT
    assert sorted(found["b"]) == sorted(b.get("id") for b in ribbon().iter(f"{NS}button"))
    source = (ADDIN / "js" / "ledger.js").read_text(encoding="utf-8")
    assert f'"{NOTE_PREFIX}"' in source and f'"{MARKER_NAME}"' in source and f'"{TOKEN_HEADER}"' in source


def test_the_addin_files_setup_installs_are_all_there_and_no_settings_are_committed():
    for name in setup.ADDIN_FILES:
        assert (ADDIN / name).is_file(), name
    assert not (ADDIN / setup.SETTINGS_FILE).exists(), "settings.js (with a token) is written by wps-setup only"
    # node_modules (npm ci: the type-check tools) is never installed with the add-in nor committed
    assert not any(name.startswith(("node_modules", "package", "tsconfig", "types/")) for name in setup.ADDIN_FILES)
    assert "macros/wps/node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    html = (ADDIN / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<script [^>]*src="([^"]+)"', html) == ["./main.js"]
    main = (ADDIN / "main.js").read_text(encoding="utf-8")
    scripts = re.findall(r"src='([^']+)'", main)
    assert scripts == [setup.SETTINGS_FILE, "js/ledger.js", "js/ribbon.js"]
    for script in scripts[1:]:
        assert script in setup.ADDIN_FILES, script
    for image in re.findall(r'"(images/[^"]+)"', (ADDIN / "js" / "ledger.js").read_text(encoding="utf-8")):
        assert image in setup.ADDIN_FILES


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_the_offline_manifest_names_the_addin_folder_that_setup_writes(tmp_path, platform):
    setup.install(home=tmp_path, platform=platform, port=DEFAULT_PORT, python="python3")
    place = setup.layout(tmp_path, platform)
    entries = [e for e in ET.parse(place.manifest).getroot() if e.get("name") == setup.ADDIN_NAME]
    assert len(entries) == 1
    folder = place.jsaddons / entries[0].get("url")
    assert folder == place.addin_dir
    assert folder.name == f"{entries[0].get('name')}_{entries[0].get('version')}"
    assert (folder / "ribbon.xml").read_bytes() == (ADDIN / "ribbon.xml").read_bytes()
    assert entries[0].get("type") == "et"


# -- the fixtures and the Node tests ---------------------------------------------------------------------
def test_the_fixture_answer_is_what_the_service_answers():
    fixture = json.loads((ADDIN / "test" / "fixtures" / "sample.json").read_text(encoding="utf-8"))
    assert fixture["answer"]["stats"]["total"] == 60
    assert fixture["request"]["values"][0][0] == "2026年度政协委员提案和人大代表建议办理台账"
    serials = [v for row in fixture["request"]["values"][2:] for v in row[12:13] if isinstance(v, (int, float))]
    assert serials and all(40000 < v < 60000 for v in serials), "dates are posted as serial numbers"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_node_tests_of_the_addin_pass(tmp_path):
    """`node --test macros/wps/test/` on fresh fixtures, the 5,000-item ledger included."""
    make_fixture_module().make(tmp_path, large=True)
    done = subprocess.run([NODE, "--test", "macros/wps/test/"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "LEDGER_WPS_FIXTURES": str(tmp_path)})
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    assert re.search(r"^# fail 0$", report, re.M), report[-3000:]
    assert re.search(r"^# skipped 0$", report, re.M), "the 5,000-item test ran"
    assert int(re.search(r"^# pass (\d+)$", report, re.M).group(1)) >= 15
