"""`ledger remind` as a clerk runs it: a real ledger file, the rules computing the items, a
real SMTP server on loopback receiving one digest per person."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.remind_servers import SmtpSink

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pw-秘密-9f2c"


def write_ledger(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append(["2026年提案办理台账"])
    sheet.append(["编号", "案由", "办理类型", "承办科室", "承办人", "分管领导", "交办日期", "办理状态", "答复日期"])
    # As of 2026-06-28 (3 months for 主办, 1 month for 协办):
    sheet.append(["TA1", "关于甲的建议", "主办", "产业发展科", "张三", "赵局长", dt.date(2026, 3, 10), "办理中", None])  # 2026-06-10: overdue 18
    sheet.append(["TA2", "关于乙的建议", "主办", "产业发展科", "张三", "赵局长", dt.date(2026, 4, 1), "办理中", None])   # 2026-07-01: due in 3
    sheet.append(["TA3", "关于丙的建议", "协办", "企业服务科", "李四", "钱局长", dt.date(2026, 4, 20), "办理中", None])  # 2026-05-20: overdue 39
    sheet.append(["TA4", "关于丁的建议", "主办", "企业服务科", "李四", "钱局长", dt.date(2026, 2, 1), "已办结",
                  dt.date(2026, 4, 1)])  # completed: no reminder
    contacts = workbook.create_sheet("通讯录")
    contacts.append(["姓名", "科室", "角色", "邮箱"])
    contacts.append(["张三", "产业发展科", "科员", "zhangsan@example.gov.cn"])
    contacts.append(["李四", "企业服务科", "科员", "lisi@example.gov.cn"])
    contacts.append(["钱局长", "局领导", "副局长", "qian@example.gov.cn"])
    contacts.append(["赵局长", "局领导", "副局长", "zhao@example.gov.cn"])
    workbook.save(path)


def test_ledger_remind_sends_each_person_their_items(tmp_path):
    ledger = tmp_path / "台账.xlsx"
    write_ledger(ledger)
    before = ledger.read_bytes()
    with SmtpSink(login=("office", PASSWORD)) as smtp:
        config = tmp_path / "config.ini"
        config.write_text(
            "[reminders]\nescalate_after_days = 30\ndue_soon_points = 7, 3, 1\n"
            f"[email]\nenabled = yes\nhost = 127.0.0.1\nport = {smtp.port}\nsecurity = none\n"
            "user = office\npassword_env = LEDGER_TEST_SMTP\nsender = office@example.gov.cn\n",
            encoding="utf-8")
        env = {**os.environ, "LEDGER_TEST_SMTP": PASSWORD}
        command = [sys.executable, "-m", "automation", "remind", str(ledger), "--today", "2026-06-28",
                   "--config", str(config)]
        first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
        assert first.returncode == 0, first.stderr
        received = {mail.rcpt_tos[0]: mail.message for mail in smtp.received}
        # 张三: TA1 overdue and TA2 due in 3 days (a reminder point); 李四: TA3 overdue;
        # 钱局长: TA3 is overdue 39 days > 30, escalated; 赵局长: TA1 only 18 days, no escalation.
        assert set(received) == {"zhangsan@example.gov.cn", "lisi@example.gov.cn", "qian@example.gov.cn"}
        zhang = received["zhangsan@example.gov.cn"].get_body(("plain",)).get_content()
        assert "TA1" in zhang and "TA2" in zhang and "TA3" not in zhang and "TA4" not in zhang
        li = received["lisi@example.gov.cn"].get_body(("plain",)).get_content()
        assert "TA3" in li and "TA1" not in li
        assert "TA3" in received["qian@example.gov.cn"].get_body(("plain",)).get_content()
        count = len(smtp.received)
        # The same day again: nothing more is sent.
        second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
        assert second.returncode == 0, second.stderr
        assert len(smtp.received) == count
        assert PASSWORD not in first.stdout + first.stderr + second.stdout + second.stderr
    assert ledger.read_bytes() == before
