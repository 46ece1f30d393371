"""Reminders under faults, against real servers on loopback: aiosmtpd, and scripted
misbehaving SMTP / HTTP servers (tests/remind_servers.py). Every test is bounded in time:
the servers give up after a few seconds and the subprocesses have timeouts."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from automation.remind import (EXIT_BUSY, ReminderLog, ReminderSettings, WorkdayCalendar,
                               remind_command, watch)
from automation.remind.runlock import reminder_lock
from tests.remind_servers import ScriptedHttp, ScriptedSmtp, SmtpSink, free_port
from tests.test_remind_cli import PASSWORD as CLI_PASSWORD
from tests.test_remind_cli import ROOT, write_ledger
from tests.test_remind_send import ENV, ITEMS, PASSWORD, TODAY, item, make_config, workbook  # noqa: F401

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"), pytest.mark.timeout(60)]

PEOPLE = {"zhangsan@example.gov.cn", "lisi@example.gov.cn", "wangwu@example.gov.cn",
          "zhao@example.gov.cn", "qian@example.gov.cn"}


def plain_config(port: int, timeout: float = 5, extra: str = ""):
    """Email without login (the scripted server does not authenticate)."""
    c = make_config(port, reminders=extra)
    c.remove_option("email", "user")
    c["email"]["timeout"] = str(timeout)
    return c


def run(items, workbook, config, today=TODAY, sleep=None, **kw):
    out = io.StringIO()
    code = remind_command(items, workbook, config, today, False, out, env=ENV,
                          sleep=sleep or (lambda s: None), **kw)
    return code, out.getvalue()


def log_texts(workbook) -> str:
    db = sqlite3.connect(ReminderSettings.default_log_path(workbook))
    try:
        return "\n".join(" ".join(map(str, row)) for table in ("runs", "sent", "parts")
                         for row in db.execute(f"SELECT * FROM {table}"))
    finally:
        db.close()


# --- 1. an overall deadline for every send -------------------------------------------------

def test_byte_a_second_greeting_cannot_keep_remind_past_its_timeout(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    write_ledger(ledger)
    config = tmp_path / "config.ini"
    with ScriptedSmtp("slow_greeting") as smtp:
        config.write_text(
            f"[email]\nenabled = yes\nhost = 127.0.0.1\nport = {smtp.port}\nsecurity = none\n"
            "sender = office@example.gov.cn\ntimeout = 3\n[reminders]\nsend_retries = 2\n",
            encoding="utf-8")
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "automation", "remind", str(ledger),
                               "--today", "2026-06-28", "--config", str(config)],
                              capture_output=True, text=True, cwd=ROOT, timeout=40)
        elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    # 3 s deadline; the rest is starting Python and reading the ledger (about 1-2 s here)
    assert elapsed < 3 + 5, elapsed
    assert "超过 3 秒仍未完成发送（响应过慢），已中止" in done.stdout
    assert "发送失败 3 条" in done.stdout  # the other two are not sent, without waiting again
    assert smtp.connections == 1  # a stalled server is not retried
    assert "Traceback" not in done.stderr


def test_byte_a_second_webhook_answer_is_cut_off_and_not_posted_again_today(workbook):
    with ScriptedHttp([("slow", None)]) as robot:
        config = make_config(hooks=robot, email=False)
        config.remove_section("dingtalk")
        config["wecom"]["timeout"] = "2"
        started = time.monotonic()
        code, out = run(ITEMS, workbook, config)
        elapsed = time.monotonic() - started
        assert elapsed < 2 + 2, elapsed
        assert code == 1
        # the robot had the whole message: it may be in the group, so it is "unknown"
        assert "消息已全部发给企业微信机器人" in out and "超过 2 秒仍未完成发送" in out
        assert "投递情况不明 1 条" in out
        assert len(robot.requests) == 1  # and the other two were not posted after a stall
        code, out = run(ITEMS, workbook, config)
        # the rerun posts the two others, never the unclear one
        assert len(robot.requests) == 3
        first = robot.requests[0]["markdown"]["content"]
        assert all(r["markdown"]["content"] != first for r in robot.requests[1:])
        assert "今天已发出但未收到服务器确认" in out


# --- 3. unclear failures are not resent blindly ----------------------------------------------

def test_mail_whose_reply_is_lost_after_the_data_is_not_resent(workbook):
    with ScriptedSmtp("drop_after_data") as smtp:
        config = plain_config(smtp.port)
        config["reminders"]["send_retries"] = "3"
        code, out = run(ITEMS, workbook, config)
        assert code == 1
        # one copy per person: no retry of a mail that went out whole
        assert len(smtp.mails) == 5
        assert "投递情况不明 5 条" in out and "没有收到服务器的确认" in out
        with ReminderLog(ReminderSettings.default_log_path(workbook)) as log:
            assert log.all_sent() == [] and len(log.all_sent("unknown")) == 8
        # the same day, again (a watch retry or a second click): nothing is sent
        code, out = run(ITEMS, workbook, config)
        assert len(smtp.mails) == 5
        assert "今天已发出但未收到服务器确认" in out and code == 0
        # the next day the unclear ones are due again (they did not count as sent)
        run(ITEMS, workbook, config, today=TODAY + dt.timedelta(days=1))
        assert len(smtp.mails) > 5


def long_items(n=45):
    title = "关于进一步加强和改进城乡社区养老服务设施建设与运营管理工作的提案"
    return [item(f"TA2026{i:03d}", "张三", days=3 + i % 20, title=f"{title}（{i}）") for i in range(n)]


def test_digest_in_parts_rerun_posts_only_the_parts_that_did_not_go(workbook):
    items = long_items()
    with ScriptedHttp([("json", None), ("json", {"errcode": 40008, "errmsg": "invalid message"})]) as robot:
        config = make_config(hooks=robot, email=False)
        config.remove_section("dingtalk")
        code, out = run(items, workbook, config)
        assert code == 1
        first_run = [r["markdown"]["content"] for r in robot.requests]
        assert len(first_run) == 2  # part 1 went, part 2 was refused, the rest not tried
        assert "（续" in first_run[1]
        code, out = run(items, workbook, config)
        assert code == 0, out
        second_run = [r["markdown"]["content"] for r in robot.requests[2:]]
    assert first_run[0] not in second_run  # part 1 is not posted again
    assert second_run[0] == first_run[1]  # part 2 again, then the rest
    total = int(second_run[-1].split("（续 ")[1].split("/")[1].split("）")[0])
    assert len(second_run) == total - 1 and total >= 3
    db = sqlite3.connect(ReminderSettings.default_log_path(workbook))
    statuses = [row[0] for row in db.execute("SELECT status FROM parts ORDER BY id")]
    db.close()
    assert statuses == ["sent"] * total  # each part recorded once, as it went


def test_wecom_rate_limit_is_waited_out_as_asked_then_posted(workbook):
    sleeps: list[float] = []
    with ScriptedHttp([("json", {"errcode": 45009, "errmsg": "api freq out of limit"})]) as robot:
        config = make_config(hooks=robot, email=False)
        config.remove_section("dingtalk")
        code, out = run(ITEMS, workbook, config, sleep=sleeps.append)
    assert code == 0, out
    assert sleeps == [60.0]  # WeCom: 20 a minute; the minute is waited out, no quick retries
    assert len(robot.requests) == 4  # the refused one once more, then the two others
    assert robot.requests[0] == robot.requests[1]


def test_dingtalk_rate_limit_longer_than_allowed_stops_the_channel(workbook):
    sleeps: list[float] = []
    with ScriptedHttp([], then=("json", {"errcode": 130101, "errmsg": "send too fast"})) as robot:
        config = make_config(hooks=robot, email=False)
        config.remove_section("wecom")
        code, out = run(ITEMS, workbook, config, sleep=sleeps.append)
    assert code == 1
    assert len(robot.requests) == 1 and sleeps == []  # no retry within seconds
    assert "钉钉机器人限流（errcode=130101，send too fast）：平台要求等待约 600 秒" in out
    assert "发送失败 5 条" in out
    with ReminderLog(ReminderSettings.default_log_path(workbook)) as log:
        assert log.all_sent() == []


# --- 2. one run at a time per reminder log -------------------------------------------------

def cli_config(tmp_path, port, extra=""):
    config = tmp_path / "config.ini"
    config.write_text(
        f"[reminders]\nescalate_after_days = 30\n{extra}"
        f"[email]\nenabled = yes\nhost = 127.0.0.1\nport = {port}\nsecurity = none\n"
        "user = office\npassword_env = LEDGER_TEST_SMTP\nsender = office@example.gov.cn\n",
        encoding="utf-8")
    return config


def test_two_runs_started_together_deliver_one_mail_per_person(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    write_ledger(ledger)
    env = {**os.environ, "LEDGER_TEST_SMTP": CLI_PASSWORD}
    with SmtpSink(login=("office", CLI_PASSWORD)) as smtp:
        config = cli_config(tmp_path, smtp.port, "lock_wait_seconds = 20\n")
        command = [sys.executable, "-m", "automation", "remind", str(ledger), "--today", "2026-06-28",
                   "--config", str(config)]
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env, cwd=ROOT) for _ in range(2)]
        results = [p.communicate(timeout=50) for p in procs]
        codes = [p.returncode for p in procs]
        recipients = [r.rcpt_tos[0] for r in smtp.received]
    assert codes == [0, 0], results
    assert sorted(recipients) == sorted({"zhangsan@example.gov.cn", "lisi@example.gov.cn",
                                         "qian@example.gov.cn"})
    outs = [out for out, _ in results]
    assert sum("已发送 3 条" in o for o in outs) == 1 and sum("今天已发送" in o for o in outs) == 1


def test_a_second_run_gives_up_after_its_wait_with_a_clear_sentence(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    write_ledger(ledger)
    env = {**os.environ, "LEDGER_TEST_SMTP": CLI_PASSWORD}
    with SmtpSink(login=("office", CLI_PASSWORD)) as smtp:
        config = cli_config(tmp_path, smtp.port, "lock_wait_seconds = 1\n")
        log_path = ReminderSettings.default_log_path(ledger)
        with reminder_lock(log_path, 0):  # another run is sending
            done = subprocess.run([sys.executable, "-m", "automation", "remind", str(ledger),
                                   "--today", "2026-06-28", "--config", str(config)],
                                  capture_output=True, text=True, env=env, cwd=ROOT, timeout=40)
        assert smtp.received == []
    assert done.returncode == EXIT_BUSY == 5
    assert "另一个提醒程序正在使用提醒记录" in done.stdout and "等待 1 秒后仍未结束" in done.stdout
    assert "Traceback" not in done.stderr


# --- ledger watch stops within 5 s, mid-send included ------------------------------------------

def test_watch_stops_within_five_seconds_of_sigterm_mid_send(workbook):
    assert threading.current_thread() is threading.main_thread()
    stop = threading.Event()
    with ScriptedSmtp("slow_greeting") as smtp:
        config = plain_config(smtp.port, timeout=120)  # the deadline is not what ends it
        settings = ReminderSettings.from_config(config, ledger_path=workbook)
        signalled: list[float] = []

        def check_once(day):
            return remind_command(ITEMS, workbook, config, day, False, io.StringIO(), env=ENV, stop=stop)

        def terminate():
            while smtp.connections == 0:  # mid-send: the greeting is coming, byte by byte
                time.sleep(0.05)
            time.sleep(0.5)
            signalled.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGTERM)

        killer = threading.Thread(target=terminate, daemon=True)
        killer.start()
        out = io.StringIO()
        runs = watch(check_once, settings, clock=lambda: dt.datetime(2026, 10, 9, 9, 0), stop_event=stop,
                     out=out)
        ended = time.monotonic()
    assert signalled and ended - signalled[0] < 5, ended - signalled[0]
    assert runs == 1 and "提醒服务已停止" in out.getvalue()
    with ReminderLog(ReminderSettings.default_log_path(workbook)) as log:
        assert log.all_sent() == []
        assert "收到停止信号" in log.runs()[-1].failures


def test_ledger_watch_process_stops_within_five_seconds_of_sigterm(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    write_ledger(ledger)
    with ScriptedSmtp("slow_greeting") as smtp:
        config = tmp_path / "config.ini"
        due = dt.datetime.now() + dt.timedelta(seconds=4)
        config.write_text(  # a run is due in 4 s if today is a working day: SIGTERM comes mid-send
            f"[reminders]\ntimes = {due:%H:%M:%S}\n"
            f"[email]\nenabled = yes\nhost = 127.0.0.1\nport = {smtp.port}\nsecurity = none\n"
            "sender = office@example.gov.cn\ntimeout = 120\n", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "automation", "watch", str(ledger),
                                 "--config", str(config)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            started = time.monotonic()
            while smtp.connections == 0 and time.monotonic() - started < 12:
                time.sleep(0.1)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            out, err = proc.communicate(timeout=15)
            elapsed = time.monotonic() - signalled
        finally:
            if proc.poll() is None:
                proc.kill()
    assert elapsed < 5, elapsed
    workday = WorkdayCalendar()(due.date())
    assert smtp.connections == (1 if workday else 0)  # on a working day, stopped mid-send
    assert proc.returncode == 0, err
    assert "提醒服务已停止" in out and "Traceback" not in err


# --- 4. secrets -------------------------------------------------------------------------------

def test_a_535_quoting_the_auth_blob_and_a_url_with_credentials_leak_nothing(workbook, caplog):
    caplog.set_level("DEBUG")
    user = "tajz"
    blob = base64.b64encode(f"\0{user}\0{PASSWORD}".encode()).decode()
    texts = []
    with ScriptedSmtp("auth_echo") as smtp:
        config = make_config(smtp.port)
        code, out = run(ITEMS, workbook, config)
        assert smtp.auth_lines and blob in smtp.auth_lines[0]  # the server did quote it
    assert code == 1 and "535 5.7.8 Authentication failed" in out
    texts.append(out)
    # a robot URL with user:password@, a key in the path and in the query; nothing listens
    port = free_port()
    url = (f"http://robot:Hunter2-pass@127.0.0.1:{port}/cgi-bin/webhook/"
           "7f3e9c1a5b2d4e6f8a0b/send?key=QKEY-0c8d7e6f&debug=1")
    config = make_config(email=False)
    config.read_string(f"[wecom]\nenabled = yes\nwebhook_url = {url}\npause_seconds = 0\n")
    code, out2 = run(ITEMS, workbook, config)
    assert code == 1 and "无法连接企业微信机器人" in out2
    texts.append(out2)
    texts += [r.getMessage() for r in caplog.records]
    texts.append(log_texts(workbook))
    everything = "\n".join(texts)
    for secret in (PASSWORD, blob, base64.b64encode(PASSWORD.encode()).decode(), "Hunter2-pass",
                   "7f3e9c1a5b2d4e6f8a0b", "QKEY-0c8d7e6f"):
        assert secret not in everything, secret
    assert "***" in everything


def test_a_stalled_relay_fails_one_day_and_watch_goes_on_to_the_next(workbook):
    """Day 1 the relay stalls (each attempt cut off at its 1 s deadline, retried by watch),
    day 2 it works: day 2 sends, and reports day 1's failure."""
    outputs: list[str] = []
    with ScriptedSmtp("slow_greeting") as stalled, SmtpSink() as working:
        def check_once(day):
            port = stalled.port if day == dt.date(2026, 10, 9) else working.port
            out = io.StringIO()
            code = remind_command(ITEMS, workbook, plain_config(port, timeout=1), day, False, out,
                                  env=ENV, sleep=lambda s: None)
            outputs.append(out.getvalue())
            return code

        stop = threading.Event()
        now = [dt.datetime(2026, 10, 9, 8, 59)]

        def sleep(seconds):  # a controlled clock for the loop; sends use real time
            now[0] += dt.timedelta(seconds=seconds)
            if now[0] > dt.datetime(2026, 10, 10, 10, 0):
                stop.set()

        c = plain_config(1)
        c["reminders"]["watch_retry_minutes"] = "1"
        settings = ReminderSettings.from_config(c, ledger_path=workbook)
        started = time.monotonic()
        runs = watch(check_once, settings, clock=lambda: now[0], sleep=sleep, stop_event=stop,
                     out=io.StringIO(), handle_signals=False)
        assert time.monotonic() - started < 15
        assert runs == 2 and len(outputs) == 3  # day 1 and its retry, then day 2
        assert stalled.connections == 2  # one connection per attempt, no retry inside a run
        assert {r.rcpt_tos[0] for r in working.received} == PEOPLE
    assert "超过 1 秒仍未完成发送" in outputs[0]
    assert "上次运行失败" in outputs[2] and "超过 1 秒仍未完成发送" in outputs[2]


def test_a_version_1_log_is_upgraded_and_keeps_its_history(tmp_path):
    path = tmp_path / "old.reminders.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE sent (id INTEGER PRIMARY KEY, day TEXT NOT NULL, item_key TEXT NOT NULL, "
        "item_id TEXT NOT NULL, recipient TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL, "
        "sent_at TEXT NOT NULL DEFAULT '');"
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, day TEXT NOT NULL, started_at TEXT NOT NULL DEFAULT '', "
        "ok INTEGER NOT NULL, summary TEXT NOT NULL DEFAULT '', failures TEXT NOT NULL DEFAULT '', "
        "reported INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO sent (day, item_key, item_id, recipient, kind, channel) "
        "VALUES ('2026-03-09', 'TA1@科', 'TA1', 'zhangsan', 'overdue', 'email');"
        "PRAGMA user_version = 1;")
    db.commit()
    db.close()
    with ReminderLog(path, readonly=True) as old:  # a dry run reads it as it is
        assert old.sent_dates("TA1@科", "zhangsan", "email") == (dt.date(2026, 3, 9),)
    with ReminderLog(path) as log:
        assert log.sent_dates("TA1@科", "zhangsan", "email") == (dt.date(2026, 3, 9),)
        assert not log.delivery_unknown("TA1@科", "zhangsan", "email", dt.date(2026, 3, 9))
        assert log.part_status(dt.date(2026, 3, 9), "wecom", "zhangsan", "x") is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


# --- the pieces, each on its own -------------------------------------------------------------

def unanswered_port():
    """A loopback port whose TCP handshake never completes: a listener with a full accept
    queue (Linux then drops new SYNs). Returns (port, sockets to close)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = [listener]
    for _ in range(4):
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", port))
            held.append(s)
        except OSError:
            s.close()
            return port, held
    pytest.skip("the accept queue did not fill: cannot make a connect hang here")


def test_a_connect_that_never_completes_is_cut_off_at_the_deadline_or_on_stop():
    from automation.remind.deadline import DEADLINE, STOPPED, SendAborted, SendGuard

    port, held = unanswered_port()
    try:
        started = time.monotonic()
        with pytest.raises(SendAborted) as aborted, SendGuard(1.0) as guard:
            guard.connect(("127.0.0.1", port), 30)
        assert aborted.value.reason == DEADLINE and time.monotonic() - started < 1.5
        stop = threading.Event()
        threading.Timer(0.3, stop.set).start()
        started = time.monotonic()
        with pytest.raises(SendAborted) as aborted, SendGuard(30.0, stop) as guard:
            guard.connect(("127.0.0.1", port), 30)
        assert aborted.value.reason == STOPPED and time.monotonic() - started < 1
    finally:
        for s in held:
            s.close()


def test_a_stop_while_waiting_for_the_lock_ends_the_wait(workbook):
    stop = threading.Event()
    with SmtpSink() as smtp:
        config = plain_config(smtp.port)
        config["reminders"]["lock_wait_seconds"] = "30"
        with reminder_lock(ReminderSettings.default_log_path(workbook), 0):
            threading.Timer(0.3, stop.set).start()
            started = time.monotonic()
            code, out = run(ITEMS, workbook, config, stop=stop)
            assert time.monotonic() - started < 2
        assert code == EXIT_BUSY and "收到停止信号" in out and smtp.received == []


def test_redaction_patterns_for_what_servers_echo():
    from automation.remind.secrets import Redactor, smtp_reply_redacted, url_for_display

    plain_blob = base64.b64encode(b"\0someone\0An0ther-Secret").decode()
    login_blob = base64.b64encode(b"An0ther-Secret").decode()
    reply = f"535 5.7.8 bad credentials {plain_blob} / {login_blob} (Username and Password not accepted)"
    assert smtp_reply_redacted(reply) == \
        "535 5.7.8 bad credentials *** / *** (Username and Password not accepted)"
    redact = Redactor()  # no known secrets: the patterns alone
    text = "POST https://bot:pa55word@hooks.example.cn/robot/send?access_token=abc123&sign=x%2By&page=2"
    assert redact(text) == "POST https://***@hooks.example.cn/robot/send?access_token=***&sign=***&page=2"
    assert url_for_display("https://u:p@open.example.cn:8443/bot/v2/hook/2b1f3c4d-1234-4abc-9def-0123456789ab"
                           "?key=k") == "https://open.example.cn:8443/bot/v2/hook/***"
