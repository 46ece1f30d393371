"""The sentences of the annual report (seed document) with every `*` filled from the statistics.

One function writes them; the 统计汇总 sheet and the Word/Markdown report both use it, so a
figure can never differ between the two. The wording adapts when a figure is zero or when
not every assisting item was on time.
"""

from __future__ import annotations

from dataclasses import dataclass

from automation.config import Config
from automation.stats import Statistics

KIND_NOUNS = {"政协提案": ("区政协委员提案", "委员", "提案"), "人大建议": ("区人大代表建议", "代表", "建议")}


@dataclass
class ReportSentences:
    """The filled sentences, in the order of the seed report."""

    opening: str
    topics: str
    key_items: str
    outcome: str
    communication: str
    closing: str
    headline: str

    def as_list(self) -> list[tuple[str, str]]:
        return [
            ("开篇", self.opening), ("办理内容", self.topics), ("重点提案", self.key_items),
            ("办理结果", self.outcome), ("沟通协调", self.communication), ("办理进度", self.closing),
            ("主要指标", self.headline),
        ]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _role_sum(statistics: Statistics, roles, key: str) -> int:
    return sum(statistics.groups["role"].get(role, {}).get(key, 0) for role in roles)


def opening_sentence(statistics: Statistics, config: Config) -> str:
    """今年，我局承办区政协委员提案共*件，其中：主办件*件，协办件*件。 (per kind present)"""
    office = config.office_name
    parts = []
    for kind, figures in statistics.groups["kind"].items():
        noun = KIND_NOUNS.get(kind, (kind, "", ""))[0]
        lead, assisting = figures["lead"], figures["assisting"]
        if assisting and lead:
            detail = f"其中：{noun}主办件{lead}件，{noun}协办件{assisting}件"
        elif lead:
            detail = "均为主办件"
        elif assisting:
            detail = "均为协办件"
        else:
            detail = "办理类型尚未填写"
        parts.append(f"承办{noun}共{figures['total']}件，{detail}")
    if not parts:
        return f"今年，{office}尚未承办提案建议。"
    return f"今年，{office}" + "；".join(parts) + "。"


def topics_sentence(statistics: Statistics, config: Config) -> str:
    topics = [label for label, figures in sorted(statistics.groups["topic"].items(), key=lambda p: -p[1]["total"])
              if label != "（未填写）"][:4]
    total = statistics.totals["total"]
    text = f"今年{config.office_name}共主办（协办）{total}件提案建议。"
    if topics:
        text += f"内容主要为{'、'.join(topics)}等。"
    return text


def key_items_sentence(statistics: Statistics) -> str:
    key_items = statistics.key_items
    if not key_items:
        return "今年没有确定为重点提案的事项。"
    described = []
    for item in key_items:
        _noun, person, item_noun = KIND_NOUNS.get(item.get("kind") or "", ("", "", "提案"))
        proposer = f"{item['proposer']}{person}提出的" if item.get("proposer") else ""
        described.append(f"{proposer}第{item['id']}号{item_noun}《{item['title']}》")
    count = len(key_items)
    return f"其中，{'；'.join(described)}为重点提案（共{count}件），由分管领导领衔督办。"


def outcome_sentence(statistics: Statistics) -> str:
    totals = statistics.totals
    classes = totals["reply_classes"]
    if not totals["completed_lead"]:
        return "主办件尚未办结，暂无答复类别统计。"
    class_text = "，".join(f"{letter}类{count}件" for letter, count in classes.items())
    return (f"已办结的{totals['completed_lead']}件主办件中，{class_text}，"
            f"解决采纳率{_percent(totals['adoption_rate'])}。")


def communication_sentence(statistics: Statistics) -> str:
    totals = statistics.totals
    rated = totals["rated"]
    text = f"承办人员采取电话联系、见面座谈、实地调研等形式与提案人沟通，主办件面商率{_percent(totals['face_to_face_rate'])}。"
    if rated:
        text += (f"已测评{rated}件，满意{totals['satisfied']}件、基本满意{totals['basically_satisfied']}件、"
                 f"不满意{totals['unsatisfied']}件，满意率{_percent(totals['satisfaction_rate'])}。")
    else:
        text += "尚无满意度测评结果。"
    return text


def closing_sentence(statistics: Statistics, config: Config) -> str:
    """目前，我局负责承办的*件协办件均已按时呈送主办单位，*件主办提案已办理完毕，*件主办提案已提出初步答复意见。"""
    office = config.office_name
    assisting_roles, lead_roles = config.assisting_roles, config.lead_roles
    assisting = _role_sum(statistics, assisting_roles, "total")
    assisting_done = _role_sum(statistics, assisting_roles, "completed")
    assisting_on_time = _role_sum(statistics, assisting_roles, "assisting_on_time")
    lead_done = _role_sum(statistics, lead_roles, "completed")
    lead_preliminary = _role_sum(statistics, lead_roles, "preliminary")
    lead_total = _role_sum(statistics, lead_roles, "total")
    parts = []
    if assisting:
        if assisting_on_time == assisting:
            parts.append(f"{office}负责承办的{assisting}件协办件均已按时呈送主办单位")
        else:
            late = _role_sum(statistics, assisting_roles, "late")
            undated = assisting_done - assisting_on_time - late
            pieces = [f"{assisting_on_time}件已按时呈送主办单位"]
            if late:
                pieces.append(f"{late}件超期呈送")
            if undated:
                pieces.append(f"{undated}件已呈送但未填写送达日期")
            if assisting - assisting_done:
                pieces.append(f"{assisting - assisting_done}件正在办理")
            parts.append(f"{office}负责承办的{assisting}件协办件中，" + "，".join(pieces))
    if lead_total:
        lead_part = f"{lead_done}件主办提案已办理完毕" if lead_done else "主办提案尚无办结"
        if lead_preliminary:
            lead_part += f"，{lead_preliminary}件主办提案已提出初步答复意见"
        remaining = lead_total - lead_done - lead_preliminary
        if remaining:
            lead_part += f"，{remaining}件正在办理"
        parts.append(lead_part)
    if not parts:
        return f"目前，{office}暂无承办事项。"
    return "目前，" + "，".join(parts) + "。"


def headline_sentence(statistics: Statistics) -> str:
    totals = statistics.totals
    return (f"截至{statistics.as_of.year}年{statistics.as_of.month}月{statistics.as_of.day}日，共办结{totals['completed']}件，"
            f"办结率{_percent(totals['completion_rate'])}，按时办结率{_percent(totals['on_time_rate'])}；"
            f"正在办理{totals['in_progress']}件，已逾期{totals['overdue']}件。")


def report_sentences(statistics: Statistics, config: Config) -> ReportSentences:
    """Every sentence of the report, filled."""
    return ReportSentences(
        opening=opening_sentence(statistics, config),
        topics=topics_sentence(statistics, config),
        key_items=key_items_sentence(statistics),
        outcome=outcome_sentence(statistics),
        communication=communication_sentence(statistics),
        closing=closing_sentence(statistics, config),
        headline=headline_sentence(statistics),
    )
