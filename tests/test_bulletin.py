"""The weekly 督办通报 (issue 16): figures equal the differences of two snapshots worked out by
hand, the official format of the report, Markdown, and sending once a week through the
reminder channels (a real SMTP server and a real HTTP server on loopback).

Between 2024-06-07 and 2024-06-28 on the eight STANDARD items (see tests/test_history.py):
completed then {TA01, JY06, JY07}, now {TA01, TA02, JY06, JY07} → 新办结 TA02 (超期: replied
06-10 > deadline 06-05); overdue then {TA02, TA08}, now {TA03, TA08} → 新逾期 TA03, 仍逾期 TA08.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from automation import messages
from automation.analysis import analyse_file
from automation.config import load_config
from automation.history import HistoryStore, history_path, snapshot_of
from tests.remind_servers import SmtpSink, WebhookRecorder
from tests.ledger_factory import STANDARD_KEYS, headers_of, run_cli, standard_rows, write_config, write_ledger

D = dt.date
CONTACTS = [["姓名", "科室", "角色", "邮箱"], ["王建国", "局领导", "副局长", "wang@example.gov.cn"],
            ["李红梅", "局领导", "副局长", "li@example.gov.cn"]]


def ledger_with_history(folder: Path, contacts: bool = False) -> Path:
    path = folder / "台账.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(), title_rows=1,
                 extra_sheets_after={"通讯录": CONTACTS} if contacts else ())
    config = load_config(None, path)
    with HistoryStore(history_path(path)) as store:  # kept on 2024-06-07
        store.save(snapshot_of(analyse_file(path, config, D(2024, 6, 7)), command="stats"))
    return path


def docx_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    from docx import Document

    document = Document(str(path))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def test_bulletin_figures_are_the_differences_of_two_snapshots(tmp_path: Path):
    path = ledger_with_history(tmp_path)
    before = path.read_bytes()
    out = tmp_path / "通报.docx"
    result = run_cli("bulletin", path, "--today", "2024-06-28", "--since", "2024-06-07", "--output", out,
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == before  # the ledger is only read
    assert messages.BULLETIN_WRITTEN.format(path=out, then="2024-06-07", as_of="2024-06-28") in result.stdout
    assert messages.BULLETIN_BASE_NOTE.format(then="2024-06-07", kind=messages.BULLETIN_BASE_KEPT) in result.stdout
    paragraphs, tables = docx_text(out)
    assert paragraphs[0] == messages.BULLETIN_TITLE
    moves = messages.BULLETIN_MOVES.format(since="6月7日", newly_completed=1, newly_on_time=0, newly_late=1,
                                           newly_overdue=1, still_overdue=1)
    assert any(moves in text for text in paragraphs)
    assert any("已办结4件，办结率50.0%" in text for text in paragraphs)  # 4 / 8
    completed, new_overdue, longest, ranking, due = tables
    assert [row[0] for row in completed[1:]] == ["TA02"] and completed[1][-1] == messages.PROGRESS_LATE
    assert [(row[0], row[-1]) for row in new_overdue[1:]] == [("TA03", "18")]
    assert [(row[0], row[3], row[4], row[-1]) for row in longest[1:]] == [("TA08", "周磊", "李红梅", "39"),
                                                                          ("TA03", "赵敏", "王建国", "18")]
    # ranking by completion rate: 产业发展科 3/4 = 75.0%, 企业服务科 1/4 = 25.0%
    assert [row[:8] for row in ranking[1:]] == [["1", "产业发展科", "4", "3", "75.0%", "1", "0", "1"],
                                                 ["2", "企业服务科", "4", "1", "25.0%", "1", "1", "0"]]
    assert [(row[0], row[-1]) for row in due[1:]] == [("TA04", "3")]  # deadline 07-01, 3 days left

    # the official format of the report: A4, GB/T 9704 margins, 仿宋 body
    from docx import Document

    section = Document(str(out)).sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert round(section.page_width.mm) == 210


def test_markdown_and_since_the_last_bulletin(tmp_path: Path):
    path = ledger_with_history(tmp_path)
    first = run_cli("bulletin", path, "--today", "2024-06-14", "--output", tmp_path / "a.md", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    # no --since and no bulletin yet: 7 days before, the kept snapshot of 06-07
    assert messages.BULLETIN_WRITTEN.format(path=tmp_path / "a.md", then="2024-06-07", as_of="2024-06-14") \
        in first.stdout
    text = (tmp_path / "a.md").read_text(encoding="utf-8")
    assert text.startswith("# " + messages.BULLETIN_TITLE)
    # 06-07 → 06-14: TA02 replied 06-10 (late); TA03 overdue since 06-10; TA08 still overdue
    assert messages.BULLETIN_MOVES.format(since="6月7日", newly_completed=1, newly_on_time=0, newly_late=1,
                                          newly_overdue=1, still_overdue=1) in text
    # the next bulletin compares with the last one (06-14, whose snapshot the first bulletin kept)
    second = run_cli("bulletin", path, "--today", "2024-06-28", "--output", tmp_path / "b.md", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert messages.BULLETIN_WRITTEN.format(path=tmp_path / "b.md", then="2024-06-14", as_of="2024-06-28") \
        in second.stdout
    assert messages.BULLETIN_MOVES.format(since="6月14日", newly_completed=0, newly_on_time=0, newly_late=0,
                                          newly_overdue=0, still_overdue=2) in (tmp_path / "b.md").read_text("utf-8")


def test_without_history_the_base_is_reconstructed_and_said_so(tmp_path: Path):
    path = tmp_path / "台账.xlsx"
    write_ledger(path, headers_of(STANDARD_KEYS), standard_rows(), title_rows=1)
    result = run_cli("bulletin", path, "--today", "2024-06-28", "--since", "2024-06-07", "-o", tmp_path / "c.md",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert messages.BULLETIN_BASE_NOTE.format(then="2024-06-07", kind=messages.BULLETIN_BASE_BUILT) in result.stdout
    assert messages.BULLETIN_BASE_RECONSTRUCTED.format(then="6月7日") in (tmp_path / "c.md").read_text("utf-8")


def test_bad_since_is_one_clear_sentence(tmp_path: Path):
    path = ledger_with_history(tmp_path)
    result = run_cli("bulletin", path, "--today", "2024-06-28", "--since", "2024-07-01", cwd=tmp_path)
    assert result.returncode == 2
    assert messages.BULLETIN_BAD_SINCE.format(since="2024-07-01", today="2024-06-28") in result.stderr
    assert "Traceback" not in result.stderr


def test_send_to_the_leaders_once_a_week(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TEST_DING_SECRET", "SECabc123")
    path = ledger_with_history(tmp_path, contacts=True)
    out = tmp_path / "督办通报.docx"
    with SmtpSink() as smtp, WebhookRecorder() as hooks:
        write_config(tmp_path / "config.ini", f"""
[email]
enabled = 是
host = 127.0.0.1
port = {smtp.port}
security = none
sender = tajz@example.gov.cn
timeout = 5
[wecom]
enabled = 是
webhook_url = {hooks.base_url}/cgi-bin/webhook/send?key=k123
pause_seconds = 0
[dingtalk]
enabled = 是
webhook_url = {hooks.base_url}/robot/send?access_token=t456
secret_env = TEST_DING_SECRET
pause_seconds = 0
""")
        result = run_cli("bulletin", path, "--today", "2024-06-28", "--since", "2024-06-07", "-o", out, "--send",
                         cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        mails = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
        assert sorted(mails) == ["li@example.gov.cn", "wang@example.gov.cn"]  # the leaders of the ledger
        attachment = next(mails["wang@example.gov.cn"].iter_attachments())
        assert attachment.get_filename() == out.name and attachment.get_content() == out.read_bytes()
        assert len(hooks.requests) == 2
        wecom, dingtalk = sorted(hooks.requests, key=lambda request: request.path)  # /cgi-bin, /robot
        content = wecom.json["markdown"]["content"]
        assert "新办结1件" in content and "新逾期1件" in content
        assert "新办结1件" in dingtalk.json["markdown"]["text"]
        assert "sign" in dingtalk.query and "timestamp" in dingtalk.query  # signed like the reminders'
        assert "SECabc123" not in result.stdout + result.stderr
        # the same week again (Thursday 2024-06-27 is the same ISO week as Friday 06-28): nothing more
        again = run_cli("bulletin", path, "--today", "2024-06-27", "--since", "2024-06-07", "-o", out, "--send",
                        cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(smtp.messages) == 2 and len(hooks.requests) == 2
        assert messages.BULLETIN_ALREADY.format(week="2024-W26", recipient="王建国", channel="邮件") in again.stdout
    # recorded in the reminders' no-repeat log, as kind "bulletin"
    from automation.remind import ReminderLog

    with ReminderLog(path.with_name(path.stem + ".reminders.sqlite")) as log:
        kinds = {(r.kind, r.channel, r.item_id) for r in log.all_sent()}
    assert kinds == {("bulletin", "email", "督办通报"), ("bulletin", "wecom", "督办通报"),
                     ("bulletin", "dingtalk", "督办通报")}


def test_a_failed_send_is_not_recorded_and_the_next_run_sends(tmp_path: Path):
    from tests.remind_servers import free_port

    path = ledger_with_history(tmp_path, contacts=True)
    out = tmp_path / "督办通报.md"
    port = free_port()  # nothing listens there yet

    def config(port: int) -> None:
        write_config(tmp_path / "config.ini", f"[bulletin]\nrecipients = 王建国\nsend = 是\n"
                     f"[email]\nenabled = 是\nhost = 127.0.0.1\nport = {port}\nsecurity = none\n"
                     "sender = tajz@example.gov.cn\ntimeout = 5\n")

    config(port)
    failed = run_cli("bulletin", path, "--today", "2024-06-28", "--since", "2024-06-07", "-o", out, cwd=tmp_path,
                     timeout=60)
    assert failed.returncode == 1
    assert "督办通报发送失败：邮件 → 王建国：" in failed.stdout and "Traceback" not in failed.stderr
    with SmtpSink() as smtp:
        config(smtp.port)
        sent = run_cli("bulletin", path, "--today", "2024-06-28", "--since", "2024-06-07", "-o", out,
                       cwd=tmp_path, timeout=60)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["wang@example.gov.cn"]  # only him
        assert next(smtp.messages[0].iter_attachments()).get_filename() == "督办通报.md"
