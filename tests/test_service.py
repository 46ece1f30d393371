"""`ledger serve`: the local service behind the WPS add-in, tested over real HTTP on loopback."""

from __future__ import annotations

import datetime as dt
import http.client
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from automation import __version__
from automation import service as service_module
from automation.config import Config, load_config, parse_config
from automation.service import (
    DEFAULT_PORT,
    LedgerService,
    ServiceSettings,
    SummaryRequest,
    render_sheets,
    service_settings,
    summary_answer,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_ledger.xlsx"
TODAY = "2026-06-28"
TOKEN = "test-token-" + "x" * 20
NOW = dt.datetime(2026, 6, 28, 9, 30)


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixture", ROOT / "macros" / "wps" / "test" / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_fixture = _fixture_module()


@pytest.fixture(scope="module")
def sample_values():
    """The sample ledger's sheet as WPS posts it: UsedRange.Value2, dates as serial numbers."""
    return make_fixture.workbook_grid(SAMPLE, "台账")


@pytest.fixture
def service():
    running = LedgerService(load_config(ROOT / "config.ini"), TOKEN, 0, clock=lambda: NOW, max_body_bytes=2_000_000)
    running.serve_in_thread()
    yield running
    running.shutdown()


def request(service, method, path, body=None, headers=None, host=None):
    """One HTTP request on a fresh connection: (status, headers, parsed JSON or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host or f"127.0.0.1:{service.port}")
        if isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = dict(headers or {})
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
            sent.setdefault("Content-Length", str(len(data)))
        for key, value in sent.items():
            connection.putheader(key, value)
        connection.endheaders(data)
        response = connection.getresponse()
        raw = response.read()
        payload = json.loads(raw) if raw else None
        return response.status, dict(response.getheaders()), payload
    finally:
        connection.close()


def summary(service, body, token=TOKEN, **headers):
    if token is not None:
        headers["X-Ledger-Token"] = token
    return request(service, "POST", "/v1/summary", body, headers)


@pytest.fixture
def computations(monkeypatch):
    """Counts the summaries actually computed."""
    count = {"n": 0}
    real = service_module.summary_answer

    def counting(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, "summary_answer", counting)
    return count


def cli_stats(ledger: Path, today: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "automation", "stats", "--json", str(ledger), "--today", today],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# -- the contract -----------------------------------------------------------------------------
def test_health_needs_no_token_and_gives_the_version_only(service):
    status, headers, payload = request(service, "GET", "/v1/health")
    assert status == 200
    assert payload == {"version": __version__}
    assert headers["Content-Type"].startswith("application/json")


def test_the_service_listens_on_loopback_only(service):
    assert service.host == "127.0.0.1"
    assert service.url == f"http://127.0.0.1:{service.port}"


def test_values_posted_as_wps_sends_them_give_the_figures_of_ledger_stats_json(service, sample_values):
    status, _, answer = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})
    assert status == 200, answer
    assert answer["stats"] == cli_stats(SAMPLE, TODAY)
    assert answer["stats"]["as_of"] == TODAY
    assert [sheet["name"] for sheet in answer["sheets"]] == ["统计汇总", "科室统计", "逾期清单", "即将到期", "数据问题"]


def test_the_answer_is_the_summary_model_rendered_for_the_add_in(service, sample_values):
    from automation.analysis import analyse_grid
    from automation.summary import build_summary

    status, _, answer = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})
    assert status == 200
    config = load_config(ROOT / "config.ini")
    model = build_summary(analyse_grid(sample_values, "台账", config, dt.date(2026, 6, 28)).statistics, config, NOW)
    assert answer["sheets"] == json.loads(json.dumps(render_sheets(model), ensure_ascii=False))
    overdue = answer["sheets"][2]
    items = next(block for block in overdue["blocks"] if block["links"])
    deadline = items["values"][0][5]
    assert isinstance(deadline, int), "dates travel as Excel serial numbers, as Value2 takes them"
    assert dt.date(1899, 12, 30) + dt.timedelta(days=deadline) == dt.date.fromisoformat(
        answer["stats"]["overdue_items"][0]["deadline"])
    assert items["formats"][5]["number_format"] == "yyyy-mm-dd"
    assert items["links"][0] == f"'台账'!A{answer['stats']['overdue_items'][0]['row']}"
    assert set(items["fills"]) <= {"overdue", "overdue_light"}
    summary_sheet = answer["sheets"][0]
    assert [chart["kind"] for chart in summary_sheet["charts"]] == ["bar_stacked", "pie"]
    assert summary_sheet["charts"][0]["categories"] == {"sheet": "科室统计", "range": "$A$5:$A$9"}
    assert answer["report_anchor"]["sheet"] == "统计汇总"
    assert "A1:I1" in summary_sheet["merges"]
    assert answer["note_prefix"] == "本表由台账助手生成"
    assert "已逾期 8 件" in answer["messages"]["status"]


def test_today_defaults_to_the_service_clock_and_the_refresh_time_is_on_the_sheets(service, sample_values):
    status, _, answer = summary(service, {"sheet": "台账", "values": sample_values})
    assert status == 200
    assert answer["stats"]["as_of"] == "2026-06-28"
    note = answer["sheets"][0]["blocks"][0]["values"][0][0]
    assert "刷新时间 2026-06-28 09:30" in note


def test_first_row_and_first_column_place_the_used_range(service, sample_values):
    """A UsedRange starting at C3 gives the same figures, with rows and cells where they are."""
    status, _, at_a1 = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})
    status, _, at_c3 = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY,
                                         "first_row": 3, "first_column": 3})
    assert status == 200
    for key in ("total", "completed", "overdue", "due_soon", "completion_rate", "by_section"):
        assert at_c3["stats"][key] == at_a1["stats"][key]
    assert [item["row"] for item in at_c3["stats"]["overdue_items"]] == [
        item["row"] + 2 for item in at_a1["stats"]["overdue_items"]]
    assert [problem["row"] for problem in at_c3["stats"]["problems"]] == [
        problem["row"] + 2 for problem in at_a1["stats"]["problems"]]

    def problem_cells(answer):
        block = next(b for b in answer["sheets"][4]["blocks"] if b["links"])
        return [row[0] for row in block["values"]]

    shifted = [f"{chr(ord(cell[0]) + 2)}{int(cell[1:]) + 2}" for cell in problem_cells(at_a1) if cell[1:].isdigit()]
    assert shifted and shifted == [cell for cell in problem_cells(at_c3) if cell[1:].isdigit()]


# -- security -----------------------------------------------------------------------------------
@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x"])
def test_a_request_without_the_right_token_is_refused_and_nothing_is_computed(service, sample_values, computations,
                                                                             token):
    status, headers, payload = summary(service, {"sheet": "台账", "values": sample_values}, token=token)
    assert status == 403
    assert payload["error"] == "forbidden_token"
    assert "令牌" in payload["message"]
    assert computations["n"] == 0
    assert "Access-Control-Allow-Origin" not in headers


@pytest.mark.parametrize("origin", ["https://example.com", "http://evil.test", "http://127.0.0.1:8080",
                                    f"http://127.0.0.1:{DEFAULT_PORT}", "file://", "chrome-extension://abc"])
def test_a_web_page_is_refused_even_with_the_token(service, sample_values, computations, origin, caplog):
    with caplog.at_level("WARNING", logger="automation.service"):
        status, headers, payload = summary(service, {"sheet": "台账", "values": sample_values}, Origin=origin)
    assert any("refused" in record.getMessage() and origin in record.getMessage() for record in caplog.records), \
        "the refusal is logged with the Origin seen, for diagnosis"
    assert status == 403
    assert payload["error"] == "forbidden_origin"
    assert "网页不能调用" in payload["message"]
    assert computations["n"] == 0
    assert "Access-Control-Allow-Origin" not in headers
    status, _, _ = request(service, "GET", "/v1/health", headers={"Origin": origin})
    assert status == 403


def test_the_offline_add_in_origin_is_allowed_with_cors_headers(service, sample_values):
    status, headers, answer = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY},
                                      Origin="null")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "null"
    assert answer["stats"]["total"] == 60


def test_an_extra_origin_from_config_ini_is_allowed(sample_values):
    config = parse_config("[service]\nextra_origins = wps-addon://ledger\n")
    running = LedgerService(config, TOKEN, 0, clock=lambda: NOW)
    running.serve_in_thread()
    try:
        status, headers, _ = summary(running, {"sheet": "台账", "values": sample_values}, Origin="wps-addon://ledger")
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "wps-addon://ledger"
        assert summary(running, {"sheet": "台账", "values": sample_values}, Origin="https://example.com")[0] == 403
    finally:
        running.shutdown()


def test_a_foreign_host_header_is_refused(service, sample_values, computations):
    """DNS rebinding: a page of evil.test resolved to 127.0.0.1 sends Host: evil.test."""
    status, _, payload = request(service, "POST", "/v1/summary", {"sheet": "台账", "values": sample_values},
                                 {"X-Ledger-Token": TOKEN}, host=f"evil.test:{service.port}")
    assert status == 403
    assert payload["error"] == "forbidden_host"
    assert computations["n"] == 0
    assert request(service, "GET", "/v1/health", host=f"localhost:{service.port}")[0] == 200
    assert request(service, "GET", "/v1/health", host="127.0.0.1:1")[0] == 403


def test_cors_preflight_is_answered_for_the_add_in_only(service):
    preflight = {"Origin": "null", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-ledger-token",
                 "Access-Control-Request-Private-Network": "true"}
    status, headers, _ = request(service, "OPTIONS", "/v1/summary", headers=preflight)
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "null"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "X-Ledger-Token" in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Allow-Private-Network"] == "true"
    status, headers, payload = request(service, "OPTIONS", "/v1/summary",
                                       headers={**preflight, "Origin": "https://example.com"})
    assert status == 403
    assert "Access-Control-Allow-Origin" not in headers
    assert payload["error"] == "forbidden_origin"


# -- bad requests: a clear answer, and the service goes on -----------------------------------------
def test_an_oversized_body_is_refused_with_413_and_the_next_request_works(service, sample_values):
    big = json.dumps({"sheet": "台账", "values": [["x" * 1000] * 100] * 30}).encode()
    assert len(big) > service.max_body_bytes
    status, _, payload = summary(service, big)
    assert status == 413
    assert payload["error"] == "too_large"
    assert "过大" in payload["message"] and "max_body_mb" in payload["message"]
    status, _, answer = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})
    assert status == 200 and answer["stats"]["total"] == 60


def test_an_oversized_body_beyond_the_drain_limit_is_not_read_and_the_service_goes_on(service, monkeypatch):
    monkeypatch.setattr(service_module, "DRAIN_LIMIT", 10)
    try:
        status = summary(service, b"{" + b" " * 3_000_000 + b"}")[0]
    except OSError:  # the connection was closed under the client's feet: also a refusal
        status = 413
    assert status == 413
    assert request(service, "GET", "/v1/health")[0] == 200


@pytest.mark.parametrize("body, code, words", [
    ("this is not json", "bad_json", "不是有效的 JSON"),
    (b"\xff\xfe\x00", "bad_json", "UTF-8"),
    ("[1, 2]", "bad_json", "JSON 对象"),
    ('{"values": [[1]]}', "bad_request", "sheet"),
    ('{"sheet": "", "values": [[1]]}', "bad_request", "sheet"),
    ('{"sheet": "台账", "values": "A1:B2"}', "bad_request", "二维数组"),
    ('{"sheet": "台账", "values": [[1], 2]}', "bad_request", "第 2 项"),
    ('{"sheet": "台账", "values": [[1, {"a": 1}]]}', "bad_request", "第 1 行第 2 列"),
    ('{"sheet": "台账", "values": [[1]], "today": "28/06/2026"}', "bad_request", "YYYY-MM-DD"),
    ('{"sheet": "台账", "values": [[1]], "today": "2026-02-30"}', "bad_request", "不是日期"),
    ('{"sheet": "台账", "values": [[1]], "first_row": 0}', "bad_request", "first_row"),
    ('{"sheet": "台账", "values": [[1]], "first_column": true}', "bad_request", "first_column"),
    ('{"sheet": "台账", "values": [[1]], "path": "/etc/passwd"}', "bad_request", "无法识别的字段"),
])
def test_a_malformed_body_gets_a_clear_chinese_error_and_the_service_keeps_running(service, sample_values, body,
                                                                                  code, words):
    status, headers, payload = summary(service, body)
    assert status == 400
    assert headers["Content-Type"].startswith("application/json")
    assert payload["error"] == code
    assert words in payload["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in payload["message"])
    status, _, answer = summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})
    assert status == 200 and answer["stats"]["total"] == 60


def test_a_sheet_without_a_ledger_gets_the_readers_message(service):
    status, _, payload = summary(service, {"sheet": "填写说明", "values": [["说明"], ["请逐项填写"]]})
    assert status == 422
    assert payload["error"] == "bad_ledger"
    assert payload["message"].startswith("无法读取台账：")
    assert "填写说明" in payload["message"] and "表头" in payload["message"]


def test_an_unexpected_failure_is_a_500_and_the_service_keeps_running(service, sample_values, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service_module, "summary_answer", broken)
    status, _, payload = summary(service, {"sheet": "台账", "values": sample_values})
    assert status == 500
    assert payload["error"] == "internal" and "boom" in payload["message"] and "仍在运行" in payload["message"]
    monkeypatch.undo()
    assert summary(service, {"sheet": "台账", "values": sample_values, "today": TODAY})[0] == 200


def test_a_missing_content_length_unknown_paths_and_methods(service):
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    connection.putrequest("POST", "/v1/summary")
    connection.putheader("X-Ledger-Token", TOKEN)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    connection.send(b"2\r\n{}\r\n0\r\n\r\n")
    response = connection.getresponse()
    assert response.status == 411
    assert "Content-Length" in json.loads(response.read())["message"]
    connection.close()
    status, _, payload = request(service, "GET", "/v1/nothing")
    assert status == 404 and "/v1/summary" in payload["message"]
    status, _, payload = request(service, "PUT", "/v1/summary", b"{}", {"X-Ledger-Token": TOKEN})
    assert status == 405
    assert request(service, "GET", "/v1/health")[0] == 200


def test_keep_alive_connection_serves_several_requests(service, sample_values):
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    try:
        for _ in range(2):
            connection.request("POST", "/v1/summary", json.dumps({"sheet": "台账", "values": sample_values}),
                               {"X-Ledger-Token": TOKEN, "Content-Type": "application/json"})
            response = connection.getresponse()
            assert response.status == 200
            assert json.loads(response.read())["stats"]["total"] == 60
    finally:
        connection.close()


# -- the class, its settings and the command ---------------------------------------------------------
def test_serve_in_thread_and_shutdown_release_the_port():
    running = LedgerService(Config(), TOKEN, 0)
    port = running.port
    running.serve_in_thread()
    assert request(running, "GET", "/v1/health")[0] == 200
    running.shutdown()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_a_second_service_on_the_same_port_fails_to_start(service):
    with pytest.raises(OSError):
        LedgerService(Config(), TOKEN, service.port)


def test_an_empty_token_is_refused():
    with pytest.raises(ValueError, match="令牌"):
        LedgerService(Config(), "", 0)


def test_service_settings_come_from_config_ini():
    assert service_settings(Config()) == ServiceSettings(DEFAULT_PORT, 64 * 1024 * 1024)
    config = parse_config("[service]\nport = 30123\nmax_body_mb = 8\n")
    assert service_settings(config) == ServiceSettings(30123, 8 * 1024 * 1024)
    assert service_settings(parse_config("[service]\nextra_origins = wps-addon://x, file://\n")).extra_origins == (
        "wps-addon://x", "file://")
    for text in ("[service]\nport = 70000\n", "[service]\nport = abc\n", "[service]\nmax_body_mb = 0\n",
                 "[service]\nextra_origins = null, https://example.com\n", "[service]\nextra_origins = *\n"):
        with pytest.raises(ValueError, match=r"\[service\]"):
            service_settings(parse_config(text))


def test_summary_answer_is_pure(sample_values):
    config = Config()
    request_ = SummaryRequest("台账", sample_values)
    first = summary_answer(request_, config, dt.date(2026, 6, 28), NOW)
    second = summary_answer(request_, config, dt.date(2026, 6, 28), NOW)
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_the_marker_and_border_colour_are_the_file_writers():
    package = pytest.importorskip("automation.xlsx.package")
    styles = pytest.importorskip("automation.xlsx.styles")
    assert service_module.MARKER_NAME == package.MARKER_NAME
    assert service_module.BORDER_COLOR == styles._BORDER_COLOR[-6:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ledger_serve_runs_until_stopped(tmp_path, sample_values):
    port = _free_port()
    env = {**os.environ, "LEDGER_TOKEN": TOKEN, "HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "automation", "serve", "--port", str(port)], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        probe = type("Probe", (), {"port": port})()
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, payload = request(probe, "GET", "/v1/health")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert status == 200 and payload == {"version": __version__}
        status, _, answer = summary(probe, {"sheet": "台账", "values": sample_values, "today": TODAY})
        assert status == 200 and answer["stats"]["total"] == 60
        assert summary(probe, {"sheet": "台账", "values": sample_values}, token="nope")[0] == 403
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert "台账助手服务已启动" in out
    assert f"127.0.0.1:{port}" in out


def test_ledger_serve_without_a_token_says_how_to_get_one(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("LEDGER_TOKEN", "XDG_CONFIG_HOME")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "automation", "serve", "--port", str(_free_port())], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "ledger wps-setup" in done.stderr and "LEDGER_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr


def test_ledger_serve_on_a_busy_port_says_so(service, tmp_path):
    env = {**os.environ, "LEDGER_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-m", "automation", "serve", "--port", str(service.port)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"端口 {service.port}" in done.stderr


# -- text the add-in must keep as text (one rule with the Excel writer) -----------------------------
def test_a_rendered_block_marks_the_texts_wps_would_retype():
    """text_cells: [row offset, column offset] of every text WPS would re-type; numbers, dates
    (sent as serial numbers), empty cells and plain text are not marked."""
    from automation.model import Block
    from automation.service import render_block

    block = Block(row=3, column=2, styles=["text", "text", "text"], values=[
        ["007", "普通文本", 7],
        ["2026-3-5", None, dt.date(2026, 3, 5)],
        ["#N/A", "=1+1", "  "],
        ["TA2026001", "3月5日", "'引号"],
    ])
    rendered = render_block(block)
    assert rendered["text_cells"] == [[0, 0], [1, 0], [2, 0], [2, 1], [3, 1], [3, 2]]
    assert rendered["values"][1][2] == 46086  # the date travels as its serial number, unmarked


def test_the_answer_marks_an_overdue_items_number_that_wps_would_retype(service):
    """编号 such as 007 or 2026-3-5 in 逾期清单: the answer marks exactly those cells."""
    header = ["编号", "类别", "案由", "办理类型", "承办科室", "承办人", "分管领导", "交办日期", "办理状态", "答复日期"]
    numbers = ["007", "2026-3-5", "3月5日", "TRUE", "1,234", "TA0006"]
    assigned = (dt.date(2026, 1, 5) - dt.date(1899, 12, 30)).days  # 3 months: overdue on 2026-06-28
    grid = [["测试台账"] + [None] * 9, header]
    grid += [[number, "政协提案", f"关于第{index}项工作的建议", "主办", "办公室", "张三", "王局长", assigned, "办理中", None]
             for index, number in enumerate(numbers)]
    status, _, answer = summary(service, {"sheet": "台账", "values": grid, "today": TODAY})
    assert status == 200, answer
    overdue = next(sheet for sheet in answer["sheets"] if sheet["name"] == "逾期清单")
    items = next(block for block in overdue["blocks"] if block["links"])
    assert [row[0] for row in items["values"]] == numbers
    assert [cell for cell in items["text_cells"] if cell[1] == 0] == [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0]]
