"""Every user-visible Chinese string of the reminders, in one place.

Code elsewhere in `automation.remind` formats these; it does not spell Chinese text itself.
"""

from __future__ import annotations

import datetime as dt

# --- channels and kinds --------------------------------------------------------------

CHANNEL_LABELS = {
    "email": "邮件",
    "wecom": "企业微信群",
    "dingtalk": "钉钉群",
    "none": "（未启用发送渠道）",
}

KIND_LABELS = {
    "overdue": "逾期提醒",
    "due_soon": "到期提醒",
    "forward": "代为转告",
    "section": "科室抄送",
    "escalation": "督办",
}

ROLE_HANDLER = "承办人"
ROLE_LEADER = "分管领导"
ROLE_SECTION_HEAD = "科室负责人"
NO_NAME = "（未填写）"

# --- directory -----------------------------------------------------------------------

UNREACHABLE_NOT_IN_DIRECTORY = "通讯录中没有此人"
UNREACHABLE_NO_ADDRESS = "通讯录中没有可用的联系方式（{channels}）"
UNREACHABLE_EMPTY = "台账中未填写"
CONTACTS_SHEET_NO_HEADER = "通讯录工作表“{sheet}”中找不到表头（需要“姓名”列），已忽略该表"
CONTACTS_BAD_EMAIL = "{source}：{name} 的邮箱“{value}”格式不对，已忽略"
CONTACTS_BAD_LINE = "config.ini [contacts]：“{name}”一行无法识别：{value}"
CONTACTS_DUPLICATE = "{source}：{name} 重复出现，以后一条为准"
CONTACTS_READ_FAILED = "无法读取通讯录工作表（{error}），本次只使用 config.ini 中的 [contacts]"

# --- settings errors -----------------------------------------------------------------

CONFIG_BAD_VALUE = "config.ini [{section}] {key} = {value}：{problem}"
CONFIG_BAD_BOOL = "应为 是/否（yes/no）"
CONFIG_BAD_INT = "应为整数"
CONFIG_BAD_NUMBER = "应为数字"
CONFIG_BAD_INT_LIST = "应为用逗号分隔的整数，例如 7,3,1"
CONFIG_BAD_TIMES = "应为用逗号分隔的时刻，例如 09:00,14:30"
CONFIG_BAD_CHOICE = "应为以下之一：{choices}"
CONFIG_MISSING = "config.ini [{section}] 已启用（enabled = yes），但没有填写 {key}"
CONFIG_ENV_MISSING = (
    "config.ini [{section}] {key} = {env}：环境变量 {env} 没有设置。"
    "密码和密钥不写在配置文件里，请在运行前设置这个环境变量"
)
CONFIG_NO_LOG_PATH = "未设置提醒记录文件（[reminders] log_file），也不知道台账位置"

# --- the digests ---------------------------------------------------------------------

SUBJECT_DEFAULT_PREFIX = "提案建议办理提醒"
SUBJECT = "【{prefix}】{name}：{counts}（截至{date}）"
COUNT_OVERDUE = "逾期 {n} 件"
COUNT_DUE_SOON = "即将到期 {n} 件"
COUNT_FORWARD = "代为转告 {n} 件"
COUNT_ESCALATION = "督办 {n} 件"
COUNT_SECTION = "科室事项 {n} 件"
COUNTS_JOIN = "，"

GREETING_PERSON = "{name}同志："
GREETING_OFFICE = "{name}："
INTRO = "截至{date}，以下提案（建议）办理事项需要您关注："

PART_OVERDUE = "已逾期（{n} 件，按逾期天数从多到少）"
PART_DUE_SOON = "即将到期（{n} 件）"
PART_FORWARD = "请代为转告（{n} 件：以下事项的承办人无法直接提醒）"
PART_ESCALATION = "督办：以下事项已逾期超过 {days} 天（{n} 件）"
PART_SECTION_COPY = "本科室事项（抄送，{n} 件）"
PART_SECTION_SUMMARY = "本科室事项汇总（{n} 件）"

DAYS_OVERDUE = "已逾期 {days} 天"
DAYS_LEFT = "还剩 {days} 天"
DUE_TODAY = "今天到期"
DEADLINE = "办理时限 {date}"
KEY_ITEM = "（重点提案）"
HANDLER_IS = "承办人：{name}"
HANDLER_UNREACHABLE = "承办人：{name}（{reason}）"
LEADER_UNREACHABLE = "分管领导：{name}（{reason}）"
SECTION_AND_HANDLER = "{section} {handler}"
SUMMARY_LINE = "{handler}：{counts}"

CLOSING = "请抓紧办理，按时答复。台账信息如有出入，请联系{office}更正。"
SIGNATURE = "——{office}（提案建议办理台账自动提醒，请勿直接回复）"
CONTINUED = "（续 {n}/{total}）"

TABLE_HEADERS_OWN = ("编号", "案由", "办理时限", "情况")
TABLE_HEADERS_OTHER = ("编号", "案由", "承办科室", "承办人", "办理时限", "情况")
TABLE_HEADERS_SUMMARY = ("承办人", "已逾期", "即将到期")

WEBHOOK_TITLE = "提案建议办理提醒"

# --- the run report ------------------------------------------------------------------

REPORT_HEADER = "提醒检查：截至 {date}{mode}"
REPORT_DRY_RUN = "（试运行：只列出将要发送的内容，不发送、不记录）"
REPORT_PREVIOUS_FAILURE = "上次运行失败（{when}，截至 {date}）：{error}；未送达的提醒本次重新发送"
REPORT_NO_CHANNEL = "未启用任何发送渠道（config.ini 中 [email]、[wecom]、[dingtalk] 的 enabled 均为 no），本次不发送。"
REPORT_NOTHING = "没有需要发送的提醒。"
REPORT_WOULD_SEND = "将发送 {n} 条："
REPORT_WOULD_REMIND = "启用发送渠道后将提醒 {n} 人："
REPORT_SENT = "已发送 {n} 条："
REPORT_MESSAGE_LINE = "  {channel} → {recipient}：{counts}"
REPORT_SKIPPED = "跳过 {n} 项（{reasons}）"
REPORT_SKIPPED_DETAIL = "  {channel} → {recipient}：{item} {reason}"
REPORT_UNREACHABLE = "无法直接提醒 {n} 人："
REPORT_UNREACHABLE_LINE = "  {name}（{role}，{reason}）：{items} → {routed}"
REPORT_ROUTED_TO = "已转 {names}"
REPORT_NOT_ROUTED = "无人可转（请在通讯录中补充，或设置 [reminders] office_email）"
REPORT_FAILED = "发送失败 {n} 条："
REPORT_FAILED_LINE = "  {channel} → {recipient}：{error}"
REPORT_WARNING = "注意：{text}"
REPORT_RESULT_OK = "结果：完成。"
REPORT_RESULT_FAILED = "结果：有 {n} 条发送失败，未送达的事项没有记为已发送，下次运行会重新发送（退出码 {code}）。"
REPORT_RESULT_CONFIG = "结果：配置有误，未发送（退出码 {code}）。"
REPORT_NOT_WORKDAY = "{date} 不是工作日，按设置不发送提醒。"
REPORT_LOG_FAILED = "无法打开提醒记录文件 {path}：{error}"
REPORT_LOG_WRITE_FAILED = "提醒已发出，但无法写入提醒记录文件 {path}（{error}），下次运行可能重复提醒（退出码 1）"
REPORT_PREVIEW_HEADER = "———— {channel} → {recipient} ————"
REPORT_PREVIEW_SUBJECT = "主题：{subject}"
REPORT_CONFIG_ERROR = "配置错误：{error}"

SKIP_SENT_TODAY = "今天已发送"
SKIP_NOT_AT_POINT = "未到提醒点（到期前 {points} 天提醒）"
SKIP_POINT_DONE = "本提醒点已发送（{last}）"
SKIP_REPEAT = "逾期提醒间隔未到（上次 {last}，每 {days} 天一次）"
SKIP_NO_SECTION_HEAD = "{section} 没有科室负责人（通讯录中角色含 {roles} 的人），未抄送"

# --- send errors ---------------------------------------------------------------------

ERR_SMTP_CONNECT = "无法连接邮件服务器 {server}（{reason}）"
ERR_SMTP_TLS = "与邮件服务器 {server} 建立加密连接失败（{reason}），请检查 [email] security（none/starttls/ssl）和端口"
ERR_SMTP_AUTH = "邮件服务器 {server} 拒绝登录（用户 {user}）：{reason}"
ERR_SMTP_REFUSED = "邮件服务器拒收收件人 {address}：{reason}"
ERR_SMTP_OTHER = "发送邮件失败（{server}）：{reason}"
ERR_HTTP_CONNECT = "无法连接{platform}机器人 {server}（{reason}）"
ERR_HTTP_STATUS = "{platform}机器人 {server} 返回 HTTP {status}"
ERR_HTTP_ANSWER = "{platform}机器人拒绝了消息：errcode={code}，{msg}"
ERR_HTTP_BAD_ANSWER = "{platform}机器人的回复无法识别：{text}"
ERR_RETRIED = "{error}（已重试 {n} 次）"
ERR_NOT_SENT_AFTER_FAILURE = "未发送：同一服务器的前一条已失败"

# --- the scheduler -------------------------------------------------------------------

WATCH_STARTED = "提醒服务已启动：工作日 {times} 运行；下次运行 {next}。按 Ctrl+C 停止。"
WATCH_NEXT = "下次运行 {next}"
WATCH_RUN_OK = "[{when}] 提醒检查（截至 {date}）完成：{summary}"
WATCH_RUN_FAILED = "[{when}] 提醒检查（截至 {date}）失败：{error}"
WATCH_RETRY = "{delay} 秒后重试（第 {n}/{total} 次）"
WATCH_GAVE_UP = "已重试 {n} 次仍失败，等待下次运行，届时报告本次失败"
WATCH_PREVIOUS_FAILURE = "上次运行（{when}）失败：{error}"
WATCH_SKIP_NOT_WORKDAY = "[{when}] {date} 不是工作日，跳过"
WATCH_STOPPED = "提醒服务已停止。"
WATCH_CALENDAR_UNKNOWN = "节假日数据不包含 {year} 年（chinese-calendar 只到 {last} 年），暂按周一至周五为工作日；请升级 chinese-calendar"
RUN_SUMMARY = "发送 {sent} 条，失败 {failed} 条，跳过 {skipped} 项，无法直接提醒 {unreachable} 人"

# --- schtasks ------------------------------------------------------------------------

SCHTASKS_TOO_LONG = "计划任务的命令行超过 261 个字符（Windows 的限制），请把 Python 或台账放到路径更短的文件夹"
SCHTASKS_NOT_WINDOWS = "只能在 Windows 上注册计划任务；请手动执行上面的命令，或使用 cron 行"
SCHTASKS_BAD_TIME = "时刻“{value}”格式不对，应为 HH:MM，例如 09:00"


def cn_date(day: dt.date) -> str:
    """2026年3月16日"""
    return f"{day.year}年{day.month}月{day.day}日"


CN_NUMERALS = "一二三四五六七八九十"


def part_number(index: int) -> str:
    """1 -> '一、'"""
    return CN_NUMERALS[index - 1] + "、" if 1 <= index <= 10 else f"{index}、"


# --- issue 13: reminders hold under faults ---------------------------------------------

ERR_DEADLINE = "{what} {server} 超过 {seconds} 秒仍未完成发送（响应过慢），已中止；本次该渠道其余消息不再发送"
ERR_STOPPED = "收到停止信号，未发送"
WHAT_MAIL_SERVER = "邮件服务器"
WHAT_ROBOT = "{platform}机器人"
ERR_SERVER_DISCONNECTED = "服务器断开了连接"
ERR_NO_ANSWER_IN_TIME = "{seconds} 秒内没有回复，已中止"
ERR_SMTP_UNKNOWN = (
    "邮件已全部发给服务器 {server}，但没有收到服务器的确认（{reason}），可能已经送达；"
    "为免重复，今天不再重发，请向收件人核实")
ERR_HTTP_UNKNOWN = (
    "消息已全部发给{platform}机器人 {server}，但没有收到回复（{reason}），可能已经发到群里；"
    "为免重复，今天不再重发")
ERR_RATE_LIMITED = (
    "{platform}机器人限流（errcode={code}，{msg}）：平台要求等待约 {wait} 秒，"
    "超过允许的等待时间（[reminders] rate_limit_wait_seconds = {allowed}），本次该渠道其余消息不发送，下次运行补发")
RATE_LIMIT_WAITING = "{platform}机器人限流（errcode={code}），按平台要求等待 {wait} 秒后重发"
SKIP_UNKNOWN_TODAY = "今天已发出但未收到服务器确认（投递情况不明），今天不再重发"
REPORT_UNKNOWN = "投递情况不明 {n} 条（已全部发出但没有收到确认，今天不再重发，请向收件人核实是否收到）："
REPORT_BUSY = (
    "另一个提醒程序正在使用提醒记录 {path}（例如计划任务和 ledger watch 同时运行），"
    "等待 {seconds} 秒后仍未结束；为免重复发送，本次不发送（退出码 {code}）")
REPORT_RESULT_UNKNOWN = "结果：有 {n} 条投递情况不明，已记录，今天不再重发（退出码 {code}）。"
REPORT_STOPPED = "收到停止信号：未发出的提醒没有记为已发送，下次运行补发。"
