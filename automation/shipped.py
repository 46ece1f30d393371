"""Where the files shipped with the package are: the Excel add-in and the WPS add-in.

In a wheel (what the offline bundle installs) they are package data under
`automation/macros/`, copied there at build time by `setup.py` from the project's `macros/`
folder; in a source checkout (`pip install -e .`) they are that `macros/` folder itself.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

EXCEL_ADDIN = "ledger_assistant.xlam"
EXCEL_MODULE = "LedgerRibbon.bas"
WPS_FOLDER = "wps"


def macros_folder() -> Path:
    """The folder holding the add-ins: the installed package data, else the project's macros/."""
    packaged = Path(str(files("automation") / "macros"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "macros"


def excel_addin() -> Path:
    """The Excel add-in (.xlam) to install with `xlwings addin install -f`."""
    return macros_folder() / EXCEL_ADDIN


def wps_addin_folder() -> Path:
    """The WPS add-in's source folder (index.html, ribbon.xml, js/, images/)."""
    return macros_folder() / WPS_FOLDER
