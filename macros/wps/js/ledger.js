/*
 * 台账助手 WPS 加载项：读取台账、调用本机服务、把汇总表写回当前工作簿。
 * The WPS add-in's logic, free of WPS globals so that Node can test it:
 *
 *   readLedger(app, settings)        the ledger sheet's UsedRange.Value2 and its position
 *   applyModel(app, answer, options)  write the service's summary sheets into the open book
 *   refresh(app, fetchImpl, options)  read -> POST /v1/summary -> apply
 *   runButton(app, controlId, env)    what a ribbon button does (ribbon.js calls it)
 *
 * `app` is WPS's spreadsheet Application object (wps.EtApplication()), whose object model
 * mirrors Excel's (Workbook.Worksheets, Range(...).Value2, Interior.Color as BGR, ...).
 * Writing uses few calls: one Range(...).Value2 = [[...]] per block, formats per run of
 * equally styled columns, fills per run of equally filled rows, so the number of calls does
 * not grow with the number of rows (hyperlinks aside: one Hyperlinks.Add per linked row).
 *
 * Plain ES5 with Promises (WPS ships older Chromium builds on some 信创 systems); loaded by a
 * <script> tag in WPS (window.LedgerAddin) and by require() in Node's tests.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  }
  if (root) {
    root.LedgerAddin = api;
  }
})(typeof window !== "undefined" ? window : null, function () {
  "use strict";

  var DEFAULT_SETTINGS = {
    port: 28190,
    token: "",
    ledgerSheet: "",
    ownedSheets: ["统计汇总", "科室统计", "逾期清单", "即将到期", "数据问题", "进展"],
    version: ""
  };
  var DEFAULT_NOTE_PREFIX = "本表由台账助手生成";
  var DEFAULT_MARKER = { name: "_ledger_generated", refers_to: '="ledger-assistant"' };
  var TOKEN_HEADER = "X-Ledger-Token";
  var SERVICE_HOST = "127.0.0.1";

  var MESSAGES = {
    title: "台账助手",
    noWorkbook: "请先打开办理台账工作簿，再点击此按钮。",
    noLedgerSheet: "工作簿中除汇总表外没有其他工作表，找不到台账。请打开办理台账工作簿后重试。",
    sheetMissing: "工作簿中没有名为“{sheet}”的工作表（加载项设置指定的台账工作表）。现有工作表：{sheets}。请重新运行 ledger wps-setup --sheet 正确的表名。",
    notInstalled: "台账助手加载项尚未设置完成（缺少 js/settings.js 或访问令牌）。请在命令行运行 ledger wps-setup，然后重启 WPS。",
    serviceDown: "无法连接台账助手服务（{host}:{port}）。\n请确认服务已经启动：在命令行运行 ledger serve（运行过 ledger wps-setup 后，登录时会自动启动）。\n如果服务已在运行，请查看服务窗口或日志中“refused”一行：请求可能被服务拒绝了。",
    refused: "{message}\n（服务返回 {status}）",
    badAnswer: "台账助手服务返回的内容无法识别（{error}）。请确认端口 {port} 上运行的是 ledger serve。",
    nameTaken: "工作簿中已有名为“{sheet}”的工作表，但它不是台账助手生成的。为避免覆盖您的数据，本次没有写入。请先将它改名，再点“一键统计”。",
    busy: "台账助手正在统计，请稍候。",
    unexpected: "台账助手出现意外错误：{error}"
  };

  /** Ribbon buttons (ids as in ribbon.xml): which sheet to show afterwards. */
  var BUTTONS = {
    ledgerRefreshButton: { select: "summary", image: "images/refresh.svg" },
    ledgerCheckButton: { select: "overdue", image: "images/overdue.svg" },
    ledgerReportButton: { select: "summary", report: true, image: "images/report.svg" }
  };

  /** Excel constants the add-in uses (WPS uses the same values). */
  var XL = {
    hAlign: { left: -4131, center: -4108, right: -4152, general: 1 },
    vAlign: { top: -4160, center: -4108, bottom: -4107 },
    continuous: 1,
    thin: 2,
    underlineSingle: 2,
    landscape: 2,
    portrait: 1,
    legendBottom: -4107
  };

  // -- small helpers ------------------------------------------------------------------
  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function AddinError(message) {
    this.name = "AddinError";
    this.message = message;
    this.userMessage = message;
  }
  AddinError.prototype = Object.create(Error.prototype);
  AddinError.prototype.constructor = AddinError;

  function withDefaults(settings) {
    var result = {};
    var key;
    for (key in DEFAULT_SETTINGS) {
      if (Object.prototype.hasOwnProperty.call(DEFAULT_SETTINGS, key)) {
        result[key] = DEFAULT_SETTINGS[key];
      }
    }
    if (settings) {
      for (key in settings) {
        if (Object.prototype.hasOwnProperty.call(settings, key) && settings[key] !== undefined && settings[key] !== null) {
          result[key] = settings[key];
        }
      }
    }
    return result;
  }

  /** "1F4E79" (RGB) -> the BGR integer of Interior.Color / Font.Color. */
  function rgbToBgr(hex) {
    var value = parseInt(String(hex).replace(/^#/, "").slice(-6), 16);
    return ((value & 0xff) << 16) | (value & 0xff00) | ((value >> 16) & 0xff);
  }

  function columnLetter(column) {
    var letters = "";
    while (column > 0) {
      var remainder = (column - 1) % 26;
      letters = String.fromCharCode(65 + remainder) + letters;
      column = Math.floor((column - 1) / 26);
    }
    return letters;
  }

  function cellAddress(row, column) {
    return columnLetter(column) + row;
  }

  function rangeAddress(firstRow, firstColumn, lastRow, lastColumn) {
    var first = cellAddress(firstRow, firstColumn);
    if (firstRow === lastRow && firstColumn === lastColumn) {
      return first;
    }
    return first + ":" + cellAddress(lastRow, lastColumn);
  }

  /**
   * Whether a text must be written with Excel's text prefix (an apostrophe) to stay text:
   * a leading = + - @ would make a formula (DESIGN.md invariant 6), and text that looks
   * like a number, a date, a time, a percentage or a logical value would be converted.
   */
  function needsTextPrefix(text) {
    if (text === "") {
      return false;
    }
    if (/^[=+\-@]/.test(text)) {
      return true;
    }
    var trimmed = text.replace(/^[\s\u3000]+|[\s\u3000]+$/g, "");
    if (/^(true|false)$/i.test(trimmed)) {
      return true;
    }
    return /^[$¥￥(]*\.?[0-9０-９]/.test(trimmed) &&
      /^[$¥￥()0-9０-９\s.,，:：\/%\-+eE年月日时分秒点号]*$/.test(trimmed);
  }

  /** A value of the service's answer as it is assigned to Range.Value2. */
  function toCellValue(value) {
    if (value === null || value === undefined) {
      return null;
    }
    if (typeof value === "string" && needsTextPrefix(value)) {
      return "'" + value;
    }
    return value;
  }

  /** UsedRange.Value2 as a list of rows (a single cell comes as a scalar). */
  function normalizeGrid(value) {
    if (value === null || value === undefined) {
      return [[null]];
    }
    if (typeof value.toArray === "function" && typeof value.ubound === "function") {
      // a COM SAFEARRAY (VBArray), as older script hosts return it: column-major
      var flat = value.toArray();
      var rows = value.ubound(1) - value.lbound(1) + 1;
      var columns = value.ubound(2) - value.lbound(2) + 1;
      var grid = [];
      for (var r = 0; r < rows; r++) {
        var line = [];
        for (var c = 0; c < columns; c++) {
          line.push(flat[c * rows + r]);
        }
        grid.push(line);
      }
      value = grid;
    }
    if (!Array.isArray(value)) {
      return [[cleanCell(value)]];
    }
    if (value.length && !Array.isArray(value[0])) {
      value = [value];
    }
    return value.map(function (row) {
      return Array.prototype.map.call(row, cleanCell);
    });
  }

  /** Without the trailing rows that are empty (a UsedRange often runs past the data). */
  function trimGrid(rows) {
    var end = rows.length;
    while (end > 1 && rows[end - 1].every(function (cell) { return cell === null || cell === ""; })) {
      end -= 1;
    }
    return end === rows.length ? rows : rows.slice(0, end);
  }

  function cleanCell(value) {
    if (value === undefined || value === null) {
      return null;
    }
    if (value instanceof Date) { // Value instead of Value2: back to a serial number
      var utc = Date.UTC(value.getFullYear(), value.getMonth(), value.getDate(), value.getHours(),
        value.getMinutes(), value.getSeconds());
      var serial = (utc - Date.UTC(1899, 11, 30)) / 86400000;
      return serial < 61 ? serial - 1 : serial;
    }
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") {
      return value;
    }
    return String(value);
  }

  // -- the workbook -------------------------------------------------------------------
  function activeBook(app) {
    var book = app ? app.ActiveWorkbook : null;
    if (!book) {
      throw new AddinError(MESSAGES.noWorkbook);
    }
    return book;
  }

  function worksheets(book) {
    var list = [];
    var collection = book.Worksheets;
    for (var index = 1; index <= collection.Count; index++) {
      list.push(collection.Item(index));
    }
    return list;
  }

  function findSheet(book, name) {
    var list = worksheets(book);
    for (var index = 0; index < list.length; index++) {
      if (String(list[index].Name) === name) {
        return list[index];
      }
    }
    return null;
  }

  /** The ledger: the sheet named in the settings, else the first sheet that is not owned. */
  function pickLedgerSheet(book, settings) {
    var list = worksheets(book);
    if (settings.ledgerSheet) {
      var named = findSheet(book, settings.ledgerSheet);
      if (!named) {
        throw new AddinError(format(MESSAGES.sheetMissing, {
          sheet: settings.ledgerSheet,
          sheets: list.map(function (sheet) { return "“" + sheet.Name + "”"; }).join("、")
        }));
      }
      return named;
    }
    for (var index = 0; index < list.length; index++) {
      if (settings.ownedSheets.indexOf(String(list[index].Name)) < 0) {
        return list[index];
      }
    }
    throw new AddinError(MESSAGES.noLedgerSheet);
  }

  /** The ledger sheet's values as the service expects them (one read of UsedRange.Value2). */
  function readLedger(app, settings) {
    settings = withDefaults(settings);
    var book = activeBook(app);
    var sheet = pickLedgerSheet(book, settings);
    var used = sheet.UsedRange;
    return {
      sheet: String(sheet.Name),
      values: trimGrid(normalizeGrid(used.Value2)),
      first_row: used.Row,
      first_column: used.Column
    };
  }

  function isGenerated(sheet, notePrefix, marker) {
    try {
      var first = sheet.Range("A1").Value2;
      if (typeof first === "string" && first.indexOf(notePrefix) === 0) {
        return true;
      }
    } catch (ignored) { /* fall through to the marker */ }
    try {
      return Boolean(sheet.Names.Item(marker.name));
    } catch (missing) {
      return false;
    }
  }

  function sameFormat(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  /** Runs of equal consecutive items: [{start, end, item}] (end inclusive). */
  function runs(items, equal) {
    var result = [];
    for (var index = 0; index < items.length; index++) {
      var last = result[result.length - 1];
      if (last && equal(last.item, items[index])) {
        last.end = index;
      } else {
        result.push({ start: index, end: index, item: items[index] });
      }
    }
    return result;
  }

  function applyFormat(range, style) {
    if (style.number_format && style.number_format !== "General") {
      range.NumberFormat = style.number_format;
    }
    var font = range.Font;
    font.Size = style.font_size;
    if (style.bold) {
      font.Bold = true;
    }
    if (style.italic) {
      font.Italic = true;
    }
    if (style.underline) {
      font.Underline = XL.underlineSingle;
    }
    if (style.font_color) {
      font.Color = rgbToBgr(style.font_color);
    }
    if (style.fill) {
      range.Interior.Color = rgbToBgr(style.fill);
    }
    if (style.wrap) {
      range.WrapText = true;
    }
    if (style.horizontal && style.horizontal !== "general") {
      range.HorizontalAlignment = XL.hAlign[style.horizontal];
    }
    range.VerticalAlignment = XL.vAlign[style.vertical] || XL.vAlign.center;
    if (style.border) {
      var borders = range.Borders;
      borders.LineStyle = XL.continuous;
      borders.Weight = XL.thin;
      borders.Color = rgbToBgr(style.border_color || "A6A6A6");
    }
  }

  function writeBlock(sheet, block) {
    var height = block.values.length;
    if (!height) {
      return;
    }
    var width = block.formats.length;
    var lastRow = block.row + height - 1;
    sheet.Range(block.range).Value2 = block.values.map(function (row) { return row.map(toCellValue); });
    if (block.links) {
      for (var offset = 0; offset < block.links.length && offset < height; offset++) {
        var target = block.links[offset];
        if (!target) {
          continue;
        }
        var shown = block.values[offset][0];
        var text = shown === null || shown === undefined ? "" : String(shown);
        var anchor = sheet.Range(cellAddress(block.row + offset, block.column));
        if (text && !needsTextPrefix(text)) {
          sheet.Hyperlinks.Add(anchor, "", target, target, text);
        } else { // keep the text written through Value2 (with its text prefix)
          sheet.Hyperlinks.Add(anchor, "", target, target);
        }
      }
    }
    runs(block.formats, sameFormat).forEach(function (run) {
      applyFormat(sheet.Range(rangeAddress(block.row, block.column + run.start, lastRow, block.column + run.end)),
        run.item);
    });
    if (block.row_fills) {
      runs(block.row_fills, function (a, b) { return a === b; }).forEach(function (run) {
        var fill = run.item && block.fills[run.item];
        if (!fill) {
          return;
        }
        var cells = sheet.Range(rangeAddress(block.row + run.start, block.column, block.row + run.end,
          block.column + width - 1));
        cells.Interior.Color = rgbToBgr(fill.color);
        if (fill.bold) {
          cells.Font.Bold = true;
        }
      });
    }
  }

  function writeSheet(sheet, model, marker) {
    try {
      sheet.Names.Add(marker.name, marker.refers_to, false);
    } catch (ignored) { /* the A1 note still marks the sheet */ }
    groupWidths(model.column_widths).forEach(function (group) {
      sheet.Range(columnLetter(group.first) + ":" + columnLetter(group.last)).ColumnWidth = group.size;
    });
    groupWidths(model.row_heights).forEach(function (group) {
      sheet.Range(group.first + ":" + group.last).RowHeight = group.size;
    });
    model.blocks.forEach(function (block) { writeBlock(sheet, block); });
    model.merges.forEach(function (address) { sheet.Range(address).Merge(); });
    if (model.tab_color) {
      sheet.Tab.Color = rgbToBgr(model.tab_color);
    }
    try {
      var page = sheet.PageSetup;
      page.Orientation = model.landscape ? XL.landscape : XL.portrait;
      if (model.fit_to_width) {
        page.Zoom = false;
        page.FitToPagesWide = 1;
        page.FitToPagesTall = false;
      }
    } catch (ignored) { /* page setup needs a printer on some systems; it is not essential */ }
  }

  /** [[index, size], ...] sorted -> groups of consecutive indexes with the same size. */
  function groupWidths(pairs) {
    var groups = [];
    (pairs || []).forEach(function (pair) {
      var last = groups[groups.length - 1];
      if (last && last.last + 1 === pair[0] && last.size === pair[1]) {
        last.last = pair[0];
      } else {
        groups.push({ first: pair[0], last: pair[0], size: pair[1] });
      }
    });
    return groups;
  }

  function writeChart(book, sheet, chart) {
    var left = sheet.Range(cellAddress(chart.anchor_row, chart.anchor_column)).Left;
    var top = sheet.Range(cellAddress(chart.anchor_row, chart.anchor_column)).Top;
    var width = sheet.Range(cellAddress(chart.anchor_row, chart.anchor_column + chart.width_columns)).Left - left;
    var height = sheet.Range(cellAddress(chart.anchor_row + chart.height_rows, chart.anchor_column)).Top - top;
    width = Math.max(width, 300);
    height = Math.max(height, 200);
    var excelChart;
    try {
      excelChart = sheet.Shapes.AddChart2(-1, chart.chart_type, left, top, width, height).Chart;
    } catch (older) { // WPS builds without AddChart2
      excelChart = sheet.ChartObjects().Add(left, top, width, height).Chart;
      excelChart.ChartType = chart.chart_type;
    }
    var categories = book.Worksheets.Item(chart.categories.sheet).Range(chart.categories.range);
    var series = chart.series;
    excelChart.SetSourceData(book.Worksheets.Item(series[0].values.sheet).Range(series[0].values.range));
    var collection = excelChart.SeriesCollection();
    while (collection.Count > series.length) {
      collection.Item(collection.Count).Delete();
    }
    series.forEach(function (item, index) {
      var target = index < collection.Count ? excelChart.SeriesCollection(index + 1) : collection.NewSeries();
      target.Values = book.Worksheets.Item(item.values.sheet).Range(item.values.range);
      target.XValues = categories;
      target.Name = item.name;
      if (item.color && chart.kind !== "pie") {
        target.Format.Fill.ForeColor.RGB = rgbToBgr(item.color);
      }
      if (chart.kind === "pie") {
        target.HasDataLabels = true;
        var labels = target.DataLabels();
        labels.ShowValue = false;
        labels.ShowCategoryName = true;
        labels.ShowPercentage = true;
      }
    });
    excelChart.HasTitle = true;
    excelChart.ChartTitle.Text = chart.title;
    excelChart.HasLegend = true;
    excelChart.Legend.Position = XL.legendBottom;
  }

  function freeze(app, sheet, row) {
    if (!row) {
      return;
    }
    sheet.Activate();
    var view = app.ActiveWindow;
    view.FreezePanes = false;
    view.SplitColumn = 0;
    view.SplitRow = row;
    view.FreezePanes = true;
  }

  /**
   * Replace the owned sheets of the open book with the service's answer.
   * options.select: the name of the sheet to show afterwards; options.cell: a cell to select.
   */
  function applyModel(app, answer, options) {
    options = options || {};
    var sheets = Array.isArray(answer) ? answer : answer.sheets;
    var info = Array.isArray(answer) ? {} : answer;
    var notePrefix = info.note_prefix || DEFAULT_NOTE_PREFIX;
    var marker = info.marker || DEFAULT_MARKER;
    var book = activeBook(app);
    var alerts = app.DisplayAlerts;
    var screen = app.ScreenUpdating;
    app.ScreenUpdating = false;
    app.DisplayAlerts = false;
    try {
      var existing = {};
      sheets.forEach(function (model) {
        var sheet = findSheet(book, model.name);
        if (sheet && !isGenerated(sheet, notePrefix, marker)) {
          throw new AddinError(format(MESSAGES.nameTaken, { sheet: model.name }));
        }
        existing[model.name] = sheet;
      });
      sheets.forEach(function (model) {
        if (existing[model.name]) {
          existing[model.name].Delete();
        }
      });
      var written = sheets.map(function (model) {
        var collection = book.Worksheets;
        var sheet = collection.Add(undefined, collection.Item(collection.Count));
        sheet.Name = model.name;
        writeSheet(sheet, model, marker);
        return { sheet: sheet, model: model };
      });
      written.forEach(function (pair) { // charts last: their data may be on a later sheet
        pair.model.charts.forEach(function (chart) { writeChart(book, pair.sheet, chart); });
      });
      written.forEach(function (pair) { freeze(app, pair.sheet, pair.model.freeze_row); });
      var shown = (options.select && findSheet(book, options.select)) || (written[0] && written[0].sheet);
      if (shown) {
        shown.Activate();
        shown.Range(options.cell || "A1").Select();
      }
    } finally {
      app.DisplayAlerts = alerts;
      app.ScreenUpdating = screen;
    }
    return sheets.length;
  }

  // -- the service ----------------------------------------------------------------------
  function readAnswer(response, port) {
    return Promise.resolve(response.text()).then(function (text) {
      var data = null;
      var parseError = null;
      try {
        data = JSON.parse(text);
      } catch (error) {
        parseError = error;
      }
      if (!response.ok) {
        var message = data && data.message ? data.message : format(MESSAGES.badAnswer, {
          error: "HTTP " + response.status, port: port
        });
        throw new AddinError(format(MESSAGES.refused, { message: message, status: response.status }));
      }
      if (parseError || !data || !Array.isArray(data.sheets)) {
        throw new AddinError(format(MESSAGES.badAnswer, { error: parseError || "没有 sheets", port: port }));
      }
      return data;
    });
  }

  /**
   * Read the ledger, ask the service, write the answer. Resolves with the answer; rejects
   * with an AddinError whose message is for the user.
   * options: {settings, select: "summary" | "overdue" | ..., report: bool, today: "YYYY-MM-DD"}
   */
  function refresh(app, fetchImpl, options) {
    options = options || {};
    var settings = withDefaults(options.settings);
    return new Promise(function (resolve) {
      if (!settings.token) {
        throw new AddinError(MESSAGES.notInstalled);
      }
      var ledger = readLedger(app, settings);
      var body = {
        sheet: ledger.sheet,
        values: ledger.values,
        first_row: ledger.first_row,
        first_column: ledger.first_column
      };
      if (options.today) {
        body.today = options.today;
      }
      var headers = { "Content-Type": "application/json; charset=utf-8" };
      headers[TOKEN_HEADER] = settings.token;
      var url = "http://" + SERVICE_HOST + ":" + settings.port + "/v1/summary";
      resolve(Promise.resolve()
        .then(function () {
          return fetchImpl(url, { method: "POST", headers: headers, body: JSON.stringify(body) });
        })
        .then(null, function () {
          throw new AddinError(format(MESSAGES.serviceDown, { host: SERVICE_HOST, port: settings.port }));
        }));
    }).then(function (response) {
      return readAnswer(response, settings.port);
    }).then(function (answer) {
      var names = answer.sheet_names || {};
      var anchor = options.report && answer.report_anchor ? answer.report_anchor : null;
      applyModel(app, answer, {
        select: anchor ? anchor.sheet : names[options.select || "summary"],
        cell: anchor ? anchor.cell : null
      });
      try {
        if (answer.messages && answer.messages.status) {
          app.StatusBar = answer.messages.status;
        }
      } catch (ignored) { /* the status bar is a courtesy */ }
      return answer;
    });
  }

  var busy = false;

  /** A ribbon click: refresh, show the right sheet, tell the user what went wrong. */
  function runButton(app, controlId, env) {
    env = env || {};
    var action = BUTTONS[controlId];
    var tell = env.alert || function () {};
    if (!action) {
      return Promise.resolve(null);
    }
    if (busy) {
      tell(MESSAGES.busy);
      return Promise.resolve(null);
    }
    busy = true;
    return refresh(app, env.fetchImpl, {
      settings: env.settings,
      select: action.select,
      report: Boolean(action.report),
      today: env.today
    }).then(function (answer) {
      if (action.report && answer.messages && answer.messages.report) {
        tell(answer.messages.report);
      }
      busy = false;
      return answer;
    }, function (error) {
      busy = false;
      tell(error && error.userMessage ? error.userMessage : format(MESSAGES.unexpected, {
        error: error && error.message ? error.message : error
      }));
      return null;
    });
  }

  function imageFor(controlId) {
    var action = BUTTONS[controlId];
    return action ? action.image : "images/refresh.svg";
  }

  /** fetch() for hosts without it, on XMLHttpRequest. */
  function makeXhrFetch(XMLHttpRequestClass) {
    return function (url, init) {
      return new Promise(function (resolve, reject) {
        var request = new XMLHttpRequestClass();
        request.open(init.method || "GET", url, true);
        var headers = init.headers || {};
        for (var key in headers) {
          if (Object.prototype.hasOwnProperty.call(headers, key)) {
            request.setRequestHeader(key, headers[key]);
          }
        }
        request.timeout = 600000;
        request.onload = function () {
          resolve({
            ok: request.status >= 200 && request.status < 300,
            status: request.status,
            text: function () { return Promise.resolve(request.responseText); }
          });
        };
        request.onerror = function () { reject(new Error("network error")); };
        request.ontimeout = function () { reject(new Error("timeout")); };
        request.send(init.body === undefined ? null : init.body);
      });
    };
  }

  return {
    DEFAULT_SETTINGS: DEFAULT_SETTINGS,
    MESSAGES: MESSAGES,
    BUTTONS: BUTTONS,
    XL: XL,
    AddinError: AddinError,
    readLedger: readLedger,
    applyModel: applyModel,
    refresh: refresh,
    runButton: runButton,
    imageFor: imageFor,
    makeXhrFetch: makeXhrFetch,
    needsTextPrefix: needsTextPrefix,
    toCellValue: toCellValue,
    normalizeGrid: normalizeGrid,
    trimGrid: trimGrid,
    rgbToBgr: rgbToBgr,
    columnLetter: columnLetter,
    rangeAddress: rangeAddress,
    withDefaults: withDefaults
  };
});
