"""Reminders end to end: a real SMTP server (aiosmtpd) and a real HTTP server on loopback,
a workbook with a 通讯录 sheet written for the test, `remind_command` as the CLI calls it."""

from __future__ import annotations

import base64
import configparser
import datetime as dt
import hashlib
import hmac
import io
import logging
import sqlite3
import urllib.parse

import pytest

from automation.items import FlaggedItem
from automation.remind import ReminderLog, ReminderSettings, remind_command
from automation.remind.channels import dingtalk_sign
from tests.remind_servers import SmtpSink, WebhookRecorder, free_port

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TODAY = dt.date(2026, 3, 16)
PASSWORD = "Pw-7f3e9c1a-秘密"
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
WECOM_KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "d1n9t0k3n5ecret00112233"
FIXED_NOW = 1_773_640_800.123  # 2026-03-16 (the signature timestamp the test recomputes)


def item(id, handler, *, section="产业发展科", leader="赵局长", days=5, overdue=True,
         title=None, today=TODAY) -> FlaggedItem:
    deadline = today - dt.timedelta(days=days) if overdue else today + dt.timedelta(days=days)
    return FlaggedItem(id=id, title=title or f"关于{id}的提案", section=section, handler=handler,
                       leader=leader, deadline=deadline, days=days, overdue=overdue, sheet="台账",
                       excel_row=3)


ITEMS = [
    item("TA2026001", "张三", days=45, title="关于加强社区养老服务设施建设的提案"),
    item("TA2026002", "张三", days=3, title="关于优化营商环境的建议"),
    item("TA2026003", "张三", days=3, overdue=False, title="关于老旧小区加装电梯的提案"),
    item("JY2026004", "李四", days=7, overdue=False, title="关于“菜篮子”工程的建议"),
    item("JY2026005", "李四", days=31, section="综合科", leader="钱局长", title="关于公交线路调整的建议"),
    item("TA2026006", "王五", days=1, title="关于加强校园周边交通管理的提案"),
]


@pytest.fixture()
def workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["编号", "案由", "承办科室", "承办人", "分管领导", "办理时限"])
    for it in ITEMS:
        ws.append([it.id, it.title, it.section, it.handler, it.leader, it.deadline])
    c = wb.create_sheet("通讯录")
    c.append(["姓名", "科室", "角色", "邮箱", "手机", "企业微信"])
    c.append(["张三", "产业发展科", "科员", "zhangsan@example.gov.cn", 13800000001, "zhangsan"])
    c.append(["李四", "产业发展科", "科员", "lisi@example.gov.cn", 13800000002, None])
    c.append(["王五", "产业发展科", "科长", "wangwu@example.gov.cn", None, None])
    c.append(["赵局长", "局领导", "副局长", "zhao@example.gov.cn", 13800000009, None])
    c.append(["钱局长", "局领导", "副局长", "qian@example.gov.cn", None, None])
    path = tmp_path / "2026年提案办理台账.xlsx"
    wb.save(path)
    return path


def make_config(smtp_port=None, hooks=None, *, email=True, reminders="") -> configparser.ConfigParser:
    text = "[reminders]\nescalate_after_days = 30\nsend_retries = 1\nretry_backoff_seconds = 0\n"
    text += "office_name = 局办公室\n" + reminders
    if email:
        text += f"""
[email]
enabled = yes
host = 127.0.0.1
port = {smtp_port}
security = none
user = tajz
password_env = TEST_SMTP_PASSWORD
sender = tajz@example.gov.cn
sender_name = 区发展改革局办公室
timeout = 5
"""
    if hooks is not None:
        text += f"""
[wecom]
enabled = yes
webhook_url = {hooks.base_url}/cgi-bin/webhook/send?key={WECOM_KEY}
pause_seconds = 0
[dingtalk]
enabled = yes
webhook_url = {hooks.base_url}/robot/send?access_token={DING_TOKEN}
secret_env = TEST_DING_SECRET
escalation = yes
pause_seconds = 0
"""
    c = configparser.ConfigParser()
    c.read_string(text)
    return c


ENV = {"TEST_SMTP_PASSWORD": PASSWORD, "TEST_DING_SECRET": DING_SECRET}


def run(items, workbook, config, today=TODAY, dry_run=False, env=ENV, **kw):
    out = io.StringIO()
    code = remind_command(items, workbook, config, today, dry_run, out, env=env,
                          clock=lambda: FIXED_NOW, sleep=lambda s: None, **kw)
    return code, out.getvalue()


def mails_by_recipient(smtp):
    return {r.rcpt_tos[0]: r.message for r in smtp.received}


def body_of(msg, subtype):
    return msg.get_body(preferencelist=(subtype,)).get_content()


# --- email --------------------------------------------------------------------------------

def test_one_email_per_person_with_exactly_their_items(workbook):
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        code, out = run(ITEMS, workbook, make_config(smtp.port))
    assert code == 0, out
    assert smtp.auth_attempts and all(ok for _, ok in smtp.auth_attempts)
    mails = mails_by_recipient(smtp)
    assert len(smtp.received) == len(mails) == 5  # no one gets two messages
    assert set(mails) == {"zhangsan@example.gov.cn", "lisi@example.gov.cn", "wangwu@example.gov.cn",
                          "zhao@example.gov.cn", "qian@example.gov.cn"}
    ids = {addr: {i.id for i in ITEMS if i.id in body_of(m, "plain")} for addr, m in mails.items()}
    assert ids["zhangsan@example.gov.cn"] == {"TA2026001", "TA2026002", "TA2026003"}
    assert ids["lisi@example.gov.cn"] == {"JY2026004", "JY2026005"}
    assert ids["wangwu@example.gov.cn"] == {"TA2026006"}
    # escalation: overdue by more than 30 days -> the leader
    assert ids["zhao@example.gov.cn"] == {"TA2026001"}
    assert ids["qian@example.gov.cn"] == {"JY2026005"}
    assert "已发送 5 条" in out


def test_escalation_digest_per_leader(workbook):
    items = ITEMS + [item("TA2026007", "王五", days=60, leader="赵局长"),
                     item("JY2026008", "李四", days=40, leader="钱局长")]
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        code, out = run(items, workbook, make_config(smtp.port))
    assert code == 0, out
    mails = mails_by_recipient(smtp)
    zhao = body_of(mails["zhao@example.gov.cn"], "plain")
    assert "督办：以下事项已逾期超过 30 天（2 件）" in zhao
    assert zhao.index("TA2026007") < zhao.index("TA2026001")  # most overdue first
    assert "产业发展科 王五" in zhao and "已逾期 60 天" in zhao
    qian = body_of(mails["qian@example.gov.cn"], "plain")
    assert "JY2026008" in qian and "JY2026005" in qian and "TA2026001" not in qian
    assert mails["zhao@example.gov.cn"]["Subject"] == "【提案建议办理提醒】赵局长：督办 2 件（截至2026年3月16日）"


def test_chinese_subject_names_and_bodies_are_encoded_correctly(workbook):
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        code, _ = run(ITEMS, workbook, make_config(smtp.port))
    assert code == 0
    received = next(r for r in smtp.received if r.rcpt_tos == ["zhangsan@example.gov.cn"])
    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are pure ASCII
    assert "=?utf-8?" in raw_headers.lower()
    msg = received.message
    assert msg["Subject"] == "【提案建议办理提醒】张三：逾期 2 件，即将到期 1 件（截至2026年3月16日）"
    assert msg["To"].addresses[0].display_name == "张三"
    assert msg["From"].addresses[0].display_name == "区发展改革局办公室"
    assert msg["From"].addresses[0].addr_spec == "tajz@example.gov.cn"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    text = plain.get_content()
    assert text.startswith("张三同志：")
    assert "一、已逾期（2 件，按逾期天数从多到少）" in text
    assert text.index("TA2026001") < text.index("TA2026002")
    assert "【TA2026001】关于加强社区养老服务设施建设的提案" in text and "已逾期 45 天" in text
    assert "二、即将到期（1 件）" in text and "还剩 3 天" in text
    assert "办理时限 2026-03-19" in text
    page = html.get_content()
    assert "<table" in page and "关于老旧小区加装电梯的提案" in page and "#FFC7CE" in page
    assert msg["Date"] and msg["Message-ID"]


def test_second_run_on_the_same_day_sends_nothing(workbook):
    with SmtpSink(login=("tajz", PASSWORD)) as smtp, WebhookRecorder() as hooks:
        config = make_config(smtp.port, hooks)
        code, _ = run(ITEMS, workbook, config)
        first_mails, first_posts = len(smtp.received), len(hooks.requests)
        code2, out2 = run(ITEMS, workbook, config)
    assert code == code2 == 0
    assert first_mails == 5 and first_posts == 8
    assert len(smtp.received) == first_mails and len(hooks.requests) == first_posts
    assert "没有需要发送的提醒" in out2 and "今天已发送" in out2


def test_moving_through_the_reminder_points(workbook):
    """One item, due on 2026-04-20: daily runs send at 7, 3, 1 days before, then on the
    first overdue day and every 7 days (and escalate after 30 days)."""
    deadline = dt.date(2026, 4, 20)
    arrivals: list[tuple[int, str]] = []
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        config = make_config(smtp.port)
        for offset in range(-10, 33):
            today = deadline + dt.timedelta(days=offset)
            if -7 <= offset <= 0:
                flagged = [item("TA9", "张三", days=-offset, overdue=False, today=today)]
            elif offset > 0:
                flagged = [item("TA9", "张三", days=offset, today=today)]
            else:
                flagged = []
            before = len(smtp.received)
            for _ in range(2):
                code, out = run(flagged, workbook, config, today=today)
                assert code == 0, out
            arrivals += [(offset, r.rcpt_tos[0]) for r in smtp.received[before:]]
    assert arrivals == [
        (-7, "zhangsan@example.gov.cn"), (-3, "zhangsan@example.gov.cn"),
        (-1, "zhangsan@example.gov.cn"), (1, "zhangsan@example.gov.cn"),
        (8, "zhangsan@example.gov.cn"), (15, "zhangsan@example.gov.cn"),
        (22, "zhangsan@example.gov.cn"), (29, "zhangsan@example.gov.cn"),
        (31, "zhao@example.gov.cn"),  # overdue by more than 30 days: the leader
    ]


def test_dry_run_prints_and_sends_nothing(workbook):
    with SmtpSink(login=("tajz", PASSWORD)) as smtp, WebhookRecorder() as hooks:
        code, out = run(ITEMS, workbook, make_config(smtp.port, hooks), dry_run=True, env={})
    assert code == 0
    assert smtp.received == [] and hooks.requests == []
    assert not (workbook.parent / (workbook.stem + ".reminders.sqlite")).exists()
    assert "试运行" in out and "将发送" in out
    assert "邮件 → 张三 <zhangsan@example.gov.cn>" in out
    assert "主题：【提案建议办理提醒】张三：逾期 2 件，即将到期 1 件" in out
    assert '"msgtype": "markdown"' in out


def test_no_channel_enabled_sends_nothing(workbook):
    code, out = run(ITEMS, workbook, make_config(email=False))
    assert code == 0 and "未启用任何发送渠道" in out and "启用发送渠道后将提醒 5 人" in out


def test_dry_run_honours_the_log_and_leaves_it_unchanged(workbook):
    log_path = ReminderSettings.default_log_path(workbook)
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        config = make_config(smtp.port)
        assert run(ITEMS, workbook, config)[0] == 0
        before = log_path.read_bytes()
        code, out = run(ITEMS, workbook, config, dry_run=True)
        assert code == 0 and "没有需要发送的提醒" in out and "今天已发送" in out
        code, out = run(ITEMS, workbook, config, today=TODAY + dt.timedelta(days=7), dry_run=True)
        assert "将发送" in out  # a week later the overdue items are due again
    assert log_path.read_bytes() == before and len(smtp.received) == 5


def test_workbook_is_never_written(workbook):
    before = workbook.read_bytes()
    owner = workbook.parent / ("~$" + workbook.name)  # what Excel leaves while it has the file open
    owner.write_bytes(b"\x00" * 165)
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        code, _ = run(ITEMS, workbook, make_config(smtp.port))
    assert code == 0 and len(smtp.received) == 5
    assert workbook.read_bytes() == before


# --- webhooks -----------------------------------------------------------------------------

def test_webhook_formats_and_dingtalk_signature(workbook):
    with WebhookRecorder() as hooks:
        code, out = run(ITEMS, workbook, make_config(hooks=hooks, email=False))
    assert code == 0, out
    wecom = [r for r in hooks.requests if r.path == "/cgi-bin/webhook/send"]
    ding = [r for r in hooks.requests if r.path == "/robot/send"]
    # WeCom: handlers' digests only (escalation not enabled for WeCom)
    assert len(wecom) == 3
    for r in wecom:
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.query == {"key": WECOM_KEY}
        assert set(r.json) == {"msgtype", "markdown"} and r.json["msgtype"] == "markdown"
        assert set(r.json["markdown"]) == {"content"}
        assert len(r.json["markdown"]["content"].encode("utf-8")) <= 4096
    zhang = next(r.json["markdown"]["content"] for r in wecom if "张三" in r.json["markdown"]["content"])
    assert "<@zhangsan>" in zhang and '<font color="warning">已逾期 45 天</font>' in zhang
    assert "TA2026003" in zhang and "JY2026004" not in zhang
    # DingTalk: markdown with title/text, "at" with the mobile, signed URL
    assert len(ding) == 5  # three handlers + the escalations to 赵局长 and 钱局长
    for r in ding:
        body = r.json
        assert body["msgtype"] == "markdown"
        assert set(body["markdown"]) == {"title", "text"}
        assert body["at"]["isAtAll"] is False
        assert r.query["access_token"] == DING_TOKEN
        timestamp = r.query["timestamp"]
        assert timestamp == str(int(FIXED_NOW * 1000))
        expected = base64.b64encode(hmac.new(
            DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()).decode()
        assert r.query["sign"] == expected  # (parse_qsl has URL-decoded it)
    li = next(r.json for r in ding if r.json["markdown"]["title"].endswith("李四"))
    assert li["at"]["atMobiles"] == ["13800000002"]
    assert "@13800000002" in li["markdown"]["text"]
    assert "JY2026004" in li["markdown"]["text"] and "TA2026001" not in li["markdown"]["text"]
    zhao = next(r.json for r in ding if r.json["markdown"]["title"].endswith("赵局长"))
    assert "督办" in zhao["markdown"]["text"] and "TA2026001" in zhao["markdown"]["text"]


def test_dingtalk_sign_matches_the_documented_recipe():
    # the documentation's recipe, step by step, with its Python example's functions
    ts = 1577262236757
    secret = "this is secret"
    string_to_sign = "{}\n{}".format(ts, secret)
    hmac_code = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"),
                         digestmod=hashlib.sha256).digest()
    assert dingtalk_sign(secret, ts) == urllib.parse.quote_plus(base64.b64encode(hmac_code))


def test_webhook_error_answer_is_a_failure_and_not_marked(workbook):
    with WebhookRecorder(answer={"errcode": 310000, "errmsg": "sign not match"}) as hooks:
        code, out = run(ITEMS, workbook, make_config(hooks=hooks, email=False))
    assert code == 1
    assert "钉钉机器人拒绝了消息：errcode=310000，sign not match" in out
    with ReminderLog(ReminderSettings.default_log_path(workbook)) as log:
        assert log.all_sent() == []
        assert not log.runs()[-1].ok


# --- failures -----------------------------------------------------------------------------

def test_smtp_down_then_next_run_sends(workbook, caplog):
    caplog.set_level(logging.INFO, logger="automation.remind")
    port = free_port()  # nothing listens here yet
    config = make_config(port)
    code, out = run(ITEMS, workbook, config)
    assert code == 1
    assert "无法连接邮件服务器 127.0.0.1:%d" % port in out
    assert "发送失败 5 条" in out and "退出码 1" in out
    log_path = ReminderSettings.default_log_path(workbook)
    with ReminderLog(log_path) as log:
        assert log.all_sent() == []  # nothing marked sent
        (failed,) = log.unreported_failures()
        assert "无法连接邮件服务器" in failed.failures
    assert any("无法连接邮件服务器" in r.getMessage() for r in caplog.records)

    sink = SmtpSink(login=("tajz", PASSWORD))
    sink.port = port
    with sink:
        code, out = run(ITEMS, workbook, config)
    assert code == 0, out
    assert len(sink.received) == 5
    assert "上次运行失败" in out and "无法连接邮件服务器" in out
    with ReminderLog(log_path) as log:
        assert len(log.all_sent()) == 8  # 3 + 2 + 1 own items, and two escalations
        assert log.unreported_failures() == []


def test_missing_password_variable_is_a_clear_configuration_error(workbook):
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        code, out = run(ITEMS, workbook, make_config(smtp.port), env={})
    assert code == 2
    assert "环境变量 TEST_SMTP_PASSWORD 没有设置" in out
    assert smtp.received == []


def test_no_secret_in_any_output_log_or_message(workbook, caplog):
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    def log_file(name):
        return f"log_file = {name}.sqlite\n"

    # 1. a normal run on every channel
    with SmtpSink(login=("tajz", PASSWORD)) as smtp, WebhookRecorder() as hooks:
        code, out = run(ITEMS, workbook, make_config(smtp.port, hooks, reminders=log_file("ok")))
        assert code == 0
        texts.append(out)
        texts += [r.raw.decode("utf-8", "replace") for r in smtp.received]
        texts += [r.body.decode("utf-8") for r in hooks.requests]
    # 2. a wrong password: the server refuses the login
    with SmtpSink(login=("tajz", "another")) as smtp:
        code, out = run(ITEMS, workbook, make_config(smtp.port, reminders=log_file("auth")))
        assert code == 1 and "拒绝登录" in out
        texts.append(out)
    # 3. the robots refuse (echoing the secret), then are unreachable (URLs carry tokens)
    answer = {"errcode": 310000, "errmsg": f"sign not match {DING_SECRET} {WECOM_KEY}"}
    with WebhookRecorder(answer=answer) as hooks:
        code, out = run(ITEMS, workbook, make_config(hooks=hooks, email=False,
                                                     reminders=log_file("refused")))
        assert code == 1 and "sign not match" in out
        texts.append(out)
        dead = type("Dead", (), {"base_url": hooks.base_url})()
    code, out = run(ITEMS, workbook, make_config(hooks=dead, email=False, reminders=log_file("dead")))
    assert code == 1 and "无法连接" in out
    texts.append(out)
    # 4. a dry run
    texts.append(run(ITEMS, workbook, make_config(hooks=dead, email=False), dry_run=True)[1])
    texts += [r.getMessage() for r in caplog.records]
    for path in workbook.parent.glob("*.sqlite"):
        db = sqlite3.connect(path)
        for table in ("runs", "sent"):
            texts += [" ".join(map(str, row)) for row in db.execute(f"SELECT * FROM {table}")]
        db.close()
    everything = "\n".join(texts)
    assert "拒绝登录" in everything and "***" in everything  # the errors are there...
    for secret in (PASSWORD, DING_SECRET, WECOM_KEY, DING_TOKEN,
                   urllib.parse.quote_plus(PASSWORD), base64.b64encode(PASSWORD.encode()).decode()):
        assert secret not in everything  # ...the secrets are not


def test_workdays_only_skips_a_holiday(workbook):
    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        code, out = run(ITEMS, workbook, make_config(smtp.port), today=dt.date(2026, 10, 1),
                        workdays_only=True)
        assert code == 0 and "2026-10-01 不是工作日" in out and smtp.received == []
        code, out = run(ITEMS, workbook, make_config(smtp.port), today=dt.date(2026, 10, 10),
                        workdays_only=True)  # an adjusted working Saturday
        assert code == 0 and len(smtp.received) == 5


def test_retries_with_backoff_then_fails_every_message_once(workbook):
    sleeps = []
    config = make_config(free_port(), reminders="")
    config["reminders"]["send_retries"] = "2"
    config["reminders"]["retry_backoff_seconds"] = "5"
    out = io.StringIO()
    code = remind_command(ITEMS, workbook, config, TODAY, False, out, env=ENV, sleep=sleeps.append)
    assert code == 1
    assert sleeps == [5.0, 10.0]  # one connection retried twice, not once per message
    assert "（已重试 2 次）" in out.getvalue()


def test_a_failure_before_the_run_is_reported_by_the_next_run(workbook):
    from automation.remind import record_failure

    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        config = make_config(smtp.port)
        record_failure(workbook, config, TODAY, "无法读取台账：文件被锁定")
        code, out = run(ITEMS, workbook, config)
    assert code == 0
    assert "上次运行失败" in out and "无法读取台账：文件被锁定" in out


def test_log_that_cannot_be_written_is_reported(workbook):
    from automation.remind import load_directory, run_once
    from automation.remind.channels import build_senders

    class BrokenLog:
        path = "x.sqlite"

        def unreported_failures(self):
            return []

        def sent_dates(self, *a):
            return ()

        def mark_sent(self, *a, **k):
            raise sqlite3.OperationalError("database is locked")

        def record_run(self, *a, **k):
            raise sqlite3.OperationalError("database is locked")

    with SmtpSink(login=("tajz", PASSWORD)) as smtp:
        config = make_config(smtp.port)
        settings = ReminderSettings.from_config(config, ledger_path=workbook)
        out = io.StringIO()
        result = run_once(ITEMS, load_directory(workbook, config), settings, BrokenLog(), TODAY,
                          False, out, senders=build_senders(settings, ENV))
    assert len(smtp.received) == 5
    assert result.exit_code == 1 and "无法写入提醒记录文件" in out.getvalue()


def test_unreachable_robot_is_retried_once_per_run_not_per_message(workbook):
    with WebhookRecorder() as hooks:
        dead = type("Dead", (), {"base_url": hooks.base_url})()
    sleeps = []
    config = make_config(hooks=dead, email=False)
    config["reminders"]["send_retries"] = "2"
    config["reminders"]["retry_backoff_seconds"] = "1"
    out = io.StringIO()
    code = remind_command(ITEMS, workbook, config, TODAY, False, out, env=ENV, sleep=sleeps.append)
    assert code == 1
    assert sleeps == [1.0, 2.0, 1.0, 2.0]  # WeCom, then DingTalk: one retried post each
    text = out.getvalue()
    assert "无法连接企业微信机器人" in text and "无法连接钉钉机器人" in text
    assert "发送失败 8 条" in text
