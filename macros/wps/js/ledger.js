/*
 * 台账助手 WPS 加载项：读取台账、调用本机服务、把汇总表写回当前工作簿。
 * The WPS add-in's logic, free of WPS globals so that Node can test it:
 *
 *   readLedger(app, settings)        the ledger sheet's UsedRange.Value2, its position and merged areas
 *   readLedgers(app, settings)       the same for every sheet the service may count (body "sheets")
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
 * Plain ES5 with Promises (WPS ships older Chromium builds on some 信创 systems); loaded by
 * main.js in WPS (window.LedgerAddin) and by require() in Node's tests.
 *
 * Every object-model call is type-checked against Kingsoft's own declarations of WPS 表格's
 * API (npm et-jsapi-declare, lib.et.d.ts: the `Et.*` types in the JSDoc below), with
 * `tsc --noEmit --checkJs` (macros/wps/tsconfig.json; tests/test_wps_typecheck.py).
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
    chartsSkipped: "以下图表未能生成，已跳过（各汇总表的数据和格式已完整写入，窗格已冻结）：{charts}。\n原因：{error}",
    pagesSkipped: "以下汇总表的页面设置（横向、缩放为一页宽）未能应用，已跳过（数据和格式已完整写入）：{sheets}。\n常见原因是电脑上没有可用的打印机；添加打印机后再点一次即可。",
    mergesTruncated: "台账中的合并单元格过多，只读取了前 {count} 处；其余合并区域中被合并掉的单元格按空白统计。",
    unexpected: "台账助手出现意外错误：{error}"
  };

  /** Ribbon buttons (ids as in ribbon.xml): which sheet to show afterwards. */
  var BUTTONS = {
    ledgerRefreshButton: { select: "summary", image: "images/refresh.svg" },
    ledgerCheckButton: { select: "overdue", image: "images/overdue.svg" },
    ledgerReportButton: { select: "summary", report: true, image: "images/report.svg" }
  };

  /**
   * Bounds of the merged-area search (readMerges): object-model calls, and areas sent. An
   * area costs 4 calls when it follows the one above, so the bounds are far above a real
   * ledger's needs.
   */
  var MAX_MERGE_CALLS = 20000;
  var MAX_MERGE_AREAS = 5000;
  /** At most this many sheets are sent (the service's bound too). */
  var MAX_SHEETS = 255;

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

  /** @constructor @param {string} message */
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
   * Only for an answer without "text_cells" (an older service): the service marks the cells
   * by automation/cell_text.py, the rule the Excel writer follows, which covers all of these.
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

  /**
   * A value of the service's answer as it is assigned to Range.Value2; `prefixed` says whether
   * a text gets the text prefix (left out: the add-in's own rule, needsTextPrefix).
   * @param {*} value @param {boolean} [prefixed]
   */
  function toCellValue(value, prefixed) {
    if (value === null || value === undefined) {
      return null;
    }
    if (prefixed === undefined) {
      prefixed = typeof value === "string" && needsTextPrefix(value);
    }
    if (typeof value === "string" && prefixed) {
      return "'" + value;
    }
    return value;
  }

  /**
   * Which cells of a block are written with the text prefix: those the service lists in
   * "text_cells" ([row offset, column offset]: the one rule shared with the Excel writer),
   * or, from an older service without the list, the texts the add-in's own rule picks.
   * @returns {function(number, number): boolean}
   */
  function textPrefixed(block) {
    if (Array.isArray(block.text_cells)) {
      var marked = {};
      block.text_cells.forEach(function (cell) { marked[cell[0] + "," + cell[1]] = true; });
      return function (row, column) {
        return marked[row + "," + column] === true && typeof block.values[row][column] === "string";
      };
    }
    return function (row, column) {
      var value = block.values[row][column];
      return typeof value === "string" && needsTextPrefix(value);
    };
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
  /** @param {Et.Application} app @returns {Et.Workbook} */
  function activeBook(app) {
    var book = app ? app.ActiveWorkbook : null;
    if (!book) {
      throw new AddinError(MESSAGES.noWorkbook);
    }
    return book;
  }

  /**
   * Sheets.Item is declared to return a Worksheet or Sheets (an array index gives Sheets);
   * a number or a name gives one Worksheet.
   * @param {Et.Sheets} collection @param {number | string} key @returns {Et.Worksheet}
   */
  function sheetItem(collection, key) {
    return /** @type {Et.Worksheet} */ (collection.Item(key));
  }

  /** @param {Et.Workbook} book @returns {Et.Worksheet[]} */
  function worksheets(book) {
    var list = [];
    var collection = book.Worksheets;
    for (var index = 1; index <= collection.Count; index++) {
      list.push(sheetItem(collection, index));
    }
    return list;
  }

  /** @param {Et.Workbook} book @param {string} name @returns {Et.Worksheet | null} */
  function findSheet(book, name) {
    var list = worksheets(book);
    for (var index = 0; index < list.length; index++) {
      if (String(list[index].Name) === name) {
        return list[index];
      }
    }
    return null;
  }

  /**
   * The ledger: the sheet named in the settings, else the first sheet that is not owned.
   * @param {Et.Workbook} book @returns {Et.Worksheet}
   */
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

  /**
   * The ledger sheet's values as the service expects them (one read of UsedRange.Value2),
   * with the merged areas over them (readMerges).
   * @param {Et.Application} app
   */
  function readLedger(app, settings) {
    settings = withDefaults(settings);
    return readSheet(pickLedgerSheet(activeBook(app), settings));
  }

  /**
   * The sheets sent to the service: the one named in the settings (wps-setup --sheet), else
   * every sheet the assistant does not own (at most MAX_SHEETS), so that the service chooses
   * and counts them as the file path does ([ledger] sheets = 提案台账, 建议台账 / sheet = /
   * the first sheet whose header matches). Calls stay bounded: one Value2 read per sheet and
   * the bounded merged-area search.
   * @param {Et.Workbook} book @returns {Et.Worksheet[]}
   */
  function ledgerSheets(book, settings) {
    if (settings.ledgerSheet) {
      return [pickLedgerSheet(book, settings)];
    }
    var list = worksheets(book).filter(function (sheet) {
      return settings.ownedSheets.indexOf(String(sheet.Name)) < 0;
    });
    if (!list.length) {
      throw new AddinError(MESSAGES.noLedgerSheet);
    }
    return list.slice(0, MAX_SHEETS);
  }

  /**
   * Every sheet the service needs (ledgerSheets), each as readLedger reads one: the body's
   * "sheets"; `mergesComplete` is false when a merged-area search stopped at its bound.
   * @param {Et.Application} app
   */
  function readLedgers(app, settings) {
    settings = withDefaults(settings);
    var budget = { calls: 0 }; // one bound of merged-area calls for all the sheets
    var parts = ledgerSheets(activeBook(app), settings).map(function (sheet) { return readSheet(sheet, budget); });
    return {
      sheets: parts.map(function (part) {
        return { sheet: part.sheet, values: part.values, first_row: part.first_row,
          first_column: part.first_column, merges: part.merges };
      }),
      mergesComplete: parts.every(function (part) { return part.mergesComplete; }),
      mergeCount: parts.reduce(function (sum, part) { return sum + part.merges.length; }, 0)
    };
  }

  /** @param {Et.Worksheet} sheet @param {{calls: number}} [budget] */
  function readSheet(sheet, budget) {
    var used = sheet.UsedRange;
    var values = trimGrid(normalizeGrid(used.Value2));
    var firstRow = used.Row;
    var firstColumn = used.Column;
    var merges = readMerges(sheet, firstRow, firstColumn, firstRow + values.length - 1,
      firstColumn + values[0].length - 1, budget);
    return {
      sheet: String(sheet.Name),
      values: values,
      first_row: firstRow,
      first_column: firstColumn,
      merges: merges.areas,
      mergesComplete: merges.complete
    };
  }

  /** "D3:D5" or "$D$3" -> [first row, first column, last row, last column]. */
  function parseAreaAddress(address) {
    var match = /^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$/.exec(String(address).toUpperCase());
    if (!match) {
      return null;
    }
    var first = [Number(match[2]), columnNumber(match[1])];
    var last = match[3] ? [Number(match[4]), columnNumber(match[3])] : first;
    return [first[0], first[1], last[0], last[1]];
  }

  function columnNumber(letters) {
    var number = 0;
    for (var index = 0; index < letters.length; index++) {
      number = number * 26 + (letters.charCodeAt(index) - 64);
    }
    return number;
  }

  /**
   * The merged areas that touch the rows and columns given (1-based sheet numbers), each as
   * [first row, first column, last row, last column]. Value2 leaves a merged-away cell empty
   * (承办科室 written once for a group of items); the service fills the areas merged down, as
   * the file path does. Range.MergeCells is false for a part of a column without any merged
   * cell, so each column is searched in windows: one call for a column without merges, about
   * 2·log2(gap) + 4 calls per area found (gap: the rows from the area above; 4 for areas one
   * under the other), never one call per row.
   * Bounded by MAX_MERGE_CALLS and MAX_MERGE_AREAS; `complete` says whether the search ended.
   * `budget` (optional) carries the calls spent over several sheets, so that the bound holds
   * for a whole request (readLedgers), not per sheet.
   * @param {Et.Worksheet} sheet @param {number} firstRow @param {number} firstColumn
   * @param {number} lastRow @param {number} lastColumn @param {{calls: number}} [budget]
   * @returns {{areas: number[][], complete: boolean}}
   */
  function readMerges(sheet, firstRow, firstColumn, lastRow, lastColumn, budget) {
    var areas = [];
    var spent = budget || { calls: 0 };
    var complete = true;

    function hasMerged(column, top, bottom) { // MergeCells: true (all merged), null (some), false (none)
      spent.calls += 1;
      var merged = sheet.Range(rangeAddress(top, column, bottom, column)).MergeCells;
      return merged === true || merged === null;
    }

    function firstMerged(column, top, bottom) { // the first merged cell's row, or 0
      if (!hasMerged(column, top, bottom)) {
        return 0;
      }
      // Galloping: windows of 1, 2, 4, ... rows from `top`, so that the next area right
      // below the last one (the usual case: groups of items one under the other) costs one
      // call; then halving inside the first window that holds a merged cell.
      var size = 1;
      var start = top;
      var end = top;
      while (start <= bottom) {
        end = Math.min(bottom, start + size - 1);
        if (end === bottom || hasMerged(column, start, end)) {
          break;
        }
        start = end + 1;
        size *= 2;
      }
      while (start < end) {
        var middle = Math.floor((start + end) / 2);
        if (hasMerged(column, start, middle)) {
          end = middle;
        } else {
          start = middle + 1;
        }
      }
      return start;
    }

    function known(row, column) {
      for (var index = 0; index < areas.length; index++) {
        var area = areas[index];
        if (area[0] <= row && row <= area[2] && area[1] <= column && column <= area[3]) {
          return area;
        }
      }
      return null;
    }

    for (var column = firstColumn; column <= lastColumn && complete; column++) {
      var row = firstRow;
      while (row <= lastRow) {
        if (spent.calls >= MAX_MERGE_CALLS || areas.length >= MAX_MERGE_AREAS) {
          complete = false;
          break;
        }
        var hit = firstMerged(column, row, lastRow);
        if (!hit) {
          break;
        }
        var area = known(hit, column);
        if (!area) {
          spent.calls += 2;
          area = parseAreaAddress(sheet.Range(cellAddress(hit, column)).MergeArea.Address(false, false));
          if (!area || area[2] < hit) { // not an address we can read: step over the cell
            row = hit + 1;
            continue;
          }
          if (area[0] !== area[2] || area[1] !== area[3]) {
            areas.push(area);
          }
        }
        row = area[2] + 1;
      }
    }
    return { areas: areas, complete: complete };
  }

  /** @param {Et.Worksheet} sheet */
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

  /** @param {Et.Range} range */
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

  /** @param {Et.Worksheet} sheet */
  function writeBlock(sheet, block) {
    var height = block.values.length;
    if (!height) {
      return;
    }
    var width = block.formats.length;
    var lastRow = block.row + height - 1;
    var prefixed = textPrefixed(block);
    sheet.Range(block.range).Value2 = block.values.map(function (row, rowOffset) {
      return row.map(function (value, columnOffset) { return toCellValue(value, prefixed(rowOffset, columnOffset)); });
    });
    if (block.links) {
      for (var offset = 0; offset < block.links.length && offset < height; offset++) {
        var target = block.links[offset];
        if (!target) {
          continue;
        }
        var shown = block.values[offset][0];
        var text = shown === null || shown === undefined ? "" : String(shown);
        var anchor = sheet.Range(cellAddress(block.row + offset, block.column));
        if (text && typeof shown === "string" && !prefixed(offset, 0)) {
          sheet.Hyperlinks.Add(anchor, "", target, target, text);
        } else { // keep what Value2 wrote: a number, or a text with its text prefix
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

  /**
   * One summary sheet, whole; returns false when WPS refused its page setup (setUpPage).
   * @param {Et.Worksheet} sheet @returns {boolean}
   */
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
    return setUpPage(sheet, model);
  }

  /**
   * Print the sheet as the file writer sets it up: landscape, one page wide and as many tall
   * as needed (Zoom false so that FitToPages* apply; FitToPagesTall false: no limit). WPS asks
   * the printer driver and can refuse without a printer: that costs only the page setup, and
   * the user is told (MESSAGES.pagesSkipped), as the Excel add-in does.
   * @param {Et.Worksheet} sheet @returns {boolean} whether the page was set up
   */
  function setUpPage(sheet, model) {
    try {
      var page = sheet.PageSetup;
      page.Orientation = model.landscape ? XL.landscape : XL.portrait;
      if (model.fit_to_width) {
        page.Zoom = false;
        page.FitToPagesWide = 1;
        page.FitToPagesTall = false;
      }
      return true;
    } catch (refused) {
      return false;
    }
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

  /**
   * One chart: AddChart2 where the build has it, else ChartObjects().Add. Returns what was
   * added, so that a chart that fails half-way can be deleted (applyModel).
   * @param {Et.Workbook} book @param {Et.Worksheet} sheet
   * @param {{shape: Et.Shape | Et.ChartObject | null}} added
   */
  function writeChart(book, sheet, chart, added) {
    var left = sheet.Range(cellAddress(chart.anchor_row, chart.anchor_column)).Left;
    var top = sheet.Range(cellAddress(chart.anchor_row, chart.anchor_column)).Top;
    var width = sheet.Range(cellAddress(chart.anchor_row, chart.anchor_column + chart.width_columns)).Left - left;
    var height = sheet.Range(cellAddress(chart.anchor_row + chart.height_rows, chart.anchor_column)).Top - top;
    width = Math.max(width, 300);
    height = Math.max(height, 200);
    var excelChart;
    try {
      added.shape = sheet.Shapes.AddChart2(-1, chart.chart_type, left, top, width, height);
      excelChart = added.shape.Chart;
    } catch (older) { // WPS builds without AddChart2
      var objects = /** @type {Et.ChartObjects} */ (sheet.ChartObjects());
      added.shape = objects.Add(left, top, width, height);
      excelChart = added.shape.Chart;
      excelChart.ChartType = chart.chart_type;
    }
    var categories = sheetItem(book.Worksheets, chart.categories.sheet).Range(chart.categories.range);
    var series = chart.series;
    excelChart.SetSourceData(sheetItem(book.Worksheets, series[0].values.sheet).Range(series[0].values.range));
    var collection = excelChart.SeriesCollection();
    while (collection.Count > series.length) {
      collection.Item(collection.Count).Delete();
    }
    series.forEach(function (item, index) {
      var target = index < collection.Count ? collection.Item(index + 1) : collection.NewSeries();
      target.Values = sheetItem(book.Worksheets, item.values.sheet).Range(item.values.range);
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

  /** @param {Et.Application} app @param {Et.Worksheet} sheet */
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
   * Draw every chart of the written sheets; a chart that fails is deleted and named in the
   * result, so it never stops the sheets, the frozen panes or the other charts.
   * @param {Et.Workbook} book
   * @returns {{titles: string[], error: string}} the charts skipped, and the first reason
   */
  function writeCharts(book, written) {
    var skipped = { titles: [], error: "" };
    written.forEach(function (pair) { // charts last: their data may be on a later sheet
      pair.model.charts.forEach(function (chart) {
        var added = { shape: null };
        try {
          writeChart(book, pair.sheet, chart, added);
        } catch (error) {
          try {
            if (added.shape) {
              added.shape.Delete();
            }
          } catch (ignored) { /* a chart that cannot be deleted stays, empty; it is named below */ }
          skipped.titles.push("“" + pair.model.name + "”的“" + chart.title + "”");
          if (!skipped.error) {
            skipped.error = error && error.message ? error.message : String(error);
          }
        }
      });
    });
    return skipped;
  }

  /**
   * Replace the owned sheets of the open book with the service's answer.
   * options.select: the name of the sheet to show afterwards; options.cell: a cell to select.
   * Returns the number of sheets written, the charts skipped ({titles, error}) and the sheets
   * whose page setup WPS refused.
   * @param {Et.Application} app
   * @returns {{sheets: number, skippedCharts: {titles: string[], error: string}, skippedPages: string[]}}
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
    var skipped;
    var skippedPages = [];
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
        if (!writeSheet(sheet, model, marker)) {
          skippedPages.push("“" + model.name + "”");
        }
        return { sheet: sheet, model: model };
      });
      skipped = writeCharts(book, written);
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
    return { sheets: sheets.length, skippedCharts: skipped, skippedPages: skippedPages };
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
   * @param {Et.Application} app
   */
  function refresh(app, fetchImpl, options) {
    options = options || {};
    var settings = withDefaults(options.settings);
    var notes = [];
    return new Promise(function (resolve) {
      if (!settings.token) {
        throw new AddinError(MESSAGES.notInstalled);
      }
      var ledger = readLedgers(app, settings);
      /** @type {{sheets: Object[], today?: string}} */
      var body = { sheets: ledger.sheets };
      if (!ledger.mergesComplete) {
        notes.push(format(MESSAGES.mergesTruncated, { count: ledger.mergeCount }));
      }
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
      var result = applyModel(app, answer, {
        select: anchor ? anchor.sheet : names[options.select || "summary"],
        cell: anchor ? anchor.cell : null
      });
      if (result.skippedCharts.titles.length) {
        notes.push(format(MESSAGES.chartsSkipped, {
          charts: result.skippedCharts.titles.join("、"), error: result.skippedCharts.error
        }));
      }
      if (result.skippedPages.length) {
        notes.push(format(MESSAGES.pagesSkipped, { sheets: result.skippedPages.join("、") }));
      }
      answer.notes = notes;
      try {
        if (answer.messages && answer.messages.status) {
          app.StatusBar = answer.messages.status;
        }
      } catch (ignored) { /* the status bar is a courtesy */ }
      return answer;
    });
  }

  var busy = false;

  /**
   * A ribbon click: refresh, show the right sheet, tell the user what went wrong.
   * @param {Et.Application} app
   */
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
      var lines = (answer.notes || []).slice();
      if (action.report && answer.messages && answer.messages.report) {
        lines.push(answer.messages.report);
      }
      if (lines.length) {
        tell(lines.join("\n\n"));
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
    readLedgers: readLedgers,
    readMerges: readMerges,
    parseAreaAddress: parseAreaAddress,
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
