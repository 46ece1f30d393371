"""`ledger wps-setup`: install (or remove) the WPS add-in for the current user.

What it does, on Windows and on Linux (信创 Kylin / UOS included):

1. copies the add-in (`macros/wps/`: index.html, main.js, ribbon.xml, js/, images/) into WPS's
   per-user add-in folder as an offline add-in, `jsaddons/ledger-assistant_<version>/`:
   Windows `%APPDATA%\\kingsoft\\wps\\jsaddons\\`, Linux `~/.local/share/Kingsoft/wps/jsaddons/`;
2. registers it as Kingsoft's wpsjs does for the installed build (automation.wps_registration):
   in `jsaddons/publish.xml` (`<jsplugin name=... type="et" url="<folder>" version=...
   enable="enable_dev" .../>`) for builds from 12.1.0.16910 on, else in `jsaddons/jsplugins.xml`
   with jsplugins add-ins turned on in the installation's `office6/cfgs/oem.ini`; both ways
   when the build cannot be read. Every other add-in's entry is kept;
3. creates the per-installation token (kept if it exists) in a file only the user can read,
   `~/.config/ledger-assistant/token` or `%APPDATA%\\ledger-assistant\\token`, and writes
   the add-in's settings (`js/settings.js`: port, token, ledger sheet) beside the add-in;
4. makes `ledger serve` start at logon: an XDG autostart entry
   (`~/.config/autostart/ledger-assistant-service.desktop`) on Linux, a Task Scheduler
   entry (`schtasks /Create /SC ONLOGON`) on Windows, with a Startup-folder script as the
   fallback when the task cannot be created.

`uninstall` removes all of it. The home folder and the platform are parameters, so both
layouts are tested on any machine; commands are only run on a real Windows.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from automation import __version__
from automation import messages as m

if TYPE_CHECKING:
    from automation.wps_registration import OemChange, WpsInstall

ADDIN_NAME = "ledger-assistant"
ADDIN_TYPE = "et"  # WPS 表格 (spreadsheets)
ADDIN_VERSION = __version__
#: The add-in's files, relative to macros/wps/ (tests and docs are not installed).
ADDIN_FILES = (
    "index.html",
    "main.js",
    "ribbon.xml",
    "js/ledger.js",
    "js/ribbon.js",
    "images/refresh.svg",
    "images/overdue.svg",
    "images/report.svg",
)
SETTINGS_FILE = "js/settings.js"
MANIFEST_FILE = "publish.xml"
JSPLUGINS_FILE = "jsplugins.xml"
#: What oem.ini held before wps-setup changed it (restored by --uninstall).
OEM_RECORD_FILE = "wps-oem.json"
TOKEN_FILE = "token"
LOG_FILE = "service.log"
TASK_NAME = "LedgerAssistantService"
AUTOSTART_NAME = "ledger-assistant-service.desktop"
STARTUP_SCRIPT_NAME = "ledger-assistant-service.cmd"
PLATFORMS = ("linux", "windows")

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def addin_source() -> Path:
    """The WPS add-in's files: shipped in the package (a wheel install) or macros/wps/ of the project."""
    from automation.shipped import wps_addin_folder

    return wps_addin_folder()


def current_platform() -> str:
    return "windows" if sys.platform == "win32" else "linux"


@dataclass(frozen=True)
class Layout:
    """Where everything goes for one user on one platform."""

    platform: str
    home: Path
    jsaddons: Path
    config_dir: Path
    autostart: Path  # the .desktop file (Linux) or the Startup-folder script (Windows)

    @property
    def addin_folder_name(self) -> str:
        return f"{ADDIN_NAME}_{ADDIN_VERSION}"

    @property
    def addin_dir(self) -> Path:
        return self.jsaddons / self.addin_folder_name

    @property
    def manifest(self) -> Path:
        return self.jsaddons / MANIFEST_FILE

    @property
    def jsplugins(self) -> Path:
        return self.jsaddons / JSPLUGINS_FILE

    @property
    def oem_record(self) -> Path:
        return self.config_dir / OEM_RECORD_FILE

    @property
    def token_file(self) -> Path:
        return self.config_dir / TOKEN_FILE

    @property
    def log_file(self) -> Path:
        """The service's log (ledger serve writes it)."""
        return self.config_dir / LOG_FILE

    @property
    def settings_file(self) -> Path:
        return self.addin_dir / SETTINGS_FILE


def layout(home: Path | None = None, platform: str | None = None, env: Mapping[str, str] | None = None) -> Layout:
    """The layout for a home folder (default: the user's) and a platform (default: this one).

    With an explicit home the environment is ignored (APPDATA, XDG_CONFIG_HOME), so a test
    on a temporary folder never touches the real user's files.
    """
    platform = platform or current_platform()
    if platform not in PLATFORMS:
        raise ValueError(m.WPS_SETUP_BAD_PLATFORM.format(platform=platform))
    env = os.environ if env is None else env
    explicit = home is not None
    home = Path(home) if explicit else Path.home()
    if platform == "windows":
        appdata = Path(env["APPDATA"]) if not explicit and env.get("APPDATA") else home / "AppData" / "Roaming"
        return Layout(
            platform=platform, home=home,
            jsaddons=appdata / "kingsoft" / "wps" / "jsaddons",
            config_dir=appdata / ADDIN_NAME,
            autostart=appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / STARTUP_SCRIPT_NAME,
        )
    config_root = Path(env["XDG_CONFIG_HOME"]) if not explicit and env.get("XDG_CONFIG_HOME") else home / ".config"
    return Layout(
        platform=platform, home=home,
        jsaddons=home / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons",
        config_dir=config_root / ADDIN_NAME,
        autostart=config_root / "autostart" / AUTOSTART_NAME,
    )


# -- the token -------------------------------------------------------------------------------
def read_token(home: Path | None = None, platform: str | None = None,
               env: Mapping[str, str] | None = None) -> str | None:
    """The service token: $LEDGER_TOKEN, else the token file written by wps-setup, else None."""
    from automation.service import TOKEN_ENV

    env = os.environ if env is None else env
    if env.get(TOKEN_ENV, "").strip():
        return env[TOKEN_ENV].strip()
    path = layout(home, platform, env).token_file
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600; on Windows %APPDATA% is private already)."""
    from automation.safe_write import write_file_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    write_file_atomically(path, text.encode("utf-8"), mode=0o600)


def _write_text(path: Path, text: str) -> None:
    """Write a file atomically (a temporary file in the same folder, then a rename)."""
    from automation.safe_write import write_file_atomically

    write_file_atomically(path, text.encode("utf-8"))


def ensure_token(place: Layout, new: bool = False) -> tuple[str, bool]:
    """The token (created when missing or when `new`); returns (token, created)."""
    if not new:
        try:
            existing = place.token_file.read_text(encoding="utf-8").strip()
        except OSError:
            existing = ""
        if existing:
            os.chmod(place.token_file, 0o600)
            return existing, False
    token = secrets.token_urlsafe(32)
    _write_private(place.token_file, token + "\n")
    return token, True


# -- the manifest (publish.xml) -----------------------------------------------------------------
def _read_manifest(path: Path) -> ET.Element:
    if not path.exists():
        return ET.Element("jsplugins")
    try:
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
        root = ET.fromstring(path.read_bytes(), parser=parser)
    except (ET.ParseError, OSError) as error:
        raise ValueError(m.WPS_SETUP_BAD_MANIFEST.format(path=path, error=error)) from None
    if root.tag != "jsplugins":
        raise ValueError(m.WPS_SETUP_BAD_MANIFEST.format(path=path, error=m.WPS_SETUP_BAD_ROOT.format(tag=root.tag)))
    return root


def _write_manifest(path: Path, root: ET.Element) -> None:
    for child in root:
        child.tail = None
    ET.indent(root, space="  ")
    _write_text(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def _remove_entries(root: ET.Element) -> int:
    ours = [child for child in root if isinstance(child.tag, str) and child.get("name") == ADDIN_NAME]
    for child in ours:
        root.remove(child)
    return len(ours)


def manifest_entry(place: Layout) -> dict[str, str]:
    """Our entry of publish.xml: an offline add-in whose files are in `url`, the folder
    `<name>_<version>` beside the manifest (WPS loads it from there, nothing is downloaded)."""
    return {
        "name": ADDIN_NAME,
        "type": ADDIN_TYPE,
        "url": place.addin_folder_name,
        "version": ADDIN_VERSION,
        "enable": "enable_dev",
        "install": "null",
        "customDomain": "",
    }


def jsplugins_entry(place: Layout) -> dict[str, str]:
    """Our entry of jsplugins.xml, as Kingsoft's offline deployment writes one: the add-in is
    already unpacked in jsaddons/<name>_<version>, which WPS loads without fetching `url`."""
    return {
        "name": ADDIN_NAME,
        "type": ADDIN_TYPE,
        "url": place.addin_dir.as_uri(),
        "version": ADDIN_VERSION,
        "enable": "true",
    }


def register(place: Layout, path: Path | None = None, entry: dict[str, str] | None = None) -> None:
    """Our entry in a manifest (publish.xml by default), replacing an older one of ours."""
    path = path or place.manifest
    root = _read_manifest(path)
    _remove_entries(root)
    ET.SubElement(root, "jsplugin", entry or manifest_entry(place))
    _write_manifest(path, root)


def _drop_entry(path: Path) -> bool:
    """Remove our entries from one manifest; whether there were any."""
    if not path.exists():
        return False
    root = _read_manifest(path)
    if _remove_entries(root):
        _write_manifest(path, root)
        return True
    return False


def _other_entries(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(1 for child in _read_manifest(path) if isinstance(child.tag, str))


def unregister(place: Layout) -> list[Path]:
    """Remove our entries from publish.xml and jsplugins.xml."""
    changed = []
    for path in (place.manifest, place.jsplugins):
        if not path.exists():
            continue
        root = _read_manifest(path)
        if _remove_entries(root):
            _write_manifest(path, root)
            changed.append(path)
    return changed


# -- the add-in files ----------------------------------------------------------------------------
def settings_js(port: int, token: str, sheet: str) -> str:
    from automation.summary import OWNED_SHEETS

    settings = {"port": port, "token": token, "ledgerSheet": sheet, "ownedSheets": list(OWNED_SHEETS),
                "version": ADDIN_VERSION}
    return (f"// {m.WPS_SETTINGS_HEADER}\n"
            "// Written by `ledger wps-setup`; run it again instead of editing.\n"
            f"window.LEDGER_SETTINGS = {json.dumps(settings, ensure_ascii=False)};\n")


def _old_addin_dirs(place: Layout) -> list[Path]:
    if not place.jsaddons.is_dir():
        return []
    return sorted(path for path in place.jsaddons.glob(f"{ADDIN_NAME}_*") if path.is_dir())


def copy_addin(place: Layout, source: Path) -> None:
    missing = [name for name in ADDIN_FILES if not (source / name).is_file()]
    if missing:
        raise ValueError(m.WPS_SETUP_NO_ADDIN_FILES.format(path=source / missing[0]))
    for old in _old_addin_dirs(place):
        shutil.rmtree(old)
    for name in ADDIN_FILES:
        target = place.addin_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target)


# -- start at logon ---------------------------------------------------------------------------------
def serve_command(python: str, port: int, config_path: Path | None, platform: str) -> list[str]:
    """The command line that starts the service (pythonw on Windows: no console window)."""
    executable = python
    if platform == "windows":
        windowless = Path(python).with_name("pythonw.exe")
        if Path(python).name.lower() == "python.exe" and windowless.exists():
            executable = str(windowless)
    command = [executable, "-m", "automation", "serve", "--port", str(port)]
    if config_path is not None:
        command += ["--config", str(Path(config_path).resolve())]
    return command


def _desktop_quote(argument: str) -> str:
    """An Exec argument of a .desktop file (freedesktop Desktop Entry specification)."""
    argument = argument.replace("%", "%%")
    if argument and not re.search(r"[\s\"'\\><~|&;$*?#()`]", argument):
        return argument
    escaped = re.sub(r'(["`$\\])', r"\\\1", argument)
    return f'"{escaped}"'


def desktop_entry(command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=Ledger assistant service\n"
        f"Name[zh_CN]={m.WPS_AUTOSTART_NAME}\n"
        "Comment=Local service for the WPS add-in (ledger serve)\n"
        f"Comment[zh_CN]={m.WPS_AUTOSTART_COMMENT}\n"
        f"Exec={' '.join(_desktop_quote(part) for part in command)}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def schtasks_create(command: Sequence[str]) -> list[str]:
    return ["schtasks", "/Create", "/F", "/SC", "ONLOGON", "/TN", TASK_NAME,
            "/TR", subprocess.list2cmdline(list(command)), "/RL", "LIMITED"]


def schtasks_delete() -> list[str]:
    return ["schtasks", "/Delete", "/F", "/TN", TASK_NAME]


def startup_script(command: Sequence[str]) -> str:
    return ("@echo off\r\n"
            f"rem {m.WPS_AUTOSTART_NAME}（ledger wps-setup）\r\n"
            f'start "" {subprocess.list2cmdline(list(command))}\r\n')


def _default_runner(platform: str) -> Runner | None:
    if platform == "windows" and sys.platform == "win32":
        return lambda command: subprocess.run(list(command), capture_output=True, text=True, check=False)
    return None


def _platform_label(platform: str) -> str:
    return {"windows": "Windows", "linux": "Linux"}[platform]


# -- install / uninstall -----------------------------------------------------------------------------
def install(*, home: Path | None = None, platform: str | None = None, port: int, config_path: Path | None = None,
            sheet: str = "", new_token: bool = False, source: Path | None = None, python: str | None = None,
            runner: Runner | None = None, env: Mapping[str, str] | None = None,
            registry: Callable[[], str | None] | None = None, system_root: Path | None = None) -> list[str]:
    """Install the add-in, the token and the autostart entry; returns what was done (Chinese).

    The installed WPS is looked up through `registry` (Windows: the open command of
    KWPS.Document.12) and below `system_root` (Linux: /opt/kingsoft/...); for the real user
    (no `home`) these default to the registry and "/", with an explicit `home` to nothing
    unless given, so a test never reads the machine's WPS.
    """
    from automation import wps_registration as reg

    place = layout(home, platform, env)
    source = source or addin_source()
    python = python or sys.executable
    runner = runner if runner is not None else _default_runner(place.platform)
    if home is None:
        registry = registry if registry is not None else reg.windows_registry_command
        system_root = system_root if system_root is not None else Path("/")
    lines = [m.WPS_SETUP_TITLE.format(platform=_platform_label(place.platform))]

    _read_manifest(place.manifest)  # refuse a broken manifest before changing anything
    _read_manifest(place.jsplugins)
    wps = reg.find_install(place.platform, registry=registry, system_root=system_root)
    modes = reg.registration_modes(place.platform, wps)
    copy_addin(place, source)
    lines.append(m.WPS_SETUP_ADDIN.format(path=place.addin_dir))
    lines.extend(_register(place, wps, modes))

    token, created = ensure_token(place, new_token)
    lines.append((m.WPS_SETUP_TOKEN_NEW if created else m.WPS_SETUP_TOKEN_KEPT).format(path=place.token_file))
    _write_private(place.settings_file, settings_js(port, token, sheet))
    lines.append(m.WPS_SETUP_SETTINGS.format(path=place.settings_file, port=port,
                                             sheet=m.WPS_SETUP_SHEET.format(sheet=sheet) if sheet else ""))

    command = serve_command(python, port, config_path, place.platform)
    if place.platform == "linux":
        _write_text(place.autostart, desktop_entry(command))
        lines.append(m.WPS_SETUP_AUTOSTART_LINUX.format(path=place.autostart))
    else:
        lines.extend(_windows_autostart(place, command, runner))
    lines.append(m.WPS_SETUP_DONE)
    return lines


def _register(place: Layout, wps: "WpsInstall | None", modes: tuple[str, ...]) -> list[str]:
    """Register in publish.xml and/or jsplugins.xml + oem.ini; drop our entry from the other."""
    from automation import wps_registration as reg

    if wps is not None and reg.reads_publish_xml(wps) is not None:
        shown = "、".join(m.WPS_REG_MODE_PUBLISH if mode == reg.PUBLISH else m.WPS_REG_MODE_JSPLUGINS
                         for mode in modes)
        lines = [m.WPS_REG_VERSION.format(version=wps.version_text, source=wps.source, modes=shown)]
    else:
        lines = [m.WPS_REG_UNKNOWN]
    if reg.PUBLISH in modes:
        register(place)
        lines.append(m.WPS_SETUP_MANIFEST.format(path=place.manifest, name=ADDIN_NAME))
    elif _drop_entry(place.manifest):
        lines.append(m.WPS_UNINSTALL_MANIFEST.format(path=place.manifest, name=ADDIN_NAME))
    if reg.JSPLUGINS not in modes:
        if _drop_entry(place.jsplugins):
            lines.append(m.WPS_UNINSTALL_MANIFEST.format(path=place.jsplugins, name=ADDIN_NAME))
        lines.extend(_release_oem(place))
        return lines
    register(place, place.jsplugins, jsplugins_entry(place))
    lines.append(m.WPS_REG_JSPLUGINS.format(path=place.jsplugins, name=ADDIN_NAME))
    oem = wps.oem_ini if wps is not None else None
    if oem is None:
        lines.append(m.WPS_REG_OEM_NOT_FOUND)
        return lines
    try:
        change = reg.configure_oem(oem)
    except OSError as error:
        lines.append(m.WPS_REG_OEM_MANUAL.format(path=oem, error=error.strerror or error))
        return lines
    if change.changed:
        _remember_oem(place, change)
        lines.append(m.WPS_REG_OEM_DONE.format(path=oem))
    elif not change.foreign_server:
        lines.append(m.WPS_REG_OEM_ALREADY.format(path=oem))
    if change.foreign_server:
        entry = ET.tostring(ET.Element("jsplugin", jsplugins_entry(place)), encoding="unicode")
        lines.append(m.WPS_REG_OEM_FOREIGN.format(path=oem, server=change.foreign_server, entry=entry))
    return lines


def _remember_oem(place: Layout, change: "OemChange") -> None:
    """Keep what oem.ini held before our first change (a reinstall adds, never overwrites)."""
    record = _oem_record(place)
    if record.get("path") != str(change.path):
        record = {"path": str(change.path), "previous": {}, "added_sections": []}
    for key, value in change.previous.items():
        record["previous"].setdefault(key, value)
    record["added_sections"] = sorted(set(record.get("added_sections", [])) | set(change.added_sections))
    _write_private(place.oem_record, json.dumps(record, ensure_ascii=False) + "\n")


def _oem_record(place: Layout) -> dict:
    try:
        record = json.loads(place.oem_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and isinstance(record.get("previous"), dict) else {}


def _release_oem(place: Layout) -> list[str]:
    """Undo our oem.ini change, unless another add-in in jsplugins.xml still needs it."""
    from automation import wps_registration as reg

    record = _oem_record(place)
    if not record:
        place.oem_record.unlink(missing_ok=True)
        return []
    path = Path(record["path"])
    if _other_entries(place.jsplugins):
        place.oem_record.unlink(missing_ok=True)
        return [m.WPS_UNINSTALL_OEM_KEPT.format(path=path)]
    try:
        restored = reg.restore_oem(path, record["previous"], record.get("added_sections", []))
    except OSError as error:
        return [m.WPS_UNINSTALL_OEM_MANUAL.format(path=path, error=error.strerror or error)]
    place.oem_record.unlink(missing_ok=True)
    return [m.WPS_UNINSTALL_OEM_RESTORED.format(path=path)] if restored else []


def _windows_autostart(place: Layout, command: Sequence[str], runner: Runner | None) -> list[str]:
    create = schtasks_create(command)
    shown = subprocess.list2cmdline(create)
    if runner is None:  # not on Windows: say what to run there
        return [m.WPS_SETUP_AUTOSTART_PRINT.format(command=shown)]
    try:
        result = runner(create)
        failure = None if result.returncode == 0 else (result.stderr or result.stdout or "").strip() or str(
            result.returncode)
    except OSError as error:
        failure = str(error)
    if failure is None:
        place.autostart.unlink(missing_ok=True)
        return [m.WPS_SETUP_AUTOSTART_WINDOWS.format(task=TASK_NAME, command=shown)]
    _write_text(place.autostart, startup_script(command))
    return [m.WPS_SETUP_AUTOSTART_FALLBACK.format(error=failure, path=place.autostart)]


def uninstall(*, home: Path | None = None, platform: str | None = None, runner: Runner | None = None,
              env: Mapping[str, str] | None = None) -> list[str]:
    """Remove the add-in, its manifest entry, the token and the autostart entry."""
    place = layout(home, platform, env)
    runner = runner if runner is not None else _default_runner(place.platform)
    lines = [m.WPS_UNINSTALL_TITLE.format(platform=_platform_label(place.platform))]
    found = False
    for folder in _old_addin_dirs(place):
        shutil.rmtree(folder)
        lines.append(m.WPS_UNINSTALL_REMOVED.format(path=folder))
        found = True
    for path in unregister(place):
        lines.append(m.WPS_UNINSTALL_MANIFEST.format(path=path, name=ADDIN_NAME))
        found = True
    oem_lines = _release_oem(place)
    lines.extend(oem_lines)
    found = found or bool(oem_lines)
    place.log_file.unlink(missing_ok=True)
    for path in (place.token_file, place.autostart):
        if path.exists():
            path.unlink()
            lines.append(m.WPS_UNINSTALL_REMOVED.format(path=path))
            found = True
    if place.config_dir.is_dir() and not any(place.config_dir.iterdir()):
        place.config_dir.rmdir()
    if place.platform == "windows":
        delete = schtasks_delete()
        shown = subprocess.list2cmdline(delete)
        if runner is None:
            lines.append(m.WPS_UNINSTALL_TASK_PRINT.format(command=shown))
        else:
            try:
                result = runner(delete)
                if result.returncode == 0:
                    lines.append(m.WPS_UNINSTALL_TASK.format(task=TASK_NAME, command=shown))
                    found = True
            except OSError:
                pass
    if not found:
        lines.append(m.WPS_UNINSTALL_NOTHING)
    lines.append(m.WPS_UNINSTALL_DONE)
    return lines
