"""Settings a bureau changes: columns and their synonyms, time limits, vocabularies.

The built-in defaults below are what the shipped `config.ini` says too (a test keeps the two
equal), so the tool works with no config file at all.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

from automation import messages

#: Canonical column keys, their default header first, then synonyms (DOMAIN.md).
DEFAULT_COLUMNS: dict[str, list[str]] = {
    "seq": ["序号"],
    "id": ["编号", "提案编号", "建议编号", "案号", "提案号", "建议号"],
    "kind": ["类别", "类型", "来源", "提案类别"],
    "title": ["案由", "标题", "提案名称", "建议名称", "题目", "提案标题", "建议标题"],
    "proposer": ["提案人", "领衔人", "代表/委员", "提出人", "代表", "委员", "领衔代表", "领衔委员"],
    "role": ["办理类型", "办理方式", "主协办", "主办/协办", "承办类型"],
    "key_item": ["是否重点", "重点提案", "是否重点提案", "重点"],
    "lead_unit": ["主办单位"],
    "section": ["承办科室", "责任科室", "承办部门", "科室", "责任部门"],
    "handler": ["承办人", "责任人", "经办人"],
    "leader": ["分管领导", "责任领导"],
    "topic": ["领域", "分类", "所属领域"],
    "assigned": ["交办日期", "交办时间", "收件日期"],
    "deadline": ["办理时限", "答复期限", "截止日期", "办结时限"],
    "status": ["办理状态", "进度", "办理进度"],
    "replied": ["答复日期", "办结日期", "答复时间", "协办意见送达日期"],
    "reply_class": ["答复类别", "办理结果", "答复类型"],
    "contact": ["沟通方式", "沟通形式", "联系方式"],
    "satisfaction": ["满意度", "测评结果", "委员意见", "代表意见"],
    "public": ["是否公开", "答复公开"],
    "note": ["备注"],
}

REQUIRED_COLUMNS = ("id", "title", "role", "section")

DEFAULT_ROLES: dict[str, list[str]] = {
    "主办": ["主办", "牵头", "主办件"],
    "协办": ["协办", "配合", "协办件"],
    "会办": ["会办"],
    "分办": ["分办"],
}
#: Roles handled like the lead role (DOMAIN.md: 会办 and 分办 answer the proposer too).
DEFAULT_LEAD_ROLES = ("主办", "会办", "分办")

DEFAULT_TIME_LIMITS = {"主办": "3个月", "会办": "3个月", "分办": "3个月", "协办": "1个月"}

DEFAULT_KINDS: dict[str, list[str]] = {
    "政协提案": ["政协提案", "提案", "政协委员提案", "政协"],
    "人大建议": ["人大建议", "建议", "人大代表建议", "人大", "批评和意见", "批评意见"],
}

DEFAULT_STATUSES: dict[str, list[str]] = {
    "未办理": ["未办理", "未开始", "待办理", "未办"],
    "办理中": ["办理中", "正在办理", "在办"],
    "已初步答复": ["已初步答复", "初步答复", "已提出初步答复意见", "征求意见中"],
    "已答复": ["已答复", "已正式答复", "答复", "已送达", "已呈送"],
    "已办结": ["已办结", "办结", "已完成", "完成"],
}
DEFAULT_COMPLETED_STATUSES = ("已答复", "已办结")

DEFAULT_SATISFACTION: dict[str, list[str]] = {
    "满意": ["满意", "非常满意"],
    "基本满意": ["基本满意", "比较满意"],
    "不满意": ["不满意"],
}

DEFAULT_REPLY_CLASSES: dict[str, str] = {
    "A": "所提问题已经解决或基本解决",
    "B": "正在解决或已列入计划逐步解决",
    "C": "因条件限制或其他原因暂时难以解决",
}
DEFAULT_SOLVED_CLASSES = ("A", "B")
DEFAULT_FACE_TO_FACE = ("见面", "座谈", "走访", "面商", "实地")
DEFAULT_YES = ("是", "重点", "Y", "YES", "√", "1", "TRUE")
#: Headers of a column naming the 承办单位 of each row, read when several files are counted as one.
DEFAULT_UNIT_COLUMNS = ("承办单位", "单位名称")


@dataclass(frozen=True)
class TimeLimit:
    """A handling time limit: an amount and a unit ('months', 'days' or 'workdays')."""

    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> "TimeLimit":
        """Parse '3个月', '30天', '15个工作日' (also '3 months', '30 days', '15 workdays')."""
        folded = re.sub(r"\s+", "", text).lower()
        match = re.fullmatch(r"(\d+)(个月|月|months?|个工作日|工作日|workdays?|天|日|days?)", folded)
        if not match:
            raise ValueError(messages.CONFIG_BAD_TIME_LIMIT.format(value=text))
        amount, unit = int(match.group(1)), match.group(2)
        if "工作日" in unit or unit.startswith("workday"):
            return cls(amount, "workdays")
        if "月" in unit or unit.startswith("month"):
            return cls(amount, "months")
        return cls(amount, "days")

    def __str__(self) -> str:
        suffix = {"months": "个月", "days": "天", "workdays": "个工作日"}[self.unit]
        return f"{self.amount}{suffix}"


@dataclass
class Config:
    """Everything configurable. Build with `load_config`."""

    ledger_file: str = ""
    sheet: str = ""
    #: Several sheets counted as one ledger (`sheets = 提案台账, 建议台账`); ("*",) for every matching sheet.
    sheets: tuple[str, ...] = ()
    #: This ledger's 承办单位 when a folder of units' ledgers is counted (empty: the file's name).
    unit: str = ""
    unit_columns: tuple[str, ...] = DEFAULT_UNIT_COLUMNS
    default_year: int | None = None
    columns: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_COLUMNS.items()})
    roles: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_ROLES.items()})
    lead_roles: tuple[str, ...] = DEFAULT_LEAD_ROLES
    time_limits: dict[str, TimeLimit] = field(
        default_factory=lambda: {k: TimeLimit.parse(v) for k, v in DEFAULT_TIME_LIMITS.items()}
    )
    warn_days: int = 7
    kinds: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_KINDS.items()})
    statuses: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_STATUSES.items()})
    completed_statuses: tuple[str, ...] = DEFAULT_COMPLETED_STATUSES
    satisfaction: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_SATISFACTION.items()}
    )
    reply_classes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_REPLY_CLASSES))
    solved_classes: tuple[str, ...] = DEFAULT_SOLVED_CLASSES
    face_to_face: tuple[str, ...] = DEFAULT_FACE_TO_FACE
    yes_values: tuple[str, ...] = DEFAULT_YES
    backups: int = 5
    office_name: str = "我局"
    report_template: str = ""
    source: Path | None = None
    parser: configparser.ConfigParser = field(default_factory=configparser.ConfigParser, compare=False, repr=False)

    @property
    def assisting_roles(self) -> tuple[str, ...]:
        return tuple(role for role in self.roles if role not in self.lead_roles)


def _split(value: str) -> list[str]:
    """Split a config list written with commas (ASCII or full-width) or 、."""
    return [part.strip() for part in re.split(r"[,，、;；\n]", value) if part.strip()]


def _vocabulary(parser: configparser.ConfigParser, section: str, default: dict[str, list[str]]) -> dict[str, list[str]]:
    if not parser.has_section(section):
        return {k: list(v) for k, v in default.items()}
    result = {}
    for canonical, synonyms in parser.items(section):
        words = _split(synonyms)
        result[canonical] = [canonical] + [w for w in words if w != canonical]
    return result


def parse_config(text: str, source: Path | None = None) -> Config:
    """Build a Config from the text of a config.ini (missing sections keep the defaults)."""
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=None)
    parser.optionxform = str  # keys are Chinese words and column keys: keep their case
    parser.read_string(text)
    config = Config(source=source, parser=parser)
    if parser.has_section("ledger"):
        section = parser["ledger"]
        config.ledger_file = section.get("file", "").strip()
        config.sheet = section.get("sheet", "").strip()
        config.sheets = tuple(_split(section.get("sheets", "")))
        config.unit = section.get("unit", "").strip()
        if "unit_columns" in section:
            config.unit_columns = tuple(_split(section["unit_columns"]))
        year = section.get("default_year", "").strip()
        config.default_year = int(year) if year else None
        config.warn_days = section.getint("warn_days", config.warn_days)
        config.office_name = section.get("office_name", config.office_name).strip() or config.office_name
    if parser.has_section("columns"):
        for key, synonyms in parser.items("columns"):
            if key not in DEFAULT_COLUMNS:
                raise ValueError(messages.CONFIG_UNKNOWN_COLUMN_KEY.format(key=key, keys="、".join(DEFAULT_COLUMNS)))
            config.columns[key] = _split(synonyms)
    config.roles = _vocabulary(parser, "roles", DEFAULT_ROLES)
    if parser.has_section("time_limits"):
        limits = dict(config.time_limits)
        for role, text_value in parser.items("time_limits"):
            if role == "lead_roles":
                config.lead_roles = tuple(_split(text_value))
                continue
            limits[role] = TimeLimit.parse(text_value)
        config.time_limits = limits
    config.kinds = _vocabulary(parser, "kinds", DEFAULT_KINDS)
    config.statuses = _vocabulary(parser, "statuses", DEFAULT_STATUSES)
    config.satisfaction = _vocabulary(parser, "satisfaction", DEFAULT_SATISFACTION)
    if parser.has_section("vocabulary"):
        section = parser["vocabulary"]
        if "completed_statuses" in section:
            config.completed_statuses = tuple(_split(section["completed_statuses"]))
        if "solved_classes" in section:
            config.solved_classes = tuple(_split(section["solved_classes"]))
        if "face_to_face" in section:
            config.face_to_face = tuple(_split(section["face_to_face"]))
        if "yes_values" in section:
            config.yes_values = tuple(_split(section["yes_values"]))
    if parser.has_section("reply_classes"):
        config.reply_classes = {k.upper(): v.strip() for k, v in parser.items("reply_classes")}
    if parser.has_section("output"):
        config.backups = parser["output"].getint("backups", config.backups)
    if parser.has_section("report"):
        config.report_template = parser["report"].get("template", "").strip()
    return config


def find_config_file(explicit: Path | None, ledger: Path | None) -> Path | None:
    """The config file to use: the one given, else config.ini beside the ledger, else in the
    current folder; None when there is none (the built-in defaults apply)."""
    if explicit is not None:
        return explicit
    candidates = []
    if ledger is not None:
        candidates.append(ledger.resolve().parent / "config.ini")
    candidates.append(Path.cwd() / "config.ini")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: Path | None = None, ledger: Path | None = None) -> Config:
    """Load the config (see `find_config_file`); raise ValueError with a Chinese message."""
    path = find_config_file(explicit, ledger)
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(messages.CONFIG_NOT_FOUND.format(path=path)) from None
    except OSError as error:
        from automation.os_errors import os_error_sentence

        raise ValueError(os_error_sentence(error)) from None
    except UnicodeDecodeError:
        try:
            text = path.read_text(encoding="gb18030")
        except (OSError, UnicodeDecodeError):
            raise ValueError(messages.CONFIG_UNREADABLE.format(path=path, error="编码不是 UTF-8 或 GBK")) from None
    try:
        return parse_config(text, source=path)
    except configparser.Error as error:
        raise ValueError(messages.CONFIG_SYNTAX.format(path=path, error=error)) from None
