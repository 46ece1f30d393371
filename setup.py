"""Build hook: ship the add-ins in macros/ inside the package as automation/macros/.

Everything else about the build is in pyproject.toml. `ledger wps-setup` and `ledger
excel-setup` find these files through `automation.shipped`, so they work from a wheel (the
offline bundle) as well as from a source checkout; macros/ itself stays where it is.
"""

from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
MACROS = ROOT / "macros"
#: The Excel add-in and its VBA source (for offices that import the module into their own workbook).
EXCEL_FILES = ("ledger_assistant.xlam", "LedgerRibbon.bas")
#: Not part of the WPS add-in: its tests, Node's files, and the per-user settings wps-setup writes.
WPS_SKIPPED = {"test", "tests", "node_modules", "package.json", "package-lock.json", "settings.js"}


def shipped_files():
    """(source, path inside automation/macros) of every file shipped."""
    for name in EXCEL_FILES:
        yield MACROS / name, Path(name)
    wps = MACROS / "wps"
    for path in sorted(wps.rglob("*")):
        relative = path.relative_to(wps)
        if path.is_file() and not any(part in WPS_SKIPPED or part.startswith(".") for part in relative.parts):
            yield path, Path("wps") / relative


class BuildWithMacros(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "automation" / "macros"
        for source, relative in shipped_files():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


setup(cmdclass={"build_py": BuildWithMacros})
