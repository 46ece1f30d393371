/*
 * A stand-in for WPS 表格's object model (the Excel-like API the add-in calls through
 * wps.EtApplication()), for Node's tests: it follows the real API for the calls the add-in
 * makes, keeps the workbook's state cell by cell, and records every call.
 *
 * Followed behaviours that matter to the add-in:
 * - Range(...).Value2 takes a 2-D array of the range's exact shape (rows of columns); text is
 *   typed in like a user's entry: "=..." becomes a formula, "001" or "2024-03-05" a number or
 *   a date, unless it starts with the text prefix "'" (kept out of the value);
 * - colours (Interior.Color, Font.Color, Tab.Color, ...ForeColor.RGB) are BGR integers;
 * - Sheet.Delete() with Application.DisplayAlerts = true would stop at a confirmation
 *   dialog: the stand-in throws;
 * - Worksheets.Item(name | index) throws for a missing sheet; index 1-based;
 * - Hyperlinks.Add(Anchor, Address, SubAddress, ScreenTip, TextToDisplay) shows
 *   TextToDisplay in the cell when given;
 * - a sheet name is 1 to 31 characters without : \ / ? * [ ] and unique in the book.
 *
 * Counters: `log.rangeWrites` (every property set or mutating method on a Range or on
 * the objects it hands out: Font, Interior, Borders), `log.hyperlinks` (Hyperlinks.Add calls),
 * `log.reads` (Value2 reads), `log.calls` (everything, as text).
 */
"use strict";

const MAX_ROWS = 1048576;
const MAX_COLUMNS = 16384;
const DEFAULT_WIDTH = 8.43;
const DEFAULT_HEIGHT = 13.5;
const EPOCH = Date.UTC(1899, 11, 30);

function columnNumber(letters) {
  let number = 0;
  for (const ch of letters.toUpperCase()) {
    number = number * 26 + (ch.charCodeAt(0) - 64);
  }
  return number;
}

function columnLetter(column) {
  let letters = "";
  while (column > 0) {
    const remainder = (column - 1) % 26;
    letters = String.fromCharCode(65 + remainder) + letters;
    column = Math.floor((column - 1) / 26);
  }
  return letters;
}

/** "A1", "$A$1:$C$3", "B:I", "2:5" -> {r1, c1, r2, c2}. */
function parseAddress(address) {
  const text = String(address).replace(/\$/g, "").trim();
  if (text.includes("!") || text.includes(",")) {
    throw new Error(`stand-in: Range() of this sheet takes a local, single-area address, not "${address}"`);
  }
  const parts = text.split(":");
  if (parts.length > 2) {
    throw new Error(`stand-in: bad address "${address}"`);
  }
  const cells = parts.map((part) => {
    let match = /^([A-Za-z]{1,3})(\d+)$/.exec(part);
    if (match) return { c: columnNumber(match[1]), r: Number(match[2]) };
    match = /^([A-Za-z]{1,3})$/.exec(part);
    if (match) return { c: columnNumber(match[1]), r: null };
    match = /^(\d+)$/.exec(part);
    if (match) return { c: null, r: Number(match[1]) };
    throw new Error(`stand-in: bad address "${address}"`);
  });
  const first = cells[0];
  const last = cells[1] || cells[0];
  if ((first.r === null) !== (last.r === null) || (first.c === null) !== (last.c === null)) {
    throw new Error(`stand-in: bad address "${address}"`);
  }
  const box = {
    r1: first.r === null ? 1 : Math.min(first.r, last.r),
    r2: first.r === null ? MAX_ROWS : Math.max(first.r, last.r),
    c1: first.c === null ? 1 : Math.min(first.c, last.c),
    c2: first.c === null ? MAX_COLUMNS : Math.max(first.c, last.c),
  };
  if (box.r1 < 1 || box.c1 < 1 || box.r2 > MAX_ROWS || box.c2 > MAX_COLUMNS) {
    throw new Error(`stand-in: address out of the sheet "${address}"`);
  }
  return box;
}

function addressOf(box) {
  const first = `$${columnLetter(box.c1)}$${box.r1}`;
  return box.r1 === box.r2 && box.c1 === box.c2 ? first : `${first}:$${columnLetter(box.c2)}$${box.r2}`;
}

function bgrToHex(bgr) {
  const r = bgr & 0xff;
  const g = (bgr >> 8) & 0xff;
  const b = (bgr >> 16) & 0xff;
  return [r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** What a cell holds after a value is typed into it through Value2. */
function typedIn(value) {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("stand-in: a non-finite number cannot be written");
    return { value };
  }
  if (typeof value === "boolean") return { value };
  if (typeof value !== "string") throw new Error(`stand-in: Value2 cannot take ${typeof value}`);
  if (value.startsWith("'")) return { value: value.slice(1), prefixed: true };
  if (/^[=]/.test(value) || (/^[+\-@]/.test(value) && value.length > 1 && !/^[+\-]?\d/.test(value))) {
    return { formula: value, value: "#FORMULA" };
  }
  const trimmed = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return { value: Number(trimmed) };
  if (/^[+-]?(\d+\.?\d*|\.\d+)%$/.test(trimmed)) return { value: Number(trimmed.slice(0, -1)) / 100 };
  if (/^(true|false)$/i.test(trimmed)) return { value: trimmed.toLowerCase() === "true" };
  let match = /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$/.exec(trimmed);
  if (match) {
    const serial = (Date.UTC(+match[1], +match[2] - 1, +match[3]) - EPOCH) / 86400000;
    if (+match[2] <= 12 && +match[3] <= 31) return { value: serial, converted: "date" };
  }
  match = /^(\d{1,2})月(\d{1,2})日$/.exec(trimmed);
  if (match) return { value: 0, converted: "date" };
  return { value };
}

class Log {
  constructor() {
    this.calls = [];
    this.rangeWrites = 0;
    this.hyperlinks = 0;
    this.reads = 0;
  }
  write(what) {
    this.rangeWrites += 1;
    this.calls.push(what);
  }
  note(what) {
    this.calls.push(what);
  }
}

class Cell {
  constructor() {
    this.value = undefined;
    this.formula = null;
    this.prefixed = false;
    this.numberFormat = "General";
    this.font = { bold: false, italic: false, underline: -4142, size: 11, color: 0 };
    this.fill = null;
    this.wrap = false;
    this.horizontal = 1;
    this.vertical = -4107;
    this.borders = { top: null, bottom: null, left: null, right: null };
    this.hyperlink = null;
  }
}

/** A property bag whose writes apply to every cell of a range (Font, Interior, Borders...). */
function cellProxy(range, label, setters) {
  const target = {};
  for (const [name, apply] of Object.entries(setters)) {
    Object.defineProperty(target, name, {
      get() {
        const first = range._cell(range.box.r1, range.box.c1, false);
        return apply.get ? apply.get(first || new Cell()) : undefined;
      },
      set(value) {
        range.sheet.log.write(`${range.sheet.name}!${addressOf(range.box)}.${label}.${name} = ${JSON.stringify(value)}`);
        range._each((cell) => apply.set(cell, value));
      },
      enumerable: true,
    });
  }
  return Object.seal(target);
}

class Range {
  constructor(sheet, box) {
    this.sheet = sheet;
    this.box = box;
  }

  _cell(row, column, create) {
    return this.sheet._cell(row, column, create);
  }

  _each(apply) {
    const { r1, r2, c1, c2 } = this.box;
    if ((r2 - r1 + 1) * (c2 - c1 + 1) > 5e6) {
      throw new Error(`stand-in: formatting ${addressOf(this.box)} cell by cell is too large for a test`);
    }
    for (let r = r1; r <= r2; r++) {
      for (let c = c1; c <= c2; c++) apply(this._cell(r, c, true), r, c);
    }
  }

  get rowsCount() {
    return this.box.r2 - this.box.r1 + 1;
  }

  get columnsCount() {
    return this.box.c2 - this.box.c1 + 1;
  }

  get Row() {
    return this.box.r1;
  }

  get Column() {
    return this.box.c1;
  }

  get Count() {
    return this.rowsCount * this.columnsCount;
  }

  get Worksheet() {
    return this.sheet;
  }

  Address() {
    return addressOf(this.box);
  }

  get Value2() {
    this.sheet.log.reads += 1;
    this.sheet.log.note(`${this.sheet.name}!${addressOf(this.box)}.Value2 (read)`);
    const read = (r, c) => {
      const cell = this._cell(r, c, false);
      return cell ? cell.value : undefined;
    };
    if (this.Count === 1) return read(this.box.r1, this.box.c1);
    const rows = [];
    for (let r = this.box.r1; r <= this.box.r2; r++) {
      const row = [];
      for (let c = this.box.c1; c <= this.box.c2; c++) row.push(read(r, c));
      rows.push(row);
    }
    return rows;
  }

  set Value2(value) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.Value2 = [${Array.isArray(value) ? value.length : 1}]`);
    if (!Array.isArray(value)) {
      this._each((cell) => this._put(cell, value));
      return;
    }
    if (!value.every(Array.isArray)) throw new Error("stand-in: Value2 takes an array of rows");
    if (value.length !== this.rowsCount || value.some((row) => row.length !== this.columnsCount)) {
      throw new Error(`stand-in: a ${value.length}-row array does not fit ${addressOf(this.box)} ` +
        `(${this.rowsCount}x${this.columnsCount}); Excel would fill the rest with #N/A`);
    }
    this._each((cell, r, c) => this._put(cell, value[r - this.box.r1][c - this.box.c1]));
  }

  _put(cell, raw) {
    const typed = typedIn(raw);
    cell.value = typed ? typed.value : undefined;
    cell.formula = typed && typed.formula ? typed.formula : null;
    cell.prefixed = Boolean(typed && typed.prefixed);
    cell.converted = typed ? typed.converted || null : null;
  }

  get NumberFormat() {
    const cell = this._cell(this.box.r1, this.box.c1, false);
    return cell ? cell.numberFormat : "General";
  }

  set NumberFormat(code) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.NumberFormat = ${code}`);
    this._each((cell) => { cell.numberFormat = String(code); });
  }

  get Font() {
    return cellProxy(this, "Font", {
      Bold: { set: (cell, v) => { cell.font.bold = Boolean(v); }, get: (cell) => cell.font.bold },
      Italic: { set: (cell, v) => { cell.font.italic = Boolean(v); }, get: (cell) => cell.font.italic },
      Underline: { set: (cell, v) => { cell.font.underline = v; }, get: (cell) => cell.font.underline },
      Size: { set: (cell, v) => { cell.font.size = Number(v); }, get: (cell) => cell.font.size },
      Color: { set: (cell, v) => { cell.font.color = v; }, get: (cell) => cell.font.color },
    });
  }

  get Interior() {
    return cellProxy(this, "Interior", {
      Color: { set: (cell, v) => { cell.fill = v; }, get: (cell) => cell.fill },
    });
  }

  get Borders() {
    const line = {};
    const proxy = cellProxy(this, "Borders", {
      LineStyle: { set: (cell, v) => { line.style = v; this._border(cell, "style", v); } },
      Weight: { set: (cell, v) => { line.weight = v; this._border(cell, "weight", v); } },
      Color: { set: (cell, v) => { line.color = v; this._border(cell, "color", v); } },
    });
    return proxy;
  }

  _border(cell, key, value) {
    for (const side of ["top", "bottom", "left", "right"]) {
      cell.borders[side] = Object.assign({}, cell.borders[side] || {}, { [key]: value });
    }
  }

  set WrapText(value) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.WrapText = ${value}`);
    this._each((cell) => { cell.wrap = Boolean(value); });
  }

  set HorizontalAlignment(value) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.HorizontalAlignment = ${value}`);
    this._each((cell) => { cell.horizontal = value; });
  }

  set VerticalAlignment(value) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.VerticalAlignment = ${value}`);
    this._each((cell) => { cell.vertical = value; });
  }

  set ColumnWidth(value) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.ColumnWidth = ${value}`);
    for (let c = this.box.c1; c <= this.box.c2; c++) this.sheet.columnWidths.set(c, Number(value));
  }

  get ColumnWidth() {
    return this.sheet.columnWidths.get(this.box.c1) || DEFAULT_WIDTH;
  }

  set RowHeight(value) {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.RowHeight = ${value}`);
    if (this.box.r2 - this.box.r1 > 100000) throw new Error("stand-in: row height of a whole column");
    for (let r = this.box.r1; r <= this.box.r2; r++) this.sheet.rowHeights.set(r, Number(value));
  }

  get RowHeight() {
    return this.sheet.rowHeights.get(this.box.r1) || DEFAULT_HEIGHT;
  }

  Merge() {
    this.sheet.log.write(`${this.sheet.name}!${addressOf(this.box)}.Merge()`);
    for (const other of this.sheet.merges) {
      if (this.box.r1 <= other.r2 && other.r1 <= this.box.r2 && this.box.c1 <= other.c2 && other.c1 <= this.box.c2) {
        throw new Error(`stand-in: ${addressOf(this.box)} overlaps the merged area ${addressOf(other)}`);
      }
    }
    this.sheet.merges.push(Object.assign({}, this.box));
  }

  /** Points from the sheet's left edge (a column width of w characters is about 7w+5 pixels). */
  get Left() {
    let points = 0;
    for (let c = 1; c < this.box.c1; c++) points += this.sheet._widthPoints(c);
    return points;
  }

  get Top() {
    let points = 0;
    for (let r = 1; r < this.box.r1; r++) points += this.sheet.rowHeights.get(r) || DEFAULT_HEIGHT;
    return points;
  }

  Select() {
    this.sheet.log.note(`${this.sheet.name}!${addressOf(this.box)}.Select()`);
    if (this.sheet.book.ActiveSheet !== this.sheet) throw new Error("stand-in: Select() on a sheet that is not active");
    this.sheet.selection = addressOf(this.box);
  }

  Activate() {
    this.sheet.Activate();
  }
}

class Hyperlinks {
  constructor(sheet) {
    this.sheet = sheet;
  }

  get Count() {
    let count = 0;
    for (const cell of this.sheet.cells.values()) if (cell.hyperlink) count += 1;
    return count;
  }

  Add(Anchor, Address, SubAddress, ScreenTip, TextToDisplay) {
    if (!(Anchor instanceof Range) || Anchor.sheet !== this.sheet) {
      throw new Error("stand-in: Hyperlinks.Add needs a Range of this sheet as Anchor");
    }
    if (typeof Address !== "string") throw new Error("stand-in: Hyperlinks.Add: Address is a required string");
    if (TextToDisplay !== undefined && typeof TextToDisplay !== "string") {
      throw new Error("stand-in: Hyperlinks.Add: TextToDisplay must be a string");
    }
    this.sheet.log.hyperlinks += 1;
    this.sheet.log.note(`${this.sheet.name}!${Anchor.Address()}.Hyperlinks.Add(${SubAddress})`);
    const cell = this.sheet._cell(Anchor.box.r1, Anchor.box.c1, true);
    cell.hyperlink = { address: Address, subAddress: SubAddress === undefined ? "" : String(SubAddress),
      screenTip: ScreenTip };
    if (TextToDisplay !== undefined) {
      cell.value = TextToDisplay === "" ? undefined : TextToDisplay;
      cell.formula = null;
    } else if (cell.value === undefined) {
      cell.value = SubAddress || Address;
    }
    return cell.hyperlink;
  }
}

class Names {
  constructor(owner) {
    this.owner = owner;
    this.items = new Map();
  }

  Add(Name, RefersTo, Visible) {
    this.owner.log.note(`${this.owner.name}.Names.Add(${Name})`);
    const item = { Name, RefersTo, Visible: Visible !== false };
    this.items.set(String(Name).toLowerCase(), item);
    return item;
  }

  Item(name) {
    const item = this.items.get(String(name).toLowerCase());
    if (!item) throw new Error(`stand-in: no name ${name}`);
    return item;
  }

  get Count() {
    return this.items.size;
  }
}

class Series {
  constructor(chart, index) {
    this.chart = chart;
    this.index = index;
    this.Name = `系列${index}`;
    this.Values = null;
    this.XValues = null;
    this.HasDataLabels = false;
    this.labels = { ShowValue: true, ShowCategoryName: false, ShowPercentage: false };
    this.Format = { Fill: { ForeColor: { RGB: null } } };
  }

  DataLabels() {
    if (!this.HasDataLabels) throw new Error("stand-in: DataLabels() before HasDataLabels = true");
    return this.labels;
  }

  Delete() {
    this.chart.series.splice(this.chart.series.indexOf(this), 1);
  }
}

class Chart {
  constructor(sheet, chartType, position) {
    this.sheet = sheet;
    this.ChartType = chartType;
    this.position = position;
    this.series = [];
    this.source = null;
    this.HasTitle = false;
    this.ChartTitle = { Text: "" };
    this.HasLegend = false;
    this.Legend = { Position: null };
  }

  /** One series per column of a single-area range (Excel's choice for a tall range). */
  SetSourceData(Source) {
    if (!(Source instanceof Range)) throw new Error("stand-in: SetSourceData needs a Range");
    this.source = Source;
    this.series = [];
    for (let c = Source.box.c1; c <= Source.box.c2; c++) {
      const series = new Series(this, this.series.length + 1);
      series.Values = new Range(Source.sheet, { r1: Source.box.r1, r2: Source.box.r2, c1: c, c2: c });
      this.series.push(series);
    }
  }

  SeriesCollection(index) {
    if (index !== undefined) {
      const found = this.series[index - 1];
      if (!found) throw new Error(`stand-in: no series ${index}`);
      return found;
    }
    const chart = this;
    return {
      get Count() { return chart.series.length; },
      Item(i) { return chart.SeriesCollection(i); },
      NewSeries() {
        const series = new Series(chart, chart.series.length + 1);
        chart.series.push(series);
        return series;
      },
    };
  }
}

class Worksheet {
  constructor(book, name) {
    this.book = book;
    this.log = book.app.log;
    this.name = name;
    this.cells = new Map();
    this.columnWidths = new Map();
    this.rowHeights = new Map();
    this.merges = [];
    this.charts = [];
    this.freeze = null;
    this.selection = "A1";
    this.tabColor = null;
    this.pageSetup = {};
    this.Names = new Names(this);
    this.Hyperlinks = new Hyperlinks(this);
    this.deleted = false;
    const sheet = this;
    this.Tab = {
      get Color() { return sheet.tabColor; },
      set Color(value) { sheet.log.note(`${sheet.name}.Tab.Color = ${value}`); sheet.tabColor = value; },
    };
    this.PageSetup = new Proxy(this.pageSetup, {
      set(target, key, value) { sheet.log.note(`${sheet.name}.PageSetup.${String(key)} = ${value}`); target[key] = value; return true; },
    });
    this.Shapes = {
      AddChart2: (Style, XlChartType, Left, Top, Width, Height) => {
        if ([Left, Top, Width, Height].some((v) => typeof v !== "number" || !Number.isFinite(v))) {
          throw new Error("stand-in: AddChart2 needs numeric Left, Top, Width, Height");
        }
        const chart = new Chart(this, XlChartType, { Left, Top, Width, Height, style: Style });
        this.charts.push(chart);
        this.log.note(`${this.name}.Shapes.AddChart2(${XlChartType})`);
        return { Chart: chart, Left, Top, Width, Height };
      },
    };
  }

  get Name() {
    return this.name;
  }

  set Name(value) {
    const name = String(value);
    if (!name || name.length > 31 || /[:\\/?*[\]]/.test(name)) throw new Error(`stand-in: invalid sheet name "${name}"`);
    if (this.book.sheets.some((s) => s !== this && s.name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`stand-in: a sheet named "${name}" already exists`);
    }
    this.log.note(`rename ${this.name} -> ${name}`);
    this.name = name;
  }

  get Index() {
    return this.book.sheets.indexOf(this) + 1;
  }

  _cell(row, column, create) {
    const key = `${row},${column}`;
    let cell = this.cells.get(key);
    if (!cell && create) {
      cell = new Cell();
      this.cells.set(key, cell);
    }
    return cell;
  }

  _widthPoints(column) {
    const width = this.columnWidths.get(column) || DEFAULT_WIDTH;
    return Math.round((width * 7 + 5) * 0.75 * 100) / 100;
  }

  /** Fill the sheet as if a clerk had typed the values (rows from A1; null = empty). */
  load(rows, firstRow = 1, firstColumn = 1) {
    rows.forEach((row, r) => row.forEach((value, c) => {
      if (value !== null && value !== undefined && value !== "") {
        this._cell(firstRow + r, firstColumn + c, true).value = value;
      }
    }));
    return this;
  }

  Range(first, second) {
    if (first instanceof Range) {
      const other = second instanceof Range ? second : first;
      return new Range(this, {
        r1: Math.min(first.box.r1, other.box.r1), c1: Math.min(first.box.c1, other.box.c1),
        r2: Math.max(first.box.r2, other.box.r2), c2: Math.max(first.box.c2, other.box.c2),
      });
    }
    if (second !== undefined) {
      const a = parseAddress(first);
      const b = parseAddress(second);
      return new Range(this, { r1: Math.min(a.r1, b.r1), c1: Math.min(a.c1, b.c1), r2: Math.max(a.r2, b.r2), c2: Math.max(a.c2, b.c2) });
    }
    return new Range(this, parseAddress(first));
  }

  get UsedRange() {
    let box = null;
    for (const [key, cell] of this.cells) {
      if (cell.value === undefined && cell.numberFormat === "General" && !cell.fill) continue;
      const [r, c] = key.split(",").map(Number);
      box = box ? { r1: Math.min(box.r1, r), c1: Math.min(box.c1, c), r2: Math.max(box.r2, r), c2: Math.max(box.c2, c) }
        : { r1: r, c1: c, r2: r, c2: c };
    }
    return new Range(this, box || { r1: 1, c1: 1, r2: 1, c2: 1 });
  }

  ChartObjects() {
    const sheet = this;
    return {
      get Count() { return sheet.charts.length; },
      Add(Left, Top, Width, Height) {
        const chart = new Chart(sheet, null, { Left, Top, Width, Height });
        sheet.charts.push(chart);
        return { Chart: chart };
      },
    };
  }

  Activate() {
    if (this.deleted) throw new Error("stand-in: the sheet was deleted");
    this.log.note(`${this.name}.Activate()`);
    this.book.activeSheet = this;
  }

  Delete() {
    if (this.book.app.DisplayAlerts) {
      throw new Error("stand-in: Delete() with DisplayAlerts = true stops at a confirmation dialog");
    }
    if (this.book.sheets.length === 1) throw new Error("stand-in: a workbook must keep one sheet");
    this.log.note(`${this.name}.Delete()`);
    const index = this.book.sheets.indexOf(this);
    this.book.sheets.splice(index, 1);
    this.deleted = true;
    if (this.book.activeSheet === this) this.book.activeSheet = this.book.sheets[Math.max(0, index - 1)];
  }

  // -- helpers for tests ----------------------------------------------------------------
  /** Every cell that holds a value or a format, as {row, column, cell}. */
  usedCells() {
    return [...this.cells.entries()].map(([key, cell]) => {
      const [row, column] = key.split(",").map(Number);
      return { row, column, cell };
    });
  }
}

class Sheets {
  constructor(book) {
    this.book = book;
  }

  get Count() {
    return this.book.sheets.length;
  }

  Item(key) {
    if (typeof key === "number") {
      const sheet = this.book.sheets[key - 1];
      if (!sheet) throw new Error(`stand-in: no sheet ${key}`);
      return sheet;
    }
    const sheet = this.book.sheets.find((s) => s.name.toLowerCase() === String(key).toLowerCase());
    if (!sheet) throw new Error(`stand-in: no sheet named "${key}"`);
    return sheet;
  }

  Add(Before, After, Count, Type) {
    if (Before != null && After != null) throw new Error("stand-in: Worksheets.Add takes Before or After, not both");
    if (Count != null && Count !== 1) throw new Error("stand-in: the add-in adds one sheet at a time");
    let name;
    do {
      this.book.counter += 1;
      name = `Sheet${this.book.counter}`;
    } while (this.book.sheets.some((s) => s.name === name));
    const sheet = new Worksheet(this.book, name);
    let index = this.book.sheets.indexOf(this.book.activeSheet);
    if (Before != null) index = this.book.sheets.indexOf(Before);
    else if (After != null) index = this.book.sheets.indexOf(After) + 1;
    if (index < 0) throw new Error("stand-in: Before/After is not a sheet of this book");
    this.book.sheets.splice(index, 0, sheet);
    this.book.activeSheet = sheet;
    this.book.app.log.note(`Worksheets.Add -> ${name} at ${index + 1}`);
    return sheet;
  }
}

class Workbook {
  constructor(app, name) {
    this.app = app;
    this.Name = name;
    this.sheets = [];
    this.counter = 0;
    this.activeSheet = null;
    this.Worksheets = new Sheets(this);
    this.Sheets = this.Worksheets;
  }

  get ActiveSheet() {
    return this.activeSheet;
  }

  /** Add a sheet with values (test setup, not an API call). */
  addSheet(name, rows) {
    const sheet = new Worksheet(this, name);
    this.sheets.push(sheet);
    if (!this.activeSheet) this.activeSheet = sheet;
    if (rows) sheet.load(rows);
    return sheet;
  }
}

class Window {
  constructor(app) {
    this.app = app;
    this.split = { row: 0, column: 0 };
    this.frozen = false;
  }

  get sheet() {
    return this.app.ActiveWorkbook.ActiveSheet;
  }

  set SplitRow(value) { this.split.row = value; }
  get SplitRow() { return this.split.row; }
  set SplitColumn(value) { this.split.column = value; }
  get SplitColumn() { return this.split.column; }
  set ScrollRow(value) { this.scrollRow = value; }

  set FreezePanes(value) {
    this.app.log.note(`${this.sheet.name}.FreezePanes = ${value}`);
    this.sheet.freeze = value ? { row: this.split.row, column: this.split.column } : null;
  }

  get FreezePanes() {
    return Boolean(this.sheet.freeze);
  }
}

class Application {
  constructor() {
    this.log = new Log();
    this.DisplayAlerts = true;
    this.ScreenUpdating = true;
    this.StatusBar = false;
    this.ActiveWorkbook = null;
    this.ActiveWindow = new Window(this);
  }

  newWorkbook(name = "台账.xlsx") {
    this.ActiveWorkbook = new Workbook(this, name);
    return this.ActiveWorkbook;
  }
}

module.exports = { Application, Workbook, Worksheet, Range, parseAddress, addressOf, columnLetter, bgrToHex, typedIn };
