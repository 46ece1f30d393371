"""How WPS is told about the add-in, decided as Kingsoft's `wpsjs` tool decides it.

wpsjs (npm, 1.5.9 and 2.2.x: `src/lib/debug.js`, `debug_publish.js`, `debug_xmlplugin.js`,
`build.js`) registers an add-in in one of two ways:

- **publish.xml** in the user's `jsaddons` folder (a `<jsplugin name type url version
  enable="enable_dev" install="null" customDomain=""/>` entry naming the add-in folder
  `<name>_<version>` beside it), which builds from 12.1.0.16910 on read;
- **jsplugins.xml** in the same folder, read by older builds only when the installation's
  `office6/cfgs/oem.ini` says so: `[Support] JsApiPlugin=true` and `[Server]
  JSPluginsServer=` (wpsjs leaves the address empty: the local jsaddons/jsplugins.xml).

On Windows wpsjs reads the build from the registry (HKCR\\KWPS.Document.12\\shell\\open\\command
-> the folder of wps.exe -> `cfgs/setup.cfg`, `[Version] FirstVersion` and `Version`) and uses
publish.xml for FirstVersion 1 with Version >= 16910 (or FirstVersion 9), jsplugins.xml
otherwise; on Linux it always uses publish.xml. Here, the same rule where the build is known;
a Linux build known to be older gets both (publish.xml as wpsjs writes it, jsplugins.xml for
the older build), and where the build cannot be read, both ways are registered.

Everything here is a pure function of file contents and paths, except `find_install`, which
reads the registry and the install folder through parameters (tests give a temporary root).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from automation import messages as m

#: The first build that reads publish.xml (wpsjs: `version >= '16910'`, compared as text there;
#: compared as a number here, so that a build 9xxxx is not taken for a newer one).
PUBLISH_MIN_BUILD = 16910
PUBLISH = "publish"
JSPLUGINS = "jsplugins"
OEM_SETTINGS = (("Support", "JsApiPlugin", "true"), ("Server", "JSPluginsServer", ""))
#: Where wpsjs looks for WPS on Linux (GetOffice6Path), below the system root.
LINUX_OFFICE6 = ("opt/kingsoft/wps-office/office6", "opt/apps/cn.wps.wps-office-pro/files/kingsoft/wps-office/office6")
WINDOWS_PROGID = r"KWPS.Document.12\shell\open\command"
DPKG_STATUS = "var/lib/dpkg/status"
DPKG_PACKAGES = ("wps-office", "cn.wps.wps-office-pro")
_FULL_VERSION = re.compile(r"(?<![\d.])(\d{1,2})\.(\d)\.(\d)\.(\d{4,6})(?![\d.])")


@dataclass(frozen=True)
class WpsInstall:
    """What is known of the installed WPS: its office6 folder and its build."""

    office6: Path | None
    first_version: str | None = None  # setup.cfg [Version] FirstVersion ("1", "9")
    build: int | None = None  # setup.cfg [Version] Version, or the last part of 12.1.0.16910
    version_text: str = ""  # as found, for the message
    source: str = ""  # where it was read

    @property
    def oem_ini(self) -> Path | None:
        return self.office6 / "cfgs" / "oem.ini" if self.office6 else None


def reads_publish_xml(install: WpsInstall) -> bool | None:
    """wpsjs's test of a build: True (publish.xml), False (jsplugins.xml), None (unknown)."""
    if install.first_version == "9":
        return True
    if install.build is None:
        return None
    if install.first_version not in (None, "1"):
        return None
    return install.build >= PUBLISH_MIN_BUILD


def registration_modes(platform: str, install: WpsInstall | None) -> tuple[str, ...]:
    """The ways to register: (PUBLISH,), (JSPLUGINS,) or both."""
    known = reads_publish_xml(install) if install else None
    if known is None:
        return (PUBLISH, JSPLUGINS)
    if known:
        return (PUBLISH,)
    return (JSPLUGINS,) if platform == "windows" else (PUBLISH, JSPLUGINS)


# -- reading the installed version ---------------------------------------------------------------
def parse_setup_cfg(text: str) -> tuple[str | None, int | None]:
    """setup.cfg's [Version] FirstVersion and Version (an INI file, as wpsjs reads it)."""
    section = ""
    values: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip().lower()
        elif section == "version" and "=" in stripped and not stripped.startswith((";", "#")):
            key, value = stripped.split("=", 1)
            values[key.strip().lower()] = value.strip().strip('"')
    first = values.get("firstversion") or None
    version = values.get("version", "")
    match = re.search(r"(\d+)$", version)
    return first, int(match.group(1)) if match else None


def version_in_text(text: str) -> tuple[str, int] | None:
    """A full build number such as 12.1.0.16910 in a path or a package version."""
    match = _FULL_VERSION.search(text)
    return (match.group(0), int(match.group(4))) if match else None


def office6_from_command(command: str) -> Path | None:
    """The folder of wps.exe in the registry's open command, as wpsjs cuts it out."""
    quoted = re.findall(r'"([^"]+)"', command)
    candidates = quoted + command.split()
    for part in candidates:
        lowered = part.lower()
        for exe in ("wps.exe", "wpsoffice.exe"):
            position = lowered.find(exe)
            if position > 0:
                return Path(part[:position].rstrip("\\/").replace("\\", "/"))
    return None


def _read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return decode_ini(data)[0]


def _from_office6(office6: Path, source: str) -> WpsInstall:
    setup_cfg = office6 / "cfgs" / "setup.cfg"
    text = _read_text(setup_cfg)
    if text is not None:
        first, build = parse_setup_cfg(text)
        if build is not None or first == "9":
            shown = f"FirstVersion={first}, Version={build}" if build is not None else f"FirstVersion={first}"
            return WpsInstall(office6, first, build, shown, str(setup_cfg))
    found = version_in_text(str(office6))
    if found:
        return WpsInstall(office6, None, found[1], found[0], source)
    return WpsInstall(office6, source=source)


def _dpkg_version(status: Path) -> tuple[str, int] | None:
    text = _read_text(status)
    if not text:
        return None
    for stanza in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
        if fields.get("Package") in DPKG_PACKAGES and "installed" in fields.get("Status", ""):
            return version_in_text(fields.get("Version", ""))
    return None


def windows_registry_command() -> str | None:
    """HKCR\\KWPS.Document.12\\shell\\open\\command's default value (Windows only)."""
    if sys.platform != "win32":
        return None
    import winreg

    try:
        return winreg.QueryValue(winreg.HKEY_CLASSES_ROOT, WINDOWS_PROGID)
    except OSError:
        return None


def find_install(platform: str, *, registry: Callable[[], str | None] | None = None,
                 system_root: Path | None = None) -> WpsInstall | None:
    """The installed WPS, where it can be found: on Windows from the registry (`registry`
    returns the open command), on Linux below `system_root` (wpsjs's install paths, then the
    dpkg database). None when no installation is found."""
    if platform == "windows":
        command = registry() if registry else None
        office6 = office6_from_command(command) if command else None
        return _from_office6(office6, m.WPS_REG_SOURCE_REGISTRY) if office6 else None
    if system_root is None:
        return None
    for relative in LINUX_OFFICE6:
        office6 = system_root / relative
        if office6.is_dir():
            install = _from_office6(office6, str(office6))
            if install.build is None and install.first_version is None:
                package = _dpkg_version(system_root / DPKG_STATUS)
                if package:
                    return WpsInstall(office6, None, package[1], package[0], str(system_root / DPKG_STATUS))
            return install
    return None


# -- oem.ini ----------------------------------------------------------------------------------------
def decode_ini(data: bytes) -> tuple[str, str]:
    """An INI file's text and encoding (UTF-16 or UTF-8 with a BOM, UTF-8, else GBK)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gbk", errors="replace"), "gbk"


def ini_value(text: str, section: str, key: str) -> str | None:
    """The value of `key` in `[section]` (names compared without case), or None."""
    current = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1].strip().lower()
        elif current == section.lower() and "=" in stripped and not stripped.startswith((";", "#")):
            name, value = stripped.split("=", 1)
            if name.strip().lower() == key.lower():
                return value.strip()
    return None


def set_ini_values(text: str, values: Mapping[tuple[str, str], str | None]) -> str:
    """The INI text with each (section, key) set to its value (None: the line removed); every
    other line, comment and the line endings are kept as they were."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    pending = {(section.lower(), key.lower()): (section, key, value) for (section, key), value in values.items()}
    result: list[str] = []
    current = None

    def flush(section_name: str | None) -> None:  # keys of this section not met: add them at its end
        for lookup, (_, key, value) in list(pending.items()):
            if lookup[0] == section_name and value is not None:
                insert_at = len(result)
                while insert_at > 0 and not result[insert_at - 1].strip():
                    insert_at -= 1
                result.insert(insert_at, f"{key}={value}")
                del pending[lookup]
            elif lookup[0] == section_name:
                del pending[lookup]

    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            flush(current)
            current = stripped[1:-1].strip().lower()
            result.append(line)
            continue
        if current is not None and "=" in stripped and not stripped.startswith((";", "#")):
            name = stripped.split("=", 1)[0].strip().lower()
            lookup = (current, name)
            if lookup in pending:
                _, key, value = pending.pop(lookup)
                if value is not None:
                    indent = line[:len(line) - len(line.lstrip())]
                    result.append(f"{indent}{stripped.split('=', 1)[0].rstrip()}={value}")
                continue
        result.append(line)
    flush(current)
    sections: dict[str, list[tuple[str, str]]] = {}
    for section, key, value in pending.values():
        if value is not None:
            sections.setdefault(section, []).append((key, value))
    for section, pairs in sections.items():
        if result and result[-1].strip():
            result.append("")
        result.append(f"[{section}]")
        result.extend(f"{key}={value}" for key, value in pairs)
    return newline.join(result) + (newline if text.endswith(("\n", "\r")) or not text else "")


def ini_sections(text: str) -> set[str]:
    """The section names of an INI text, lower-case."""
    return {line.strip()[1:-1].strip().lower() for line in text.splitlines()
            if line.strip().startswith("[") and line.strip().endswith("]")}


def drop_empty_sections(text: str, names: set[str]) -> str:
    """Remove the named sections where they hold nothing, with the blank line set_ini_values
    put before a section it added."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    wanted = {name.lower() for name in names}
    index = len(lines) - 1
    while index >= 0:
        stripped = lines[index].strip()
        if stripped.startswith("[") and stripped.endswith("]") and stripped[1:-1].strip().lower() in wanted:
            end = index + 1
            while end < len(lines) and not lines[end].strip():
                end += 1
            if end == len(lines) or lines[end].strip().startswith("["):
                start = index - 1 if index > 0 and not lines[index - 1].strip() else index
                del lines[start:index + 1]
                index = start
        index -= 1
    return newline.join(lines) + (newline if text.endswith(("\n", "\r")) else "")


@dataclass(frozen=True)
class OemChange:
    """What configure_oem found and did: the values it replaced (None: the key was absent)
    and the sections it added."""

    path: Path
    previous: dict[str, str | None]
    changed: bool
    foreign_server: str | None = None  # a JSPluginsServer address set by someone else: left alone
    added_sections: tuple[str, ...] = ()


def configure_oem(path: Path) -> OemChange:
    """Turn on jsplugins.xml add-ins in oem.ini as wpsjs does ([Support] JsApiPlugin=true,
    [Server] JSPluginsServer= empty: the local jsaddons/jsplugins.xml). A JSPluginsServer
    address someone else set (a unit's central add-in list) is kept: overwriting it would
    drop that unit's add-ins. Raises OSError when the file cannot be written."""
    data = path.read_bytes() if path.exists() else b""
    text, encoding = decode_ini(data) if data else ("", "utf-8")
    previous: dict[str, str | None] = {}
    wanted: dict[tuple[str, str], str | None] = {}
    foreign = None
    for section, key, value in OEM_SETTINGS:
        current = ini_value(text, section, key)
        if key == "JSPluginsServer" and current:
            foreign = current
            continue
        if current is None or current.lower() != value:
            previous[f"{section}.{key}"] = current
            wanted[(section, key)] = value
    existing = ini_sections(text)
    added = tuple(sorted({section for section, _ in wanted if section.lower() not in existing}))
    if wanted:
        from automation.safe_write import write_file_atomically

        path.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(path, set_ini_values(text, wanted).encode(encoding))
    return OemChange(path, previous, bool(wanted), foreign, added)


def restore_oem(path: Path, previous: Mapping[str, str | None], added_sections=()) -> bool:
    """Put back the oem.ini values configure_oem replaced (a key it added is removed, and a
    section it added, once empty)."""
    if not path.exists() or not previous:
        return False
    text, encoding = decode_ini(path.read_bytes())
    values = {tuple(name.split(".", 1)): value for name, value in previous.items()}
    from automation.safe_write import write_file_atomically

    restored = drop_empty_sections(set_ini_values(text, values), set(added_sections))
    write_file_atomically(path, restored.encode(encoding))
    return True
