"""Who is who: the contact directory used to address reminders.

Two sources, merged (config.ini wins field by field over the sheet):
- a 通讯录 sheet in the ledger workbook (read with python-calamine; the workbook is only
  read, never written, so it may be open in Excel); the header row is found among the
  first rows by its 姓名 column; header synonyms below;
- a `[contacts]` section in config.ini, one person a line (see `config_sections.ini`):
      张三 = zhangsan@example.gov.cn; 产业发展科; 科员; 13800000001
  fields in the order 邮箱; 科室; 角色; 手机; 企业微信账号; 钉钉账号, any may be empty;
  or labelled in any order: 张三 = 科室：产业发展科；邮箱：zhangsan@example.gov.cn
  (half- or full-width `;` `：`).

Names are matched after folding full-width characters and removing all spaces
(`张　三` and `张三` are one person), case-insensitively.
"""

from __future__ import annotations

import configparser
import io
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

from . import messages as M

FIELDS = ("email", "section", "role", "mobile", "wecom_id", "dingtalk_id")

#: Header synonyms of the 通讯录 sheet, after `_norm_header` (NFKC, no spaces, lower case,
#: bracketed notes removed).
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员", "联系人", "人员姓名"),
    "section": ("科室", "部门", "处室", "所在科室", "承办科室", "所在部门", "单位"),
    "role": ("角色", "职务", "职位", "岗位"),
    "email": ("邮箱", "电子邮件", "电子邮箱", "邮件", "邮件地址", "email", "e-mail", "mail"),
    "mobile": ("手机", "手机号", "手机号码", "移动电话", "联系电话", "电话", "mobile"),
    "wecom_id": ("企业微信", "企业微信id", "企业微信账号", "企业微信帐号", "企业微信userid",
                 "企微", "企微id", "企微账号", "wecom", "wecomid"),
    "dingtalk_id": ("钉钉", "钉钉id", "钉钉账号", "钉钉帐号", "钉钉userid", "dingtalk",
                    "dingtalkid"),
}

#: Labels accepted in the labelled form of a [contacts] line.
LINE_LABELS: dict[str, str] = {
    **{s: k for k, syn in HEADER_SYNONYMS.items() if k != "name" for s in syn},
}

_EMAIL_RE = re.compile(r"^[^@\s<>\"';,]+@[^@\s<>\"';,]+\.[^@\s<>\"';,]+$")
_NAME_SPLIT_RE = re.compile(r"[、,，/／;；\n]+")


def normalize_name(name: str) -> str:
    """The matching key of a person's name: NFKC, no whitespace at all, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).casefold()


def split_names(text: str) -> list[str]:
    """'张三、李四' -> ['张三', '李四']; spaces inside a name are kept (张　三)."""
    return [p.strip() for p in _NAME_SPLIT_RE.split(text or "") if p.strip()]


def _clean(value: object) -> str:
    """A cell value as text: 13800000001.0 -> '13800000001', None -> ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(ch for ch in text if ch.isprintable()).strip()


def _norm_header(value: object) -> str:
    from automation.ledger import normalize_header  # the ledger's header folding, one rule for both sheets

    return normalize_header(_clean(value))


@dataclass(frozen=True)
class Contact:
    """A person (or the office) reminders can be addressed to."""

    name: str
    section: str = ""
    role: str = ""
    email: str = ""
    mobile: str = ""
    wecom_id: str = ""
    dingtalk_id: str = ""
    source: str = ""
    is_office: bool = False

    @property
    def key(self) -> str:
        """The recipient key of the reminder log."""
        return ("office:" if self.is_office else "") + normalize_name(self.name)


class Directory:
    """Contacts by name, and the section heads."""

    def __init__(
        self,
        contacts: Iterable[Contact] = (),
        head_roles: Iterable[str] = ("科长", "负责人", "主任"),
        warnings: Iterable[str] = (),
    ) -> None:
        self._by_key: dict[str, Contact] = {}
        self.warnings: list[str] = list(warnings)
        for c in contacts:
            k = normalize_name(c.name)
            if not k:
                continue
            self._by_key[k] = c
        self.head_roles = tuple(head_roles)

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[Contact]:
        return iter(self._by_key.values())

    def find(self, name: str) -> Contact | None:
        return self._by_key.get(normalize_name(name))

    def is_section_head(self, contact: Contact) -> bool:
        return any(r in contact.role for r in self.head_roles)

    def section_head(self, section: str) -> Contact | None:
        """The head of a section: a contact of that section whose role contains one of
        the head roles (科长 / 负责人 / 主任 by default); a deputy (副) only if no one else."""
        key = normalize_name(section)
        if not key:
            return None
        heads = [c for c in self._by_key.values()
                 if normalize_name(c.section) == key and self.is_section_head(c)]
        if not heads:
            return None
        heads.sort(key=lambda c: ("副" in c.role, c.role.find(self._first_role(c))))
        return heads[0]

    def _first_role(self, c: Contact) -> str:
        for r in self.head_roles:
            if r in c.role:
                return r
        return ""


# --- the config section ------------------------------------------------------------------

def parse_contact_line(name: str, value: str) -> tuple[Contact | None, str | None]:
    """One `[contacts]` line -> (contact, warning)."""
    name = _clean(name)
    parts = [p.strip() for p in re.split(r"[;；]", unicodedata.normalize("NFKC", value or ""))]
    fields: dict[str, str] = {}
    positional: list[str] = []
    for part in parts:
        m = re.match(r"^([^:：=]+)[:：=](.*)$", part)
        label = _norm_header(m.group(1)) if m else ""
        if m and label in LINE_LABELS:
            fields[LINE_LABELS[label]] = m.group(2).strip()
        else:
            positional.append(part)
    if positional and fields and any(positional):
        return None, M.CONTACTS_BAD_LINE.format(name=name, value=value)
    for key, part in zip(FIELDS, positional):
        if part:
            fields[key] = part
    return Contact(name=name, source="config.ini [contacts]", **fields), None


def contacts_from_config(config: configparser.ConfigParser | None) -> tuple[list[Contact], list[str]]:
    if config is None or not config.has_section("contacts"):
        return [], []
    defaults = set(config.defaults())
    contacts, warnings = [], []
    for key in config["contacts"]:
        if key in defaults and config.get("contacts", key, raw=True) == config.defaults()[key]:
            continue
        contact, warning = parse_contact_line(key, config.get("contacts", key, raw=True))
        if warning:
            warnings.append(warning)
        if contact:
            contacts.append(contact)
    return contacts, warnings


# --- the 通讯录 sheet -------------------------------------------------------------------

def contacts_from_rows(rows: list[list[object]], sheet: str) -> tuple[list[Contact], list[str]]:
    """Contacts from the rows of a 通讯录 sheet (as python-calamine gives them)."""
    lookup = {syn: key for key, syns in HEADER_SYNONYMS.items() for syn in syns}
    header_index = None
    columns: dict[str, int] = {}
    for i, row in enumerate(rows[:15]):
        found = {}
        for j, cell in enumerate(row):
            key = lookup.get(_norm_header(cell))
            if key and key not in found:
                found[key] = j
        if "name" in found:
            header_index, columns = i, found
            break
    if header_index is None:
        return [], [M.CONTACTS_SHEET_NO_HEADER.format(sheet=sheet)] if rows else []
    contacts = []
    for i, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        values = {k: _clean(row[j]) if j < len(row) else "" for k, j in columns.items()}
        if not values.get("name"):
            continue
        contacts.append(Contact(source=f"{sheet}!第{i}行", **values))
    return contacts, []


def contacts_from_workbook(
    workbook: str | Path | bytes, sheet_name: str = "通讯录"
) -> tuple[list[Contact], list[str]]:
    """Contacts from the workbook's 通讯录 sheet; no sheet -> ([], []).

    The file is read into memory first and never opened for writing, so a workbook that
    is open in Excel is read as well."""
    from python_calamine import CalamineWorkbook

    try:
        data = workbook if isinstance(workbook, bytes) else Path(workbook).read_bytes()
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        wanted = _norm_header(sheet_name)
        names = [n for n in wb.sheet_names if _norm_header(n) == wanted]
        if not names:
            return [], []
        rows = wb.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - a broken sheet must not stop the reminders
        return [], [M.CONTACTS_READ_FAILED.format(error=f"{type(exc).__name__}: {exc}")]
    return contacts_from_rows(rows, names[0])


# --- merging -----------------------------------------------------------------------------

def _validated(contacts: list[Contact], warnings: list[str]) -> list[Contact]:
    out = []
    for c in contacts:
        if c.email and not _EMAIL_RE.match(c.email):
            warnings.append(M.CONTACTS_BAD_EMAIL.format(source=c.source, name=c.name, value=c.email))
            c = replace(c, email="")
        mobile = re.sub(r"[\s\-]", "", c.mobile)
        if mobile.startswith("+86"):
            mobile = mobile[3:]
        out.append(replace(c, mobile=mobile))
    return out


def merge_contacts(*sources: Iterable[Contact]) -> list[Contact]:
    """Later sources win field by field (a non-empty field replaces an earlier one)."""
    merged: dict[str, Contact] = {}
    for source in sources:
        for c in source:
            k = normalize_name(c.name)
            old = merged.get(k)
            if old is None:
                merged[k] = c
                continue
            updates = {f: getattr(c, f) for f in FIELDS if getattr(c, f)}
            merged[k] = replace(old, source=c.source, **updates)
    return list(merged.values())


def load_directory(
    workbook_path: str | Path | bytes | None,
    config: configparser.ConfigParser | None,
    *,
    sheet_name: str | None = None,
    head_roles: Iterable[str] | None = None,
) -> Directory:
    """The directory from the workbook's 通讯录 sheet and config.ini [contacts].

    `sheet_name` and `head_roles` default to `[reminders] contacts_sheet` and
    `section_head_roles`. Problems become `Directory.warnings` (Chinese), never errors."""
    from .settings import ReminderSettings

    if sheet_name is None or head_roles is None:
        try:
            settings = ReminderSettings.from_config(config)
        except Exception:  # noqa: BLE001 - the runner reports config errors
            settings = ReminderSettings()
        sheet_name = sheet_name or settings.contacts_sheet
        head_roles = head_roles or settings.section_head_roles
    warnings: list[str] = []
    sheet_contacts: list[Contact] = []
    if workbook_path is not None:
        sheet_contacts, w = contacts_from_workbook(workbook_path, sheet_name)
        warnings += w
    config_contacts, w = contacts_from_config(config)
    warnings += w
    for source in (sheet_contacts, config_contacts):
        seen: set[str] = set()
        for c in source:
            k = normalize_name(c.name)
            if k in seen:
                warnings.append(M.CONTACTS_DUPLICATE.format(source=c.source, name=c.name))
            seen.add(k)
    contacts = _validated(merge_contacts(sheet_contacts, config_contacts), warnings)
    return Directory(contacts, head_roles=head_roles, warnings=warnings)
