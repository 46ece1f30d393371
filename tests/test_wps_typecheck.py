"""The WPS add-in and its stand-in, type-checked against Kingsoft's own declarations.

`tsc --noEmit --checkJs` (TypeScript, pinned in macros/wps/package.json) checks every
object-model member and argument that macros/wps/js/*.js uses against `et-jsapi-declare`
(lib.et.d.ts, lib.kso.d.ts: WPS 表格's API as Kingsoft declares it), and checks that the
Node tests' stand-in (macros/wps/test/wps_standin.js) has no WPS member that WPS does not
declare. The tools come from `npm ci` in macros/wps (.ci/run does it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDIN = ROOT / "macros" / "wps"
NODE = shutil.which("node")
TSC = ADDIN / "node_modules" / "typescript" / "bin" / "tsc"
DECLARATIONS = ADDIN / "node_modules" / "et-jsapi-declare" / "lib.et.d.ts"

# In CI (.ci/run installs the tools with `npm ci`) a missing tool fails the check; in a
# developer's clone without `npm ci` in macros/wps the check is skipped with the reason.
TOOLS_MISSING = NODE is None or not (TSC.is_file() and DECLARATIONS.is_file())
pytestmark = pytest.mark.skipif(TOOLS_MISSING and not os.environ.get("CI"),
                                reason="node, or TypeScript and et-jsapi-declare, missing: run `npm ci` in macros/wps "
                                       "to type-check the WPS add-in")


def tsc(project: Path) -> subprocess.CompletedProcess[str]:
    assert TSC.is_file() and DECLARATIONS.is_file(), (
        "TypeScript and et-jsapi-declare are not installed: run `npm ci` in macros/wps (.ci/run does)")
    return subprocess.run([NODE, str(TSC), "-p", str(project)], cwd=ADDIN, capture_output=True, text=True,
                          timeout=180)


def test_the_tools_are_pinned_exactly():
    package = json.loads((ADDIN / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ADDIN / "package-lock.json").read_text(encoding="utf-8"))
    assert package["devDependencies"] == {"et-jsapi-declare": "2.5.0", "typescript": "5.9.3"}
    for name, version in package["devDependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_addin_uses_only_what_wps_declares():
    """`npx tsc -p macros/wps`: main.js and js/*.js against et-jsapi-declare."""
    config = json.loads("\n".join(line for line in (ADDIN / "tsconfig.json").read_text(encoding="utf-8").splitlines()
                                  if not line.strip().startswith("//")))
    assert config["compilerOptions"]["checkJs"] and config["compilerOptions"]["noEmit"]
    assert "node_modules/et-jsapi-declare/index.d.ts" in config["files"]
    assert {"main.js", "js/ledger.js", "js/ribbon.js"} <= set(config["files"])
    assert {path.relative_to(ADDIN).as_posix() for path in (ADDIN / "js").glob("*.js")} <= set(config["files"])
    done = tsc(ADDIN / "tsconfig.json")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_standin_has_only_members_wps_declares():
    done = tsc(ADDIN / "test" / "tsconfig.json")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_checks_catch_a_member_wps_does_not_declare(tmp_path):
    """The same checks on copies with one undeclared member each: tsc names both."""
    ledger = (ADDIN / "js" / "ledger.js").read_text(encoding="utf-8")
    assert "var used = sheet.UsedRange;" in ledger
    (tmp_path / "ledger.js").write_text(ledger.replace("var used = sheet.UsedRange;", "var used = sheet.UsedArea;"),
                                        encoding="utf-8")
    standin = (ADDIN / "test" / "wps_standin.js").read_text(encoding="utf-8")
    assert "\n  Select() {" in standin
    (tmp_path / "wps_standin.js").write_text(
        standin.replace("\n  Select() {", "\n  SelectAll() {\n    return this.Select();\n  }\n\n  Select() {", 1),
        encoding="utf-8")
    modules = ADDIN / "node_modules" / "et-jsapi-declare" / "index.d.ts"
    (tmp_path / "addin.json").write_text(json.dumps({
        "compilerOptions": {"allowJs": True, "checkJs": True, "noEmit": True, "target": "es5",
                            "lib": ["es5", "es2015.promise", "dom"], "types": [], "skipLibCheck": True},
        "files": [str(modules), str(ADDIN / "types" / "addin.d.ts"), str(tmp_path / "ledger.js")]}))
    (tmp_path / "standin.json").write_text(json.dumps({
        "compilerOptions": {"allowJs": True, "checkJs": True, "noEmit": True, "target": "es2022", "lib": ["es2022"],
                            "types": [], "skipLibCheck": True},
        "files": [str(modules), str(ADDIN / "test" / "standin.d.ts"), str(tmp_path / "wps_standin.js")]}))
    addin = tsc(tmp_path / "addin.json")
    assert addin.returncode != 0
    assert "Property 'UsedArea' does not exist on type 'Worksheet'" in addin.stdout, addin.stdout
    standin_check = tsc(tmp_path / "standin.json")
    assert standin_check.returncode != 0
    assert "Type 'true' is not assignable to type '\"SelectAll\"'" in standin_check.stdout, standin_check.stdout
