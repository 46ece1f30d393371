"""The sentences of the annual report (seed document) with every `*` filled from the statistics.

One function writes them; the 统计汇总 sheet and the Word/Markdown report both use it, so a
figure can never differ between the two. The wording adapts when a figure is zero or when
not every assisting item was on time.

`year` (the report's year, `ledger report --year`) only changes the time word: "今年" when it
is the year of the statistics date (or not given), else "2025年".
"""

from __future__ import annotations

from dataclasses import dataclass

from automation import messages
from automation.config import Config
from automation.stats import Statistics, format_rate

KIND_NOUNS = {"政协提案": ("区政协委员提案", "委员", "提案"), "人大建议": ("区人大代表建议", "代表", "建议")}
#: The kinds in the order a report names them, with their plain noun (no "区").
KIND_PLAIN_NOUNS = {"政协提案": "政协委员提案", "人大建议": "人大代表建议"}


@dataclass
class ReportSentences:
    """The filled sentences, in the order of the seed report."""

    opening: str
    headline: str
    follow_up: str
    topics: str
    key_items: str
    outcome: str
    communication: str
    closing: str

    def as_list(self) -> list[tuple[str, str]]:
        return [
            ("开篇", self.opening), ("主要指标", self.headline), ("督办跟踪", self.follow_up),
            ("办理内容", self.topics), ("重点提案", self.key_items), ("办理结果", self.outcome),
            ("沟通协调", self.communication), ("办理进度", self.closing),
        ]


def _role_sum(statistics: Statistics, roles, key: str) -> int:
    return sum(statistics.groups["role"].get(role, {}).get(key, 0) for role in roles)


def period_word(statistics: Statistics, year: int | None = None) -> str:
    """'今年', or '2025年' when the report is about another year than the statistics date's."""
    return "今年" if year is None or year == statistics.as_of.year else f"{year}年"


def date_text(statistics: Statistics) -> str:
    """The statistics date as written in a report: 2026年6月28日."""
    as_of = statistics.as_of
    return f"{as_of.year}年{as_of.month}月{as_of.day}日"


def _kinds_present(statistics: Statistics) -> list[str]:
    present = [kind for kind, figures in statistics.groups["kind"].items() if figures["total"]]
    return [kind for kind in KIND_PLAIN_NOUNS if kind in present]


def kinds_noun(statistics: Statistics) -> str:
    """What the ledger holds, for titles: 政协委员提案 / 人大代表建议 / both, joined by 和."""
    kinds = _kinds_present(statistics)
    return "和".join(KIND_PLAIN_NOUNS[kind] for kind in kinds) if kinds else "提案建议"


def _lead_noun(statistics: Statistics) -> str:
    """主办提案 (the seed's word), 主办建议 when the ledger holds only suggestions, 主办件 when both."""
    kinds = _kinds_present(statistics)
    if kinds == ["人大建议"]:
        return "主办建议"
    if len(kinds) > 1:
        return "主办件"
    return "主办提案"


def opening_sentence(statistics: Statistics, config: Config, year: int | None = None) -> str:
    """今年，我局承办区政协委员提案共*件，其中：主办件*件，协办件*件。 (per kind present)"""
    office = config.office_name
    period = period_word(statistics, year)
    parts = []
    kinds = statistics.groups["kind"]
    for kind, figures in kinds.items():
        noun = KIND_NOUNS.get(kind, (kind, "", ""))[0]
        # No kind column (or none filled in): speak of the items plainly.
        plain = kind == messages.BLANK_VALUE and len(kinds) == 1
        if kind == messages.BLANK_VALUE:
            noun = "提案建议" if plain else "未填写类别的事项"
        lead, assisting = figures["lead"], figures["assisting"]
        every = "均" if figures["total"] > 1 else ""
        if assisting and lead:
            repeat = "" if plain else noun
            detail = f"其中：{repeat}主办件{lead}件，{repeat}协办件{assisting}件"
        elif lead:
            detail = f"{every}为主办件"
        elif assisting:
            detail = f"{every}为协办件"
        else:
            detail = "办理类型尚未填写"
        parts.append(f"承办{noun}共{figures['total']}件，{detail}")
    if not parts:
        return f"{period}，{office}尚未承办提案建议。"
    return f"{period}，{office}" + "；".join(parts) + "。"


def headline_sentence(statistics: Statistics) -> str:
    """截至*年*月*日，共办结*件，办结率*，按时办结率*；正在办理*件，已逾期*件。"""
    totals = statistics.totals
    text = f"截至{date_text(statistics)}，"
    if not totals["total"]:
        return text + "尚无承办事项。"
    if totals["completed"]:
        text += f"共办结{totals['completed']}件，办结率{format_rate(totals['completion_rate'])}"
        if totals["on_time_rate"] is not None:
            text += f"，按时办结率{format_rate(totals['on_time_rate'])}"
    else:
        text += "尚无办结事项"
    open_parts = []
    if totals["in_progress"]:
        open_parts.append(f"正在办理{totals['in_progress']}件")
    if totals["overdue"]:
        open_parts.append(f"已逾期{totals['overdue']}件")
    if open_parts:
        text += "；" + "，".join(open_parts)
    return text + "。"


def follow_up_sentence(statistics: Statistics, config: Config) -> str:
    """What the office did with the ledger's flags: reminders before, chasing after a deadline."""
    totals = statistics.totals
    due_soon, overdue = totals["due_soon"], totals["overdue"]
    actions = []
    if due_soon:
        actions.append(f"对{due_soon}件{config.warn_days}天内到期的事项及时提醒承办科室")
    if overdue:
        actions.append(f"对{overdue}件已逾期的事项逐件催办")
    if actions:
        return "办公室根据办理时限要求，" + "，".join(actions) + "，督促加快办理进度。"
    if totals["in_progress"]:
        return "办公室根据办理时限要求及时提醒承办科室，目前没有逾期未办结的事项。"
    if totals["total"]:
        return "目前所有事项均已办结。"
    return ""


def topics_sentence(statistics: Statistics, config: Config, year: int | None = None) -> str:
    """今年我局共主办（协办）*件政协委员提案。内容主要为……等。"""
    topics = [label for label, figures in sorted(statistics.groups["topic"].items(), key=lambda p: -p[1]["total"])
              if label != messages.BLANK_VALUE][:4]
    totals = statistics.totals
    if not totals["total"]:
        return ""
    if totals["lead"] and totals["assisting"]:
        verb = "主办（协办）"
    elif totals["assisting"]:
        verb = "协办"
    else:
        verb = "主办"
    text = f"{period_word(statistics, year)}{config.office_name}共{verb}{totals['total']}件{kinds_noun(statistics)}。"
    if topics:
        text += f"内容主要为{'、'.join(topics)}等。"
    return text


def key_items_sentence(statistics: Statistics, year: int | None = None) -> str:
    """其中，*委员提出的第*号提案《……》为重点提案。 (every key item, by number, title and proposer)"""
    key_items = statistics.key_items
    if not statistics.totals["total"]:
        return ""
    if not key_items:
        return f"{period_word(statistics, year)}承办的事项中没有重点提案。"
    described = []
    for item in key_items:
        _noun, person, item_noun = KIND_NOUNS.get(item.get("kind") or "", ("", "", "提案"))
        proposer = f"{item['proposer']}{person}提出的" if item.get("proposer") else ""
        described.append(f"{proposer}第{item['id']}号{item_noun}《{item['title']}》")
    if len(described) == 1:
        return f"其中，{described[0]}为重点提案。"
    return f"其中，重点提案{len(described)}件：{'；'.join(described)}。"


def outcome_sentence(statistics: Statistics) -> str:
    """已办结的*件主办件中，A类*件，B类*件，C类*件，解决采纳率*。"""
    totals = statistics.totals
    classes = totals["reply_classes"]
    if not totals["total"]:
        return ""
    if not totals["lead"]:
        return "承办事项均为协办件，不涉及答复类别。"
    if not totals["completed_lead"]:
        return "主办件尚未办结，暂无答复类别统计。"
    pieces = [f"{letter}类{count}件" for letter, count in classes.items() if count]
    unclassified = totals["completed_lead"] - sum(classes.values())
    if not pieces:
        return f"已办结的{totals['completed_lead']}件主办件均未填写答复类别。"
    if unclassified > 0:
        pieces.append(f"{unclassified}件未填写答复类别")
    return (f"已办结的{totals['completed_lead']}件主办件中，{'，'.join(pieces)}，"
            f"解决采纳率{format_rate(totals['adoption_rate'])}。")


def communication_sentence(statistics: Statistics) -> str:
    """沟通方式和面商率，满意度测评结果。"""
    totals = statistics.totals
    rated = totals["rated"]
    if not totals["total"]:
        return ""
    text = "承办人员采取电话联系、见面座谈、实地调研等形式与提案人沟通"
    if totals["face_to_face_rate"] is not None:
        text += f"，主办件面商率{format_rate(totals['face_to_face_rate'])}"
    text += "。"
    if rated:
        split = [f"{label}{totals[key]}件" for key, label in
                 (("satisfied", "满意"), ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意")) if totals[key]]
        text += f"已测评{rated}件，{'、'.join(split)}，满意率{format_rate(totals['satisfaction_rate'])}。"
    elif totals["lead"]:
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
    lead_noun = _lead_noun(statistics)
    parts = []
    separator = "，"
    if assisting:
        late = _role_sum(statistics, assisting_roles, "late")
        undated = assisting_done - assisting_on_time - late
        # (count, wording within a list, wording when every assisting item is in that state)
        states = [(assisting_on_time, "已按时呈送主办单位", "已按时呈送主办单位"),
                  (late, "超期呈送", "已超期呈送主办单位"),
                  (undated, "已呈送但未填写送达日期", "已呈送主办单位，但未填写送达日期"),
                  (assisting - assisting_done, "正在办理", "正在办理")]
        states = [state for state in states if state[0]]
        if len(states) == 1:
            every = "均" if assisting > 1 else ""
            parts.append(f"{office}负责承办的{assisting}件协办件{every}{states[0][2]}")
        else:
            pieces = [f"{count}件{wording}" for count, wording, _ in states]
            parts.append(f"{office}负责承办的{assisting}件协办件中，" + "，".join(pieces))
            separator = "；"
    if lead_total:
        lead_pieces = []
        if lead_done:
            lead_pieces.append(f"{lead_done}件{lead_noun}已办理完毕")
        if lead_preliminary:
            lead_pieces.append(f"{lead_preliminary}件{lead_noun}已提出初步答复意见")
        remaining = lead_total - lead_done - lead_preliminary
        if remaining:
            lead_pieces.append(f"{remaining}件{lead_noun}正在办理")
        parts.append("，".join(lead_pieces))
    if not parts:
        return f"目前，{office}暂无承办事项。"
    return "目前，" + separator.join(parts) + "。"


def report_sentences(statistics: Statistics, config: Config, year: int | None = None) -> ReportSentences:
    """Every sentence of the report, filled."""
    return ReportSentences(
        opening=opening_sentence(statistics, config, year),
        headline=headline_sentence(statistics),
        follow_up=follow_up_sentence(statistics, config),
        topics=topics_sentence(statistics, config, year),
        key_items=key_items_sentence(statistics, year),
        outcome=outcome_sentence(statistics),
        communication=communication_sentence(statistics),
        closing=closing_sentence(statistics, config),
    )
