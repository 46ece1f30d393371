"""Reminders, the pure middle: settings, contacts, routing, no-spam rules, rendering."""

from __future__ import annotations

import configparser
import datetime as dt
from pathlib import Path

import pytest

from automation.items import FlaggedItem
from automation.remind import ReminderConfigError, ReminderLog, ReminderSettings, load_directory
from automation.remind import messages as M
from automation.remind import render
from automation.remind.contacts import Contact, Directory, normalize_name, parse_contact_line, split_names
from automation.remind.log import SentRecord
from automation.remind.plan import check_rules, due_soon_point, item_key, plan_reminders

TODAY = dt.date(2026, 3, 16)
CONFIG_SECTIONS = Path(__file__).resolve().parents[1] / "automation" / "remind" / "config_sections.ini"


def item(id, handler="张三", *, section="产业发展科", leader="赵局长", days=5, overdue=True,
         title=None, today=TODAY, key_item=False) -> FlaggedItem:
    deadline = today - dt.timedelta(days=days) if overdue else today + dt.timedelta(days=days)
    return FlaggedItem(id=id, title=title or f"关于{id}的提案", section=section, handler=handler,
                       leader=leader, deadline=deadline, days=days, overdue=overdue, sheet="台账",
                       excel_row=3, key_item=key_item)


def config(text: str = "") -> configparser.ConfigParser:
    c = configparser.ConfigParser()
    c.read_string(text)
    return c


BASE = """
[email]
enabled = yes
host = 127.0.0.1
security = none
sender = office@example.gov.cn
[contacts]
张三 = zhang@example.gov.cn; 产业发展科; 科员; 13800000001
李四 = li@example.gov.cn; 产业发展科; 科员
王五 = wang@example.gov.cn; 产业发展科; 科长
孙六 = ; 综合科; 科员
周科长 = zhou@example.gov.cn; 综合科; 副科长
赵局长 = zhao@example.gov.cn; 局领导; 副局长
"""


def setup(text: str = BASE, extra: str = ""):
    c = config(text + extra)
    settings = ReminderSettings.from_config(c, ledger_path="/tmp/台账.xlsx")
    return settings, load_directory(None, c)


# --- settings -----------------------------------------------------------------------------

def test_defaults_disable_every_channel():
    s = ReminderSettings.from_config(config(), ledger_path="/data/2026台账.xlsx")
    assert s.enabled_channels == ()
    assert s.due_soon_points == (7, 3, 1)
    assert s.log_file == Path("/data/2026台账.reminders.sqlite")
    assert s.times == (dt.time(9, 0),)


def test_config_sections_text_parses_and_sends_nothing():
    c = configparser.ConfigParser()
    c.read(CONFIG_SECTIONS, encoding="utf-8")
    s = ReminderSettings.from_config(c, ledger_path="D:/台账/2026.xlsx")
    assert s.enabled_channels == ()
    assert s.email.password_env == "LEDGER_SMTP_PASSWORD"
    assert s.dingtalk.secret_env == "LEDGER_DINGTALK_SECRET"
    assert s.escalate_after_days == 30


def test_settings_values_and_errors():
    s = ReminderSettings.from_config(config("""
[reminders]
due_soon_points = 3，7, 1 ,0
times = 14:30, 9:00
escalate_after_days =
log_file = logs/r.sqlite
section_copy = summary
[email]
enabled = 是
host = smtp.x
security = ssl
user = a@x.cn
"""), ledger_path="/data/t.xlsx")
    assert s.due_soon_points == (7, 3, 1, 0)
    assert s.times == (dt.time(9), dt.time(14, 30))
    assert s.escalate_after_days is None
    assert s.log_file == Path("/data/logs/r.sqlite")
    assert s.email.port == 465 and s.email.sender == ""
    with pytest.raises(ReminderConfigError, match=r"\[email\] security"):
        ReminderSettings.from_config(config("[email]\nsecurity = tls\n"))
    with pytest.raises(ReminderConfigError, match="host"):
        ReminderSettings.from_config(config("[email]\nenabled = yes\n"))
    with pytest.raises(ReminderConfigError, match="times"):
        ReminderSettings.from_config(config("[reminders]\ntimes = 9点\n"))


def test_webhook_url_with_percent_is_read_raw():
    s = ReminderSettings.from_config(config(
        "[wecom]\nenabled = yes\nwebhook_url = https://h/x?key=a%2Bb\n"))
    assert s.wecom.webhook_url.endswith("a%2Bb")


# --- contacts -----------------------------------------------------------------------------

def test_contact_lines_positional_and_labelled():
    c, w = parse_contact_line("张三", "zhang@x.cn; 产业发展科; 科员; 13800000001; zhangsan; dz")
    assert w is None
    assert (c.email, c.section, c.role, c.mobile, c.wecom_id, c.dingtalk_id) == (
        "zhang@x.cn", "产业发展科", "科员", "13800000001", "zhangsan", "dz")
    c, w = parse_contact_line("李四", "科室：综合科；邮箱：li@x.cn；手机号: 139 0000 0000")
    assert (c.section, c.email) == ("综合科", "li@x.cn")
    c, w = parse_contact_line("王五", "; 综合科; 科长")
    assert (c.email, c.section, c.role) == ("", "综合科", "科长")


def test_names_are_matched_loosely_and_split():
    assert normalize_name("张　三 ") == normalize_name("张三")
    assert split_names("张三、李四/王五，赵六") == ["张三", "李四", "王五", "赵六"]
    d = Directory([Contact("张 三", email="z@x.cn")])
    assert d.find("张三").email == "z@x.cn"


def test_section_head_prefers_the_head_over_a_deputy():
    d = Directory([Contact("甲", section="综合科", role="副科长"),
                   Contact("乙", section="综合科", role="科长"),
                   Contact("丙", section="综合科", role="科员")])
    assert d.section_head("综合科").name == "乙"
    d = Directory([Contact("甲", section="综合科", role="副主任")])
    assert d.section_head("综合科").name == "甲"
    assert d.section_head("产业发展科") is None


def test_bad_email_is_a_warning():
    d = load_directory(None, config("[contacts]\n张三 = not-an-email; 综合科\n"))
    assert d.find("张三").email == ""
    assert any("not-an-email" in w for w in d.warnings)


def test_contacts_sheet_with_title_row_synonyms_and_config_override(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "台账"
    ws = wb.create_sheet("通讯录")
    ws.append(["区XX局通讯录（2026年）"])
    ws.merge_cells("A1:F1")
    ws.append(["姓 名", "所在科室", "职务", "电子邮件", "手机号码", "企业微信账号"])
    ws.append(["张　三", "产业发展科", "科员", "zhang@example.gov.cn", 13800000001, "zhangsan"])
    ws.append(["王五", "产业发展科", "科长", "wang@example.gov.cn", None, None])
    ws.append([None, None, None, None, None, None])
    ws.append(["李四", "综合科", "科员", None, "13900000000", None])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    before = path.read_bytes()
    d = load_directory(path, config("[contacts]\n李四 = li@example.gov.cn\n"))
    assert path.read_bytes() == before  # read only
    assert d.warnings == []
    zhang = d.find("张三")
    assert (zhang.section, zhang.email, zhang.mobile, zhang.wecom_id) == (
        "产业发展科", "zhang@example.gov.cn", "13800000001", "zhangsan")
    assert zhang.source == "通讯录!第3行"
    li = d.find("李四")
    assert (li.email, li.section, li.mobile) == ("li@example.gov.cn", "综合科", "13900000000")
    assert d.section_head("产业发展科").name == "王五"


# --- routing ------------------------------------------------------------------------------

def _by_recipient(plan):
    return {m.recipient.name: sorted((e.item.id, e.kind) for e in m.entries) for m in plan.messages}


def test_one_digest_per_handler_with_only_their_items():
    settings, d = setup()
    items = [item("A1", "张三", days=40), item("A2", "张三", days=3, overdue=False),
             item("A3", "李四", days=2), item("A4", "张三、李四", days=1, overdue=False)]
    plan = plan_reminders(items, d, settings, None, TODAY)
    assert _by_recipient(plan) == {
        "张三": [("A1", "overdue"), ("A2", "due_soon"), ("A4", "due_soon")],
        "李四": [("A3", "overdue"), ("A4", "due_soon")],
        "赵局长": [("A1", "escalation")],
    }
    zhang = next(m for m in plan.messages if m.recipient.name == "张三")
    assert [e.item.id for e in zhang.own_overdue] == ["A1"]
    assert [e.item.id for e in zhang.own_due_soon] == ["A4", "A2"]  # least time left first


def test_most_overdue_first():
    settings, d = setup()
    items = [item("B1", days=3), item("B2", days=30), item("B3", days=12)]
    plan = plan_reminders(items, d, settings, None, TODAY)
    zhang = next(m for m in plan.messages if m.recipient.name == "张三")
    assert [e.item.id for e in zhang.own_overdue] == ["B2", "B3", "B1"]


def test_unreachable_handler_goes_to_section_head_then_office():
    settings, d = setup(extra="[reminders]\noffice_email = office@example.gov.cn\n")
    items = [item("C1", "钱七"), item("C2", "孙六", section="综合科"),
             item("C3", "", section="无此科"), item("C4", "钱七", section="无此科")]
    plan = plan_reminders(items, d, settings, None, TODAY)
    got = _by_recipient(plan)
    assert got["王五"] == [("C1", "forward")]
    assert got["周科长"] == [("C2", "forward")]  # a deputy when there is no head
    assert got["办公室"] == [("C3", "forward"), ("C4", "forward")]
    unreachable = {(u.name, u.reason): ([i.id for i in u.items], u.routed_to) for u in plan.unreachable}
    assert unreachable[("钱七", M.UNREACHABLE_NOT_IN_DIRECTORY)] == (["C1", "C4"], ["王五", "办公室"])
    assert any(name == "孙六" and "联系方式" in reason for name, reason in unreachable)
    assert unreachable[("", M.UNREACHABLE_EMPTY)] == (["C3"], ["办公室"])


def test_unreachable_with_nobody_to_route_to_is_reported():
    settings, d = setup()
    plan = plan_reminders([item("D1", "钱七", section="无此科")], d, settings, None, TODAY)
    assert plan.messages == []
    assert plan.unreachable[0].routed_to == []


def test_escalation_threshold_and_unreachable_leader():
    settings, d = setup(extra="[reminders]\nescalate_after_days = 10\noffice_email = o@example.gov.cn\n")
    items = [item("E1", days=10), item("E2", days=11), item("E3", days=20, leader="无名领导"),
             item("E4", days=30, leader="赵局长、钱局长")]
    plan = plan_reminders(items, d, settings, None, TODAY)
    got = _by_recipient(plan)
    assert got["赵局长"] == [("E2", "escalation"), ("E4", "escalation")]
    assert got["办公室"] == [("E3", "escalation"), ("E4", "escalation")]
    assert {u.name for u in plan.unreachable} == {"无名领导", "钱局长"}


def test_section_copy_and_summary():
    settings, d = setup(extra="[reminders]\nsection_copy = copy\n")
    items = [item("F1", "张三"), item("F2", "李四", overdue=False, days=1), item("F3", "王五")]
    plan = plan_reminders(items, d, settings, None, TODAY)
    got = _by_recipient(plan)
    assert got["王五"] == [("F1", "section"), ("F2", "section"), ("F3", "overdue")]
    wang = next(m for m in plan.messages if m.recipient.name == "王五")
    text = render.plain_text(wang, settings)
    assert "本科室事项（抄送，2 件）" in text and "产业发展科 李四" in text

    settings, d = setup(BASE + "吴八 = wu@example.gov.cn; 综合科; 科员\n",
                        "[reminders]\nsection_copy = summary\nsection_copy_sections = 综合科\n")
    more = [item("F4", "吴八", section="综合科"), item("F5", "吴八", section="综合科"),
            item("F6", "吴八", section="综合科", days=2, overdue=False)]
    plan = plan_reminders(items + more, d, settings, None, TODAY)
    got = _by_recipient(plan)
    assert all(k != "section" for _, k in got["王五"])  # 产业发展科 not selected
    assert got["周科长"] == [("F4", "section"), ("F5", "section"), ("F6", "section")]
    zhou = next(m for m in plan.messages if m.recipient.name == "周科长")
    text = render.plain_text(zhou, settings)
    assert "本科室事项汇总（3 件）" in text and "吴八：逾期 2 件，即将到期 1 件" in text
    assert "F4" not in text  # a summary, not a copy


def test_webhooks_carry_no_section_copies_and_escalations_only_when_asked():
    text = BASE + """
[wecom]
enabled = yes
webhook_url = http://127.0.0.1:9/x?key=k
[dingtalk]
enabled = yes
webhook_url = http://127.0.0.1:9/y?access_token=t
escalation = yes
[reminders]
section_copy = copy
"""
    settings, d = setup(text)
    plan = plan_reminders([item("G1", "张三", days=40)], d, settings, None, TODAY)
    pairs = sorted((m.channel, m.recipient.name, tuple(e.kind for e in m.entries)) for m in plan.messages)
    assert pairs == [
        ("dingtalk", "张三", ("overdue",)), ("dingtalk", "赵局长", ("escalation",)),
        ("email", "张三", ("overdue",)), ("email", "王五", ("section",)),
        ("email", "赵局长", ("escalation",)),
        ("wecom", "张三", ("overdue",)),
    ]


def test_contact_without_email_is_reachable_by_group_robot():
    text = BASE + "[wecom]\nenabled = yes\nwebhook_url = http://127.0.0.1:9/x?key=k\n"
    settings, d = setup(text)
    plan = plan_reminders([item("H1", "孙六", section="综合科")], d, settings, None, TODAY)
    assert [(m.channel, m.recipient.name) for m in plan.messages] == [("wecom", "孙六")]
    assert plan.unreachable == []


# --- no-spam rules ------------------------------------------------------------------------

def test_due_soon_point():
    assert due_soon_point(7, (7, 3, 1)) == 7
    assert due_soon_point(5, (7, 3, 1)) == 7
    assert due_soon_point(3, (7, 3, 1)) == 3
    assert due_soon_point(0, (7, 3, 1)) == 1
    assert due_soon_point(9, (7, 3, 1)) is None


def test_rules_over_a_sequence_of_dates():
    """Simulate daily runs from 12 days before a deadline to 20 days after it."""
    settings, d = setup()
    log = ReminderLog.in_memory()
    deadline = dt.date(2026, 4, 20)
    sent_days = []
    for offset in range(-12, 21):
        today = deadline + dt.timedelta(days=offset)
        if -7 <= offset <= 0:
            flagged = [item("R1", days=-offset, overdue=False, today=today, leader="")]
        elif offset > 0:
            flagged = [item("R1", days=offset, overdue=True, today=today, leader="")]
        else:
            flagged = []  # not yet due soon
        for _ in range(2):  # the second run of a day sends nothing
            plan = plan_reminders(flagged, d, settings, log, today)
            for m in plan.messages:
                log.mark_sent([SentRecord(today, item_key(e.item), e.item.id, m.recipient.key,
                                          e.kind, m.channel) for e in m.entries])
                sent_days.append((today - deadline).days)
    # 7, 3, 1 days before; overdue day 1, then every 7 days
    assert sent_days == [-7, -3, -1, 1, 8, 15]


def test_missed_point_is_caught_up():
    settings, _ = setup()
    it = item("P1", days=6, overdue=False)  # the 7-day point fell on a Sunday
    assert check_rules(it, TODAY, [], settings, "due_soon") is None
    assert check_rules(it, TODAY, [TODAY - dt.timedelta(days=1)], settings, "due_soon") is not None
    it = item("P2", days=2, overdue=False)  # the 7-day reminder does not cover the 3-day point
    assert check_rules(it, TODAY, [TODAY - dt.timedelta(days=5)], settings, "due_soon") is None


def test_no_points_means_every_day_and_same_day_is_never_repeated():
    settings, _ = setup(extra="[reminders]\ndue_soon_points =\n")
    it = item("P3", days=5, overdue=False)
    assert check_rules(it, TODAY, [TODAY - dt.timedelta(days=1)], settings, "due_soon") is None
    assert check_rules(it, TODAY, [TODAY], settings, "due_soon") == M.SKIP_SENT_TODAY


def test_same_item_same_person_once_per_day_across_kinds():
    settings, d = setup()
    log = ReminderLog.in_memory()
    it = item("S1", "王五", days=40, leader="王五")  # handler and leader at once
    plan = plan_reminders([it], d, settings, log, TODAY)
    assert [(m.recipient.name, [e.kind for e in m.entries]) for m in plan.messages] == [
        ("王五", ["overdue"])]


def test_history_is_per_channel():
    text = BASE + "[wecom]\nenabled = yes\nwebhook_url = http://127.0.0.1:9/x?key=k\n"
    settings, d = setup(text)
    log = ReminderLog.in_memory()
    it = item("T1")
    zhang = d.find("张三")
    log.mark_sent([SentRecord(TODAY, item_key(it), "T1", zhang.key, "overdue", "email")])
    plan = plan_reminders([it], d, settings, log, TODAY)
    assert [(m.channel, m.recipient.name) for m in plan.messages] == [("wecom", "张三")]
    assert [(s.channel, s.reason) for s in plan.skipped] == [("email", M.SKIP_SENT_TODAY)]


# --- rendering ----------------------------------------------------------------------------

def test_plain_html_and_markdown_escape_ledger_text():
    settings, d = setup()
    it = item("U1", title="关于<script>和**加粗**及[链接]的提案 & 其他", key_item=True)
    plan = plan_reminders([it], d, settings, None, TODAY)
    m = plan.messages[0]
    assert render.subject(m, settings) == "【提案建议办理提醒】张三：逾期 1 件（截至2026年3月16日）"
    text = render.plain_text(m, settings)
    assert text.startswith("张三同志：\n") and "【U1】关于<script>" in text and "（重点提案）" in text
    assert "已逾期 5 天" in text and "办理时限 2026-03-11" in text
    page = render.html_text(m, settings)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; 其他" in page
    assert "<table" in page and "<th" in page
    (content,) = render.wecom_markdown(m, settings)
    assert "<script>" not in content and "＜script＞" in content and "＊＊加粗" in content


def test_long_digest_is_split_under_the_wecom_limit():
    settings, d = setup()
    items = [item(f"V{i:03d}", title="很长的案由" * 30, days=i + 1) for i in range(60)]
    m = plan_reminders(items, d, settings, None, TODAY).messages[0]
    chunks = render.wecom_markdown(m, settings)
    assert len(chunks) > 1
    assert all(len(c.encode("utf-8")) <= render.WECOM_LIMIT for c in chunks)
    joined = "\n".join(chunks)
    assert all(f"【V{i:03d}】" in joined for i in range(60))
    assert "（续 2/" in chunks[1]


def test_works_with_the_projects_config_parser():
    """The CLI passes `automation.config.load_config(...).parser` (no interpolation, keys
    keep their case): the project's config.ini, which carries these sections (its last one is
    [contacts]), must parse, with contacts added at its end."""
    config_module = pytest.importorskip("automation.config")
    root = Path(__file__).resolve().parents[1]
    text = (root / "config.ini").read_text(encoding="utf-8-sig")
    assert "[reminders]" in text and text.rstrip().rsplit("\n[", 1)[-1].startswith("contacts]")
    text += "\n"
    text += "张　三 = zhang@example.gov.cn; 产业发展科; 科员\nZhang Wei = zw@example.gov.cn; 综合科\n"
    config = config_module.parse_config(text)
    settings = ReminderSettings.from_config(config.parser, ledger_path=root / "台账.xlsx")
    assert settings.enabled_channels == () and settings.due_soon_points == (7, 3, 1)
    d = load_directory(None, config.parser)
    assert d.find("张三").email == "zhang@example.gov.cn"
    assert d.find("zhang wei").section == "综合科"
    config = config_module.parse_config("[email]\nEnabled = yes\nHost = smtp.x\nSender = a@x.cn\n")
    assert ReminderSettings.from_config(config.parser).enabled_channels == ("email",)
