/*
 * Tests of the WPS add-in's JavaScript against a stand-in of WPS 表格's object model:
 *     node --test macros/wps/test/
 * Fixtures come from make_fixture.py (the service's answer and the file writer's cells for
 * the same ledger); LEDGER_WPS_FIXTURES names another folder (tests/test_wps_addin.py uses a
 * fresh one, with the 5,000-item ledger).
 */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const LedgerAddin = require("../js/ledger.js");
const { Application, Chart, PageSetup, bgrToHex, parseAddress } = require("./wps_standin.js");

const ADDIN = path.join(__dirname, "..");
const FIXTURES = process.env.LEDGER_WPS_FIXTURES || path.join(__dirname, "fixtures");
const SETTINGS = { port: 28190, token: "test-token" };
const H_ALIGN = { general: 1, left: -4131, center: -4108, right: -4152 };
const V_ALIGN = { top: -4160, center: -4108, bottom: -4107 };

function loadFixture(name) {
  const file = path.join(FIXTURES, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null;
}

/** A WPS stand-in with the fixture's ledger open (plus a second staff sheet). */
function bookWithLedger(fixture) {
  const app = new Application();
  const book = app._newWorkbook("台账.xlsx");
  const ledger = book._addSheet(fixture.request.sheet, fixture.request.values);
  for (const [r1, c1, r2, c2] of fixture.request.merges || []) {
    ledger.Range(LedgerAddin.rangeAddress(r1, c1, r2, c2)).Merge();
  }
  book._addSheet("填写说明", [["说明"], ["请逐项填写"]]);
  return { app, book };
}

/** fetch() of a service that answers with the fixture, checking what the add-in sends. */
function serviceStub(fixture, seen) {
  return (url, init) => {
    seen.push({ url, init });
    return Promise.resolve({
      ok: true,
      status: 200,
      text: () => Promise.resolve(JSON.stringify(fixture.answer)),
    });
  };
}

async function click(app, button, fetchImpl, settings = SETTINGS) {
  const alerts = [];
  const answer = await LedgerAddin.runButton(app, button, { fetchImpl, settings, alert: (m) => alerts.push(m) });
  return { answer, alerts };
}

function near(actual, expected) {
  if (typeof expected === "number" && typeof actual === "number") {
    return Math.abs(actual - expected) < 1e-9;
  }
  return actual === expected;
}

/** The stand-in workbook holds, cell by cell, what the file writer writes. */
function assertSheetsMatch(book, expected) {
  const styles = expected.styles;
  for (const sheetExpected of expected.sheets) {
    const sheet = book.Worksheets.Item(sheetExpected.name);
    const seen = new Set();
    for (let [row, column, value, styleIndex, link] of sheetExpected.cells) {
      const where = `${sheetExpected.name}!R${row}C${column}`;
      const cell = sheet._cell(row, column, false);
      assert.ok(cell, `${where}: no cell written`);
      seen.add(`${row},${column}`);
      const actual = cell.value === undefined ? null : cell.value;
      // An empty text (a blank in a problem record) is an empty cell: Excel and WPS cannot
      // hold "" written through Value2, and both show nothing.
      value = value === "" ? null : value;
      assert.ok(near(actual, value), `${where}: value ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
      assert.equal(cell.formula, null, `${where}: a formula was written (${cell.formula})`);
      const style = styles[styleIndex];
      assert.equal(cell.numberFormat, style.number_format, `${where}: number format`);
      assert.equal(cell.font.bold, style.bold, `${where}: bold`);
      assert.equal(cell.font.italic, style.italic, `${where}: italic`);
      assert.equal(cell.font.underline === 2, style.underline, `${where}: underline`);
      assert.equal(cell.font.size, style.font_size, `${where}: font size`);
      assert.equal(cell.font.color === 0 ? null : bgrToHex(cell.font.color), style.font_color, `${where}: font colour`);
      assert.equal(cell.fill === null ? null : bgrToHex(cell.fill), style.fill, `${where}: fill`);
      assert.equal(cell.wrap, style.wrap, `${where}: wrap`);
      assert.equal(cell.horizontal, H_ALIGN[style.horizontal], `${where}: horizontal alignment`);
      assert.equal(cell.vertical, V_ALIGN[style.vertical], `${where}: vertical alignment`);
      for (const side of ["top", "bottom", "left", "right"]) {
        const border = cell.borders[side];
        if (style.border) {
          assert.deepEqual(border, { style: 1, weight: 2, color: parseInt(style.border_color.match(/../g).reverse().join(""), 16) },
            `${where}: ${side} border`);
        } else {
          assert.equal(border, null, `${where}: unexpected ${side} border`);
        }
      }
      assert.equal(cell.hyperlink ? cell.hyperlink.subAddress : null, link, `${where}: hyperlink`);
    }
    for (const { row, column, cell } of sheet._usedCells()) {
      if (!seen.has(`${row},${column}`)) {
        assert.equal(cell.value, undefined, `${sheetExpected.name}!R${row}C${column}: a value the file writer does not write`);
        assert.equal(cell.hyperlink, null, `${sheetExpected.name}!R${row}C${column}: an extra hyperlink`);
      }
    }
    const merges = sheet._merges.map((box) => LedgerAddin.rangeAddress(box.r1, box.c1, box.r2, box.c2)).sort();
    assert.deepEqual(merges, sheetExpected.merges, `${sheetExpected.name}: merged cells`);
    assert.deepEqual([...sheet._columnWidths.entries()].sort((a, b) => a[0] - b[0]), sheetExpected.column_widths,
      `${sheetExpected.name}: column widths`);
    assert.deepEqual([...sheet._rowHeights.entries()].sort((a, b) => a[0] - b[0]), sheetExpected.row_heights,
      `${sheetExpected.name}: row heights`);
    assert.equal(sheet._freeze ? sheet._freeze.row : 0, sheetExpected.freeze_row, `${sheetExpected.name}: frozen rows`);
    assert.equal(sheet._tabColor === null ? null : bgrToHex(sheet._tabColor), sheetExpected.tab_color, `${sheetExpected.name}: tab colour`);
    if (sheetExpected.page_refused) { // a test made WPS refuse it: nothing of it is set
      assert.deepEqual(sheet._pageSetup._values, {}, `${sheetExpected.name}: page setup`);
    } else {
      assert.equal(sheet._pageSetup.Orientation, sheetExpected.landscape ? 2 : 1, `${sheetExpected.name}: orientation`);
      // One page wide, as many tall as needed (the file writer's fitToWidth="1" fitToHeight="0").
      assert.deepEqual([sheet._pageSetup.Zoom, sheet._pageSetup.FitToPagesWide, sheet._pageSetup.FitToPagesTall],
        sheetExpected.fit_to_width ? [false, 1, false] : [undefined, undefined, undefined],
        `${sheetExpected.name}: fit to page width`);
    }
    assert.equal(sheet.Names.Item("_ledger_generated").Visible, false, `${sheetExpected.name}: generated marker`);
    assertChartsMatch(book, sheet, sheetExpected.charts);
  }
}

function assertChartsMatch(book, sheet, expectedCharts) {
  assert.equal(sheet._charts.length, expectedCharts.length, `${sheet._name}: number of charts`);
  expectedCharts.forEach((expected, index) => {
    const chart = sheet._charts[index];
    const where = `${sheet._name}: chart ${expected.title}`;
    assert.equal(chart.ChartType, expected.chart_type, `${where}: type`);
    assert.equal(chart.HasTitle, true, `${where}: has a title`);
    assert.equal(chart.ChartTitle.Text, expected.title, `${where}: title`);
    assert.equal(chart._series.length, expected.series.length, `${where}: number of series`);
    expected.series.forEach((series, i) => {
      const actual = chart._series[i];
      assert.equal(actual.Name, series.name, `${where}: series ${i + 1} name`);
      assert.equal(actual.Values._sheet._name, series.values.sheet, `${where}: series ${i + 1} values sheet`);
      assert.equal(actual.Values.Address(), series.values.range, `${where}: series ${i + 1} values`);
      assert.equal(actual.XValues._sheet._name, expected.categories.sheet, `${where}: categories sheet`);
      assert.equal(actual.XValues.Address(), expected.categories.range, `${where}: categories`);
      const color = actual.Format.Fill.ForeColor.RGB;
      assert.equal(color === null ? null : bgrToHex(color), expected.kind === "pie" ? null : series.color,
        `${where}: series ${i + 1} colour`);
    });
    const anchor = sheet.Range(LedgerAddin.rangeAddress(expected.anchor_row, expected.anchor_column,
      expected.anchor_row, expected.anchor_column));
    assert.equal(chart._position.Left, anchor.Left, `${where}: left edge at the anchor cell`);
    assert.equal(chart._position.Top, anchor.Top, `${where}: top edge at the anchor cell`);
  });
}

// -- the ribbon ----------------------------------------------------------------------------
test("every ribbon callback named in ribbon.xml is a function ribbon.js puts on window", () => {
  const xml = fs.readFileSync(path.join(ADDIN, "ribbon.xml"), "utf8");
  const names = new Set([...xml.matchAll(/\b(?:onLoad|onAction|getImage|getLabel|getEnabled|getVisible)="([^"]+)"/g)]
    .map((m) => m[1]));
  assert.ok(names.has("OnAction") && names.has("OnAddinLoad") && names.has("GetImage"));
  const window = { LedgerAddin, alert() {} };
  vm.runInNewContext(fs.readFileSync(path.join(ADDIN, "js", "ribbon.js"), "utf8"), { window, LedgerAddin });
  for (const name of names) {
    assert.equal(typeof window[name], "function", `${name} is not on window`);
  }
  const ids = [...xml.matchAll(/<button id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids.sort(), Object.keys(LedgerAddin.BUTTONS).sort());
  for (const id of ids) {
    assert.ok(fs.existsSync(path.join(ADDIN, window.GetImage({ Id: id }))), `image of ${id}`);
  }
});

test("index.html loads main.js, which writes the settings, the logic and the ribbon glue, in that order", () => {
  // As the wpsjs "et" template: WPS builds that make index.html themselves load ./main.js.
  const html = fs.readFileSync(path.join(ADDIN, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script [^>]*src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ["./main.js"]);
  const written = [];
  vm.runInNewContext(fs.readFileSync(path.join(ADDIN, "main.js"), "utf8"), { document: { write: (t) => written.push(t) } });
  const sources = written.map((tag) => /^<script language='javascript' src='([^']+)'><\/script>$/.exec(tag)[1]);
  assert.deepEqual(sources, ["js/settings.js", "js/ledger.js", "js/ribbon.js"]);
  for (const source of sources.slice(1)) assert.ok(fs.existsSync(path.join(ADDIN, source)), source);
});

test("a click in WPS runs the button's action with WPS's Application and fetch", async () => {
  const fixture = loadFixture("overdue_10.json");
  const app = new Application();
  app._newWorkbook()._addSheet(fixture.request.sheet, fixture.request.values);
  const seen = [];
  const alerts = [];
  // window.Application: the global Application of et-jsapi-declare and of the wpsjs template
  const window = { Application: app, LedgerAddin, LEDGER_SETTINGS: SETTINGS, alert: (m) => alerts.push(m),
    fetch: serviceStub(fixture, seen) };
  vm.runInNewContext(fs.readFileSync(path.join(ADDIN, "js", "ribbon.js"), "utf8"), { window, LedgerAddin });
  assert.equal(window.OnAddinLoad({}), true);
  assert.equal(window.OnAction({ Id: "ledgerCheckButton" }), true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(alerts, []);
  assert.equal(seen.length, 1);
  assert.equal(app.ActiveWorkbook.ActiveSheet.Name, "逾期清单");
});

// -- reading the ledger ----------------------------------------------------------------------
test("readLedger reads the first sheet that is not a summary sheet, or the named one", () => {
  const app = new Application();
  const book = app._newWorkbook();
  book._addSheet("统计汇总", [["旧汇总"]]);
  book._addSheet("台账", [[null, null], [null, "编号"], [null, "TA1"]]);
  book._addSheet("台账2025", [["编号"], ["X"]]);
  const read = LedgerAddin.readLedger(app, {});
  assert.equal(read.sheet, "台账");
  assert.deepEqual(read.values, [["编号"], ["TA1"]]);
  assert.equal(read.first_row, 2);
  assert.equal(read.first_column, 2);
  assert.equal(LedgerAddin.readLedger(app, { ledgerSheet: "台账2025" }).sheet, "台账2025");
  assert.throws(() => LedgerAddin.readLedger(app, { ledgerSheet: "没有" }), /没有名为“没有”的工作表.*“台账”/);
  assert.throws(() => LedgerAddin.readLedger(new Application(), {}), /请先打开办理台账工作簿/);
});

test("readLedgers sends every sheet the assistant does not own, or only the named one", () => {
  const app = new Application();
  const book = app._newWorkbook();
  book._addSheet("统计汇总", [["旧汇总"]]);
  book._addSheet("提案台账", [["编号", "承办科室"], ["TA1", "甲科"], ["TA2", null]]).Range("B2:B3").Merge();
  book._addSheet("建议台账", [[null], ["编号"], ["JY1"]]);
  const read = LedgerAddin.readLedgers(app, {});
  assert.deepEqual(read.sheets, [
    { sheet: "提案台账", values: [["编号", "承办科室"], ["TA1", "甲科"], ["TA2", null]], first_row: 1, first_column: 1,
      merges: [[2, 2, 3, 2]] },
    { sheet: "建议台账", values: [["编号"], ["JY1"]], first_row: 2, first_column: 1, merges: [] },
  ]);
  assert.equal(read.mergesComplete, true);
  assert.deepEqual(LedgerAddin.readLedgers(app, { ledgerSheet: "建议台账" }).sheets.map((s) => s.sheet), ["建议台账"]);
  const owned = new Application();
  owned._newWorkbook()._addSheet("统计汇总", [["旧汇总"]]);
  assert.throws(() => LedgerAddin.readLedgers(owned, {}), /找不到台账/);
});

test("the bound of merged-area calls holds for all the sheets sent together", () => {
  const app = new Application();
  const book = app._newWorkbook();
  for (const name of ["提案台账", "建议台账", "2025年", "2024年"]) {
    const sheet = book._addSheet(name, [["编号", "承办科室"]]);
    for (let r = 2; r <= 4001; r++) sheet._load([[`T${r}`, r % 2 === 0 ? "科" : null]], r, 1);
    for (let r = 2; r <= 4000; r += 2) sheet.Range(`B${r}:B${r + 1}`).Merge();  // 2,000 areas, ~8,000 calls
  }
  const read = LedgerAddin.readLedgers(app, {});
  assert.equal(read.mergesComplete, false);
  assert.equal(read.sheets[0].merges.length, 2000, "the first sheet is searched in full");
  assert.ok(app._log.mergeReads <= 20000 + 2, `${app._log.mergeReads} calls for four sheets`);
  assert.equal(read.mergeCount, read.sheets.reduce((sum, part) => sum + part.merges.length, 0));
});

test("the merged areas over the ledger are sent with its values (承办科室 written once for a group)", () => {
  const app = new Application();
  const book = app._newWorkbook();
  const sheet = book._addSheet("台账", [
    ["2026年提案办理台账"],
    ["编号", "案由", "办理类型", "承办科室", "分管领导", "交办日期"],
    ["TA1", "关于甲的建议", "主办", "产业发展科", "王建国", 46082],
    ["TA2", "关于乙的建议", "主办", null, null, 46083],
    ["TA3", "关于丙的建议", "协办", null, null, 46193],
    ["TA4", "关于丁的建议", "主办", "企业服务科", "李红梅", 46143],
    ["备注：本表每周更新"],
  ]);
  for (const address of ["A1:F1", "D3:D5", "E3:E5", "A7:F7"]) sheet.Range(address).Merge();
  const read = LedgerAddin.readLedger(app, {});
  assert.deepEqual(read.merges.slice().sort(), [[1, 1, 1, 6], [3, 4, 5, 4], [3, 5, 5, 5], [7, 1, 7, 6]].sort());
  assert.equal(read.mergesComplete, true);
  assert.deepEqual(read.values[3], ["TA2", "关于乙的建议", "主办", null, null, 46083], "Value2: merged-away cells are empty");
});

test("merged areas are found with calls that grow with the areas, not with the rows", () => {
  const rows = 4000;
  const app = new Application();
  const sheet = app._newWorkbook()._addSheet("台账", [["编号", "承办科室", "交办日期"]]);
  for (let r = 2; r <= rows + 1; r++) sheet._load([[`T${r}`, r % 40 === 2 ? `科室${r}` : null, 46082]], r, 1);
  for (let r = 2; r + 39 <= rows + 1; r += 40) sheet.Range(`B${r}:B${r + 39}`).Merge();
  const areas = rows / 40;
  const read = LedgerAddin.readLedger(app, {});
  assert.equal(read.merges.length, areas);
  assert.deepEqual(read.merges[0], [2, 2, 41, 2]);
  // areas one under the other: whole rest of the column, first window, MergeArea, Address;
  // then one call per column to find nothing more
  assert.ok(app._log.mergeReads <= areas * 4 + 3, `${app._log.mergeReads} calls for ${areas} areas over ${rows} rows`);
  const spread = new Application();
  const gaps = spread._newWorkbook()._addSheet("台账", [["编号", "承办科室"]]);
  for (let r = 2; r <= rows + 1; r++) gaps._load([[`T${r}`, r % 400 === 2 ? "科" : null]], r, 1);
  for (let r = 2; r + 1 <= rows + 1; r += 400) gaps.Range(`B${r}:B${r + 1}`).Merge();  // 10 areas, 398 rows apart
  assert.equal(LedgerAddin.readLedger(spread, {}).merges.length, rows / 400);
  const perArea = 2 * Math.ceil(Math.log2(400)) + 4;
  assert.ok(spread._log.mergeReads <= (rows / 400) * perArea + 2, `${spread._log.mergeReads} calls for ${rows / 400} areas`);
  const none = new Application();
  none._newWorkbook()._addSheet("台账", Array.from({ length: rows }, (_, i) => [`T${i}`, "科", 1]));
  assert.deepEqual(LedgerAddin.readLedger(none, {}).merges, []);
  assert.equal(none._log.mergeReads, 3, "a ledger without merged cells costs one call per column");
});

test("empty rows at the end of the used range are not sent", () => {
  const app = new Application();
  const book = app._newWorkbook();
  const sheet = book._addSheet("台账", [["编号", "案由"], ["TA1", "关于"]]);
  sheet.Range("A9").NumberFormat = "@";  // formatted but empty: part of UsedRange
  const read = LedgerAddin.readLedger(app, {});
  assert.deepEqual(read.values, [["编号", "案由"], ["TA1", "关于"]]);
  assert.deepEqual(LedgerAddin.trimGrid([[null]]), [[null]]);
});

test("a one-cell ledger and a COM array are read as rows", () => {
  assert.deepEqual(LedgerAddin.normalizeGrid("编号"), [["编号"]]);
  assert.deepEqual(LedgerAddin.normalizeGrid(undefined), [[null]]);
  assert.deepEqual(LedgerAddin.normalizeGrid([1, undefined]), [[1, null]]);
  const safeArray = { toArray: () => [1, 2, 3, 4, 5, 6], lbound: () => 1, ubound: (d) => (d === 1 ? 2 : 3) };
  assert.deepEqual(LedgerAddin.normalizeGrid(safeArray), [[1, 3, 5], [2, 4, 6]]);
});

// -- writing the answer -----------------------------------------------------------------------
test("一键统计 on the sample ledger: the workbook holds, cell by cell, what the file writer writes", async () => {
  const fixture = loadFixture("sample.json");
  const { app, book } = bookWithLedger(fixture);
  const seen = [];
  const { answer, alerts } = await click(app, "ledgerRefreshButton", serviceStub(fixture, seen));
  assert.deepEqual(alerts, []);
  assert.ok(answer);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].url, "http://127.0.0.1:28190/v1/summary");
  assert.equal(seen[0].init.method, "POST");
  assert.equal(seen[0].init.headers["X-Ledger-Token"], "test-token");
  const sent = JSON.parse(seen[0].init.body);
  // every sheet the assistant does not own, the service choosing which to count (as the file path)
  assert.deepEqual(Object.keys(sent), ["sheets"]);
  assert.deepEqual(sent.sheets[0], fixture.request, "the add-in sends UsedRange.Value2 of the ledger and its position");
  assert.deepEqual(sent.sheets[1], { sheet: "填写说明", values: [["说明"], ["请逐项填写"]], first_row: 1,
    first_column: 1, merges: [] });
  assert.equal(app._log.reads, 2, "each sheet is read with one Value2 read");

  assert.deepEqual(book._sheets.map((s) => s.Name), ["台账", "填写说明", "统计汇总", "科室统计", "逾期清单", "即将到期", "数据问题"]);
  assertSheetsMatch(book, fixture.expected);
  assert.equal(book.ActiveSheet.Name, "统计汇总");
  assert.equal(app.DisplayAlerts, true, "DisplayAlerts is restored");
  assert.equal(app.ScreenUpdating, true, "ScreenUpdating is restored");
  assert.match(app.StatusBar, /共 60 件，已逾期 8 件/);
  assert.deepEqual(book.Worksheets.Item("台账").Range("A1").Value2, fixture.request.values[0][0], "the ledger is not touched");
});

test("a second click replaces the summary sheets instead of adding more", async () => {
  const fixture = loadFixture("sample.json");
  const { app, book } = bookWithLedger(fixture);
  await click(app, "ledgerRefreshButton", serviceStub(fixture, []));
  const ledgerCells = book.Worksheets.Item("台账")._cells.size;
  const { alerts } = await click(app, "ledgerRefreshButton", serviceStub(fixture, []));
  assert.deepEqual(alerts, []);
  assert.deepEqual(book._sheets.map((s) => s.Name), ["台账", "填写说明", "统计汇总", "科室统计", "逾期清单", "即将到期", "数据问题"]);
  assert.equal(book.Worksheets.Item("台账")._cells.size, ledgerCells);
  assertSheetsMatch(book, fixture.expected);
});

test("逾期清单 shows the overdue list; 生成汇报 shows the report sentences and says where they are", async () => {
  const fixture = loadFixture("sample.json");
  let { app, book } = bookWithLedger(fixture);
  let result = await click(app, "ledgerCheckButton", serviceStub(fixture, []));
  assert.deepEqual(result.alerts, []);
  assert.equal(book.ActiveSheet.Name, "逾期清单");

  ({ app, book } = bookWithLedger(fixture));
  result = await click(app, "ledgerReportButton", serviceStub(fixture, []));
  const anchor = fixture.answer.report_anchor;
  assert.equal(book.ActiveSheet.Name, anchor.sheet);
  assert.equal(book.ActiveSheet._selection, `$${anchor.cell.replace(/(\d+)/, "$$$1")}`);
  assert.deepEqual(result.alerts, [fixture.answer.messages.report]);
  assert.match(result.alerts[0], /汇报用语/);
});

test("a staff sheet that has a summary sheet's name is never overwritten", async () => {
  const fixture = loadFixture("sample.json");
  const { app, book } = bookWithLedger(fixture);
  book._addSheet("逾期清单", [["科室自己记的逾期情况"]]);
  const { answer, alerts } = await click(app, "ledgerRefreshButton", serviceStub(fixture, []));
  assert.equal(answer, null);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0], /已有名为“逾期清单”的工作表，但它不是台账助手生成的/);
  assert.deepEqual(book._sheets.map((s) => s.Name), ["台账", "填写说明", "逾期清单"]);
  assert.equal(book.Worksheets.Item("逾期清单").Range("A1").Value2, "科室自己记的逾期情况");
  assert.equal(app.DisplayAlerts, true);
});

test("text that looks like a formula, a number or a date stays text", () => {
  const app = new Application();
  const book = app._newWorkbook();
  book._addSheet("台账", [["编号"]]);
  const texts = ["=HYPERLINK(\"http://example.com\")", "+1", "-5", "@SUM(A1)", "001", "2024-03-05", "3月5日",
    "50%", "TRUE", "—", "关于=号的建议", "TA2026001"];
  const sheet = {
    name: "数据问题", tab_color: null, freeze_row: 0, landscape: true, fit_to_width: false,
    column_widths: [], row_heights: [], merges: [], charts: [],
    blocks: [{
      row: 1, column: 1, range: `A1:A${texts.length}`, values: texts.map((t) => [t]), styles: ["text"],
      formats: [{ number_format: "General", bold: false, italic: false, underline: false, font_size: 11,
        font_color: null, fill: null, wrap: false, horizontal: "general", vertical: "center", border: false,
        border_color: null }],
      row_fills: null, fills: {}, links: texts.map(() => "'台账'!A1"),
    }],
  };
  LedgerAddin.applyModel(app, [sheet], {});
  const written = book.Worksheets.Item("数据问题");
  texts.forEach((text, index) => {
    const cell = written._cell(index + 1, 1, false);
    assert.equal(cell.value, text, `row ${index + 1}`);
    assert.equal(cell.formula, null, `row ${index + 1} became a formula`);
    assert.equal(cell.hyperlink.subAddress, "'台账'!A1");
  });
});

test("the cells the service marks in text_cells are written with the text prefix, and only those", () => {
  // The add-in's own rule misses some of these ("#N/A" would become an error value, "(12)" the
  // number -12, "'引号" would lose its apostrophe); the service's marks (automation/cell_text.py,
  // the Excel writer's rule) cover them. Row 6 is a number, row 7 a text nothing would re-type.
  const app = new Application();
  const book = app._newWorkbook();
  book._addSheet("台账", [["编号"]]);
  const values = [["#N/A", "007"], ["1,234", "2026-3-5"], ["(12)", "12:30"], ["'引号", "TRUE"], ["$5", "=1+1"],
    [12, "１２"], ["普通文本", "TA001"]];
  const marked = [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1], [4, 0], [4, 1], [5, 1]];
  const format = { number_format: "General", bold: false, italic: false, underline: false, font_size: 11,
    font_color: null, fill: null, wrap: false, horizontal: "general", vertical: "center", border: false,
    border_color: null };
  const sheet = {
    name: "数据问题", tab_color: null, freeze_row: 0, landscape: false, fit_to_width: false,
    column_widths: [], row_heights: [], merges: [], charts: [],
    blocks: [{
      row: 2, column: 3, range: "C2:D8", values, styles: ["text", "text"], formats: [format, format],
      row_fills: null, fills: {}, links: values.map(() => "'台账'!A1"), text_cells: marked,
    }],
  };
  LedgerAddin.applyModel(app, [sheet], {});
  const written = book.Worksheets.Item("数据问题");
  values.forEach((row, r) => row.forEach((value, c) => {
    const cell = written._cell(2 + r, 3 + c, false);
    const where = `row ${r + 1}, column ${c + 1} (${value})`;
    assert.equal(cell.value, value, where);
    assert.equal(cell.formula, null, where);
    assert.equal(cell.prefixed, marked.some(([mr, mc]) => mr === r && mc === c), `${where}: text prefix`);
  }));
  // The linked first column keeps what Value2 wrote: no TextToDisplay over a prefixed text or a number.
  assert.equal(written._cell(8, 3, false).hyperlink.subAddress, "'台账'!A1");
  assert.equal(written._cell(7, 3, false).value, 12);
  // Page setup as the model says: portrait, no fitting.
  assert.equal(written._pageSetup.Orientation, 1);
  assert.equal(written._pageSetup.FitToPagesWide, undefined);
});

test("a chart that fails is deleted and named; the sheets are complete and the panes frozen", async () => {
  const fixture = loadFixture("sample.json");
  const { app, book } = bookWithLedger(fixture);
  const original = Chart.prototype.SetSourceData;
  let calls = 0;
  Chart.prototype.SetSourceData = function (Source) {
    calls += 1;
    if (calls === 1) throw new Error("图表引擎不可用");
    return original.call(this, Source);
  };
  let result;
  try {
    result = await click(app, "ledgerRefreshButton", serviceStub(fixture, []));
  } finally {
    Chart.prototype.SetSourceData = original;
  }
  const withCharts = fixture.expected.sheets.filter((sheet) => sheet.charts.length);
  const failed = withCharts[0];
  assert.ok(failed, "the sample has charts");
  assert.ok(result.answer, "the click went through");
  assert.equal(result.alerts.length, 1);
  assert.match(result.alerts[0], new RegExp(`以下图表未能生成，已跳过.*“${failed.name}”的“${failed.charts[0].title}”`));
  assert.match(result.alerts[0], /原因：图表引擎不可用/);
  const expected = JSON.parse(JSON.stringify(fixture.expected));
  expected.sheets.find((sheet) => sheet.name === failed.name).charts.shift();
  assertSheetsMatch(book, expected); // every cell, format, frozen pane and the other charts
  assert.equal(app.DisplayAlerts, true);
  assert.equal(app.ScreenUpdating, true);
});

test("a page setup WPS refuses (no printer) is named; the sheets, charts and panes are complete", async () => {
  const fixture = loadFixture("sample.json");
  const { app, book } = bookWithLedger(fixture);
  const descriptor = Object.getOwnPropertyDescriptor(PageSetup.prototype, "Orientation");
  Object.defineProperty(PageSetup.prototype, "Orientation", {
    configurable: true,
    get: descriptor.get,
    set(value) {
      if (this._sheet._name === "科室统计") throw new Error("没有安装打印机");
      descriptor.set.call(this, value);
    },
  });
  let result;
  try {
    result = await click(app, "ledgerRefreshButton", serviceStub(fixture, []));
  } finally {
    Object.defineProperty(PageSetup.prototype, "Orientation", descriptor);
  }
  assert.ok(result.answer, "the click went through");
  assert.deepEqual(result.alerts, [LedgerAddin.MESSAGES.pagesSkipped.replace("{sheets}", "“科室统计”")]);
  const expected = JSON.parse(JSON.stringify(fixture.expected));
  expected.sheets.find((sheet) => sheet.name === "科室统计").page_refused = true;
  assertSheetsMatch(book, expected); // the other sheets' page setup, every cell, chart and frozen pane
});

// -- failures ---------------------------------------------------------------------------------
test("the service not running: a clear message saying how to start it", async () => {
  const fixture = loadFixture("overdue_10.json");
  const { app, book } = bookWithLedger(fixture);
  const refused = () => Promise.reject(new TypeError("Failed to fetch"));
  const { answer, alerts } = await click(app, "ledgerRefreshButton", refused);
  assert.equal(answer, null);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0], /无法连接台账助手服务（127\.0\.0\.1:28190）/);
  assert.match(alerts[0], /ledger serve/);
  assert.equal(book._sheets.length, 2, "nothing written");
});

test("a refusal or a ledger error of the service is shown as the service words it", async () => {
  const fixture = loadFixture("overdue_10.json");
  const { app } = bookWithLedger(fixture);
  const answerWith = (status, body) => () => Promise.resolve({
    ok: false, status, text: () => Promise.resolve(JSON.stringify(body)),
  });
  let result = await click(app, "ledgerRefreshButton", answerWith(403, { error: "forbidden_token", message: "拒绝访问：令牌不正确。" }));
  assert.match(result.alerts[0], /拒绝访问：令牌不正确。[\s\S]*403/);
  result = await click(app, "ledgerRefreshButton", answerWith(422, { error: "bad_ledger", message: "无法读取台账：找不到表头" }));
  assert.match(result.alerts[0], /无法读取台账：找不到表头/);
  result = await click(app, "ledgerRefreshButton", () => Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve("<html>") }));
  assert.match(result.alerts[0], /返回的内容无法识别/);
});

test("without settings (wps-setup not run) nothing is sent and the user is told what to run", async () => {
  const fixture = loadFixture("overdue_10.json");
  const { app } = bookWithLedger(fixture);
  const seen = [];
  const result = await click(app, "ledgerRefreshButton", serviceStub(fixture, seen), null);
  assert.equal(seen.length, 0);
  assert.match(result.alerts[0], /ledger wps-setup/);
});

test("the XMLHttpRequest fallback behaves like fetch", async () => {
  class FakeXhr {
    open(method, url) { this.method = method; this.url = url; this.headers = {}; }
    setRequestHeader(key, value) { this.headers[key] = value; }
    send(body) {
      FakeXhr.last = this;
      this.body = body;
      this.status = 200;
      this.responseText = "{\"ok\":1}";
      setTimeout(() => this.onload(), 0);
    }
  }
  const fetchImpl = LedgerAddin.makeXhrFetch(FakeXhr);
  const response = await fetchImpl("http://127.0.0.1:1/v1/summary", { method: "POST", headers: { A: "b" }, body: "{}" });
  assert.equal(response.ok, true);
  assert.equal(await response.text(), "{\"ok\":1}");
  assert.deepEqual(FakeXhr.last.headers, { A: "b" });
  assert.equal(FakeXhr.last.method, "POST");
});

// -- the number of calls ------------------------------------------------------------------------
function writesFor(fixture) {
  const { app, book } = bookWithLedger(fixture);
  return click(app, "ledgerRefreshButton", serviceStub(fixture, [])).then(({ alerts }) => {
    assert.deepEqual(alerts, []);
    assertSheetsMatch(book, fixture.expected);
    const links = fixture.answer.sheets.reduce((sum, sheet) => sum + sheet.blocks.reduce(
      (n, block) => n + (block.links || []).filter(Boolean).length, 0), 0);
    assert.equal(app._log.hyperlinks, links, "one Hyperlinks.Add per linked row");
    return app._log.rangeWrites;
  });
}

test("the number of Range writes does not grow with the number of rows (10 and 5,000 overdue items)", async (t) => {
  const small = loadFixture("overdue_10.json");
  const large = loadFixture("overdue_5000.json");
  if (!large) {
    t.skip("overdue_5000.json is missing: run python macros/wps/test/make_fixture.py --large");
    return;
  }
  assert.equal(small.answer.stats.overdue, 10);
  assert.equal(large.answer.stats.overdue, 5000);
  const fewer = await writesFor(small);
  const more = await writesFor(large);
  assert.equal(more, fewer, `Range writes: ${fewer} for 10 items, ${more} for 5,000`);
  assert.ok(fewer < 600, `${fewer} Range writes for five sheets`);
});

test("the stand-in follows Excel's addresses", () => {
  assert.deepEqual(parseAddress("$B$2:$C$10"), { r1: 2, c1: 2, r2: 10, c2: 3 });
  assert.deepEqual(parseAddress("B:I"), { r1: 1, c1: 2, r2: 1048576, c2: 9 });
  assert.deepEqual(parseAddress("2:2"), { r1: 2, c1: 1, r2: 2, c2: 16384 });
  assert.equal(LedgerAddin.rgbToBgr("1F4E79"), 0x794e1f);
  assert.equal(bgrToHex(LedgerAddin.rgbToBgr("1F4E79")), "1F4E79");
});
