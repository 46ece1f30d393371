/*
 * A stand-in for WPS 表格's object model (the Excel-like API the add-in calls through
 * wps.EtApplication()), for Node's tests: it follows the real API for the calls the add-in
 * makes, keeps the workbook's state cell by cell, and records every call.
 *
 * Followed behaviours that matter to the add-in:
 * - Range(...).Value2 takes a 2-D array of the range's exact shape (rows of columns); text is
 *   typed in like a user's entry: "=..." becomes a formula, "001", "1,234", "(12)", "12:30" or
 *   "2024-03-05" a number, a time or a date, "#N/A" an error value, unless it starts with the
 *   text prefix "'" (kept out of the value: Kingsoft's Range.PrefixCharacter);
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

function addressOf(box, rowAbsolute = true, columnAbsolute = true) {
  const cell = (r, c) => `${columnAbsolute ? "$" : ""}${columnLetter(c)}${rowAbsolute ? "$" : ""}${r}`;
  const first = cell(box.r1, box.c1);
  return box.r1 === box.r2 && box.c1 === box.c2 ? first : `${first}:${cell(box.r2, box.c2)}`;
}

function bgrToHex(bgr) {
  const r = bgr & 0xff;
  const g = (bgr >> 8) & 0xff;
  const b = (bgr >> 16) & 0xff;
  return [r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** Excel's (and WPS's) error values as Value2 gives them, by the literal typed in. */
const ERRORS = {
  "#NULL!": -2146826288, "#DIV/0!": -2146826281, "#VALUE!": -2146826273, "#REF!": -2146826265,
  "#NAME?": -2146826259, "#NUM!": -2146826252, "#N/A": -2146826246,
};

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
  let match;
  if (/^[=]/.test(value) || (/^[+\-@]/.test(value) && value.length > 1 && !/^[+\-]?\d/.test(value))) {
    return { formula: value, value: "#FORMULA" };
  }
  const trimmed = value.trim();
  // Error literals are typed in as the error values (Value2 gives their codes).
  const error = ERRORS[trimmed.toUpperCase()];
  if (error !== undefined) return { value: error, converted: "error" };
  // Thousands separators, currency signs and accounting brackets are dropped: "1,234" is 1234,
  // "(12)" is -12, "¥12" is 12.
  const money = /^([$¥￥]?)\(([$¥￥]?)(\d[\d,]*\.?\d*)\)$|^[$¥￥]?(\d[\d,]*\.?\d*)$/.exec(trimmed);
  if (money && /\d,|[$¥￥(]/.test(trimmed)) {
    const digits = (money[3] || money[4]).replace(/,/g, "");
    return { value: money[3] ? -Number(digits) : Number(digits), converted: "number" };
  }
  match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  if (match) return { value: (+match[1] * 3600 + +match[2] * 60 + +(match[3] || 0)) / 86400, converted: "time" };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return { value: Number(trimmed) };
  if (/^[+-]?(\d+\.?\d*|\.\d+)%$/.test(trimmed)) return { value: Number(trimmed.slice(0, -1)) / 100 };
  if (/^(true|false)$/i.test(trimmed)) return { value: trimmed.toLowerCase() === "true" };
  match = /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$/.exec(trimmed);
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
    this.mergeReads = 0;
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
        const first = range._cell(range._box.r1, range._box.c1, false);
        return apply.get ? apply.get(first || new Cell()) : undefined;
      },
      set(value) {
        range._sheet._log.write(`${range._sheet._name}!${addressOf(range._box)}.${label}.${name} = ${JSON.stringify(value)}`);
        range._each((cell) => apply.set(cell, value));
      },
      enumerable: true,
    });
  }
  return Object.seal(target);
}

class Range {
  constructor(sheet, box) {
    this._sheet = sheet;
    this._box = box;
  }

  _cell(row, column, create) {
    return this._sheet._cell(row, column, create);
  }

  _each(apply) {
    const { r1, r2, c1, c2 } = this._box;
    if ((r2 - r1 + 1) * (c2 - c1 + 1) > 5e6) {
      throw new Error(`stand-in: formatting ${addressOf(this._box)} cell by cell is too large for a test`);
    }
    for (let r = r1; r <= r2; r++) {
      for (let c = c1; c <= c2; c++) apply(this._cell(r, c, true), r, c);
    }
  }

  get _rowsCount() {
    return this._box.r2 - this._box.r1 + 1;
  }

  get _columnsCount() {
    return this._box.c2 - this._box.c1 + 1;
  }

  get Row() {
    return this._box.r1;
  }

  get Column() {
    return this._box.c1;
  }

  get Count() {
    return this._rowsCount * this._columnsCount;
  }

  get Worksheet() {
    return this._sheet;
  }

  /** Absolute ($A$1) unless RowAbsolute / ColumnAbsolute are false, as in Excel. */
  Address(RowAbsolute, ColumnAbsolute) {
    return addressOf(this._box, RowAbsolute !== false, ColumnAbsolute !== false);
  }

  /** True when every cell is in a merged area, false when none is, null when some are. */
  get MergeCells() {
    this._sheet._log.mergeReads += 1;
    let merged = 0;
    const { r1, r2, c1, c2 } = this._box;
    for (const area of this._sheet._merges) {
      const rows = Math.min(r2, area.r2) - Math.max(r1, area.r1) + 1;
      const columns = Math.min(c2, area.c2) - Math.max(c1, area.c1) + 1;
      if (rows > 0 && columns > 0) merged += rows * columns;
    }
    if (merged === 0) return false;
    return merged === this.Count ? true : null;
  }

  /** The merged area of the range's first cell (that cell alone when it is not merged). */
  get MergeArea() {
    this._sheet._log.mergeReads += 1;
    const { r1, c1 } = this._box;
    const area = this._sheet._merges.find((box) => box.r1 <= r1 && r1 <= box.r2 && box.c1 <= c1 && c1 <= box.c2);
    return new Range(this._sheet, area ? Object.assign({}, area) : { r1, c1, r2: r1, c2: c1 });
  }

  get Value2() {
    this._sheet._log.reads += 1;
    this._sheet._log.note(`${this._sheet._name}!${addressOf(this._box)}.Value2 (read)`);
    const read = (r, c) => {
      const cell = this._cell(r, c, false);
      return cell ? cell.value : undefined;
    };
    if (this.Count === 1) return read(this._box.r1, this._box.c1);
    const rows = [];
    for (let r = this._box.r1; r <= this._box.r2; r++) {
      const row = [];
      for (let c = this._box.c1; c <= this._box.c2; c++) row.push(read(r, c));
      rows.push(row);
    }
    return rows;
  }

  set Value2(value) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.Value2 = [${Array.isArray(value) ? value.length : 1}]`);
    if (!Array.isArray(value)) {
      this._each((cell) => this._put(cell, value));
      return;
    }
    if (!value.every(Array.isArray)) throw new Error("stand-in: Value2 takes an array of rows");
    if (value.length !== this._rowsCount || value.some((row) => row.length !== this._columnsCount)) {
      throw new Error(`stand-in: a ${value.length}-row array does not fit ${addressOf(this._box)} ` +
        `(${this._rowsCount}x${this._columnsCount}); Excel would fill the rest with #N/A`);
    }
    this._each((cell, r, c) => this._put(cell, value[r - this._box.r1][c - this._box.c1]));
  }

  _put(cell, raw) {
    const typed = typedIn(raw);
    cell.value = typed ? typed.value : undefined;
    cell.formula = typed && typed.formula ? typed.formula : null;
    cell.prefixed = Boolean(typed && typed.prefixed);
    cell.converted = typed ? typed.converted || null : null;
  }

  get NumberFormat() {
    const cell = this._cell(this._box.r1, this._box.c1, false);
    return cell ? cell.numberFormat : "General";
  }

  set NumberFormat(code) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.NumberFormat = ${code}`);
    this._each((cell) => { cell.numberFormat = String(code); });
  }

  get Font() {
    /** @type {MembersOf<Et.Font>} */
    const setters = {
      Bold: { set: (cell, v) => { cell.font.bold = Boolean(v); }, get: (cell) => cell.font.bold },
      Italic: { set: (cell, v) => { cell.font.italic = Boolean(v); }, get: (cell) => cell.font.italic },
      Underline: { set: (cell, v) => { cell.font.underline = v; }, get: (cell) => cell.font.underline },
      Size: { set: (cell, v) => { cell.font.size = Number(v); }, get: (cell) => cell.font.size },
      Color: { set: (cell, v) => { cell.font.color = v; }, get: (cell) => cell.font.color },
    };
    return cellProxy(this, "Font", setters);
  }

  get Interior() {
    /** @type {MembersOf<Et.Interior>} */
    const setters = {
      Color: { set: (cell, v) => { cell.fill = v; }, get: (cell) => cell.fill },
    };
    return cellProxy(this, "Interior", setters);
  }

  get Borders() {
    /** @type {MembersOf<Et.Borders>} */
    const setters = {
      LineStyle: { set: (cell, v) => { this._border(cell, "style", v); } },
      Weight: { set: (cell, v) => { this._border(cell, "weight", v); } },
      Color: { set: (cell, v) => { this._border(cell, "color", v); } },
    };
    return cellProxy(this, "Borders", setters);
  }

  _border(cell, key, value) {
    for (const side of ["top", "bottom", "left", "right"]) {
      cell.borders[side] = Object.assign({}, cell.borders[side] || {}, { [key]: value });
    }
  }

  set WrapText(value) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.WrapText = ${value}`);
    this._each((cell) => { cell.wrap = Boolean(value); });
  }

  set HorizontalAlignment(value) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.HorizontalAlignment = ${value}`);
    this._each((cell) => { cell.horizontal = value; });
  }

  set VerticalAlignment(value) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.VerticalAlignment = ${value}`);
    this._each((cell) => { cell.vertical = value; });
  }

  set ColumnWidth(value) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.ColumnWidth = ${value}`);
    for (let c = this._box.c1; c <= this._box.c2; c++) this._sheet._columnWidths.set(c, Number(value));
  }

  get ColumnWidth() {
    return this._sheet._columnWidths.get(this._box.c1) || DEFAULT_WIDTH;
  }

  set RowHeight(value) {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.RowHeight = ${value}`);
    if (this._box.r2 - this._box.r1 > 100000) throw new Error("stand-in: row height of a whole column");
    for (let r = this._box.r1; r <= this._box.r2; r++) this._sheet._rowHeights.set(r, Number(value));
  }

  get RowHeight() {
    return this._sheet._rowHeights.get(this._box.r1) || DEFAULT_HEIGHT;
  }

  Merge() {
    this._sheet._log.write(`${this._sheet._name}!${addressOf(this._box)}.Merge()`);
    for (const other of this._sheet._merges) {
      if (this._box.r1 <= other.r2 && other.r1 <= this._box.r2 && this._box.c1 <= other.c2 && other.c1 <= this._box.c2) {
        throw new Error(`stand-in: ${addressOf(this._box)} overlaps the merged area ${addressOf(other)}`);
      }
    }
    this._sheet._merges.push(Object.assign({}, this._box));
  }

  /** Points from the sheet's left edge (a column width of w characters is about 7w+5 pixels). */
  get Left() {
    let points = 0;
    for (let c = 1; c < this._box.c1; c++) points += this._sheet._widthPoints(c);
    return points;
  }

  get Top() {
    let points = 0;
    for (let r = 1; r < this._box.r1; r++) points += this._sheet._rowHeights.get(r) || DEFAULT_HEIGHT;
    return points;
  }

  Select() {
    this._sheet._log.note(`${this._sheet._name}!${addressOf(this._box)}.Select()`);
    if (this._sheet._book.ActiveSheet !== this._sheet) throw new Error("stand-in: Select() on a sheet that is not active");
    this._sheet._selection = addressOf(this._box);
  }

  Activate() {
    this._sheet.Activate();
  }
}

class Hyperlinks {
  constructor(sheet) {
    this._sheet = sheet;
  }

  get Count() {
    let count = 0;
    for (const cell of this._sheet._cells.values()) if (cell.hyperlink) count += 1;
    return count;
  }

  Add(Anchor, Address, SubAddress, ScreenTip, TextToDisplay) {
    if (!(Anchor instanceof Range) || Anchor._sheet !== this._sheet) {
      throw new Error("stand-in: Hyperlinks.Add needs a Range of this sheet as Anchor");
    }
    if (typeof Address !== "string") throw new Error("stand-in: Hyperlinks.Add: Address is a required string");
    if (TextToDisplay !== undefined && typeof TextToDisplay !== "string") {
      throw new Error("stand-in: Hyperlinks.Add: TextToDisplay must be a string");
    }
    this._sheet._log.hyperlinks += 1;
    this._sheet._log.note(`${this._sheet._name}!${Anchor.Address()}.Hyperlinks.Add(${SubAddress})`);
    const cell = this._sheet._cell(Anchor._box.r1, Anchor._box.c1, true);
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
    this._owner = owner;
    this._items = new Map();
  }

  Add(Name, RefersTo, Visible) {
    this._owner._log.note(`${this._owner._name}.Names.Add(${Name})`);
    /** @type {MembersOf<Et.Name>} */
    const item = { Name, RefersTo, Visible: Visible !== false };
    this._items.set(String(Name).toLowerCase(), item);
    return item;
  }

  Item(name) {
    const item = this._items.get(String(name).toLowerCase());
    if (!item) throw new Error(`stand-in: no name ${name}`);
    return item;
  }

  get Count() {
    return this._items.size;
  }
}

class Series {
  constructor(chart, index) {
    this._chart = chart;
    this._index = index;
    this.Name = `系列${index}`;
    this.Values = null;
    this.XValues = null;
    this.HasDataLabels = false;
    /** @type {MembersOf<Et.DataLabels>} */
    this._labels = { ShowValue: true, ShowCategoryName: false, ShowPercentage: false };
    /** @type {MembersOf<Kso.MsoChartFormat>} */
    this.Format = { Fill: { ForeColor: { RGB: null } } };
  }

  DataLabels() {
    if (!this.HasDataLabels) throw new Error("stand-in: DataLabels() before HasDataLabels = true");
    return this._labels;
  }

  Delete() {
    this._chart._series.splice(this._chart._series.indexOf(this), 1);
  }
}

class Chart {
  constructor(sheet, chartType, position) {
    this._sheet = sheet;
    this.ChartType = chartType;
    this._position = position;
    this._series = [];
    this._source = null;
    this.HasTitle = false;
    /** @type {MembersOf<Et.ChartTitle>} */
    this.ChartTitle = { Text: "" };
    this.HasLegend = false;
    /** @type {MembersOf<Et.Legend>} */
    this.Legend = { Position: null };
  }

  /** One series per column of a single-area range (Excel's choice for a tall range). */
  SetSourceData(Source) {
    if (!(Source instanceof Range)) throw new Error("stand-in: SetSourceData needs a Range");
    this._source = Source;
    this._series = [];
    for (let c = Source._box.c1; c <= Source._box.c2; c++) {
      const series = new Series(this, this._series.length + 1);
      series.Values = new Range(Source._sheet, { r1: Source._box.r1, r2: Source._box.r2, c1: c, c2: c });
      this._series.push(series);
    }
  }

  /** et-jsapi-declare declares SeriesCollection(Index?) to return the collection (Kso.SeriesCollection). */
  SeriesCollection(index) {
    if (index !== undefined) {
      throw new Error("stand-in: SeriesCollection(Index) is declared to return the collection; use SeriesCollection().Item(Index)");
    }
    const chart = this;
    /** @type {MembersOf<Kso.SeriesCollection>} */
    const collection = {
      get Count() { return chart._series.length; },
      Item(i) {
        const found = chart._series[i - 1];
        if (!found) throw new Error(`stand-in: no series ${i}`);
        return found;
      },
      NewSeries() {
        const series = new Series(chart, chart._series.length + 1);
        chart._series.push(series);
        return series;
      },
    };
    return collection;
  }
}

/** PageSetup: only the members the add-in sets; sealed, so a member WPS lacks throws. */
class PageSetup {
  constructor(sheet) {
    this._sheet = sheet;
    this._values = {};
    Object.seal(this);
  }

  _set(key, value) {
    this._sheet._log.note(`${this._sheet._name}.PageSetup.${key} = ${value}`);
    this._values[key] = value;
  }

  get Orientation() { return this._values.Orientation; }
  set Orientation(value) { this._set("Orientation", value); }
  get Zoom() { return this._values.Zoom; }
  set Zoom(value) { this._set("Zoom", value); }
  get FitToPagesWide() { return this._values.FitToPagesWide; }
  set FitToPagesWide(value) { this._set("FitToPagesWide", value); }
  get FitToPagesTall() { return this._values.FitToPagesTall; }
  set FitToPagesTall(value) { this._set("FitToPagesTall", value); }
}

/** What Shapes.AddChart2 (a Shape) and ChartObjects().Add (a ChartObject) return. */
class ChartShape {
  constructor(chart, position) {
    this._chart = chart;
    Object.assign(this, position);
  }

  get Chart() {
    return this._chart;
  }

  Delete() {
    const charts = this._chart._sheet._charts;
    charts.splice(charts.indexOf(this._chart), 1);
  }
}

class Worksheet {
  constructor(book, name) {
    this._book = book;
    this._log = book._app._log;
    this._name = name;
    this._cells = new Map();
    this._columnWidths = new Map();
    this._rowHeights = new Map();
    this._merges = [];
    this._charts = [];
    this._freeze = null;
    this._selection = "A1";
    this._tabColor = null;
    this._pageSetup = new PageSetup(this);
    this.Names = new Names(this);
    this.Hyperlinks = new Hyperlinks(this);
    this._deleted = false;
    const sheet = this;
    /** @type {MembersOf<Et.Tab>} */
    this.Tab = {
      get Color() { return sheet._tabColor; },
      set Color(value) { sheet._log.note(`${sheet._name}.Tab.Color = ${value}`); sheet._tabColor = value; },
    };
    this.PageSetup = this._pageSetup;
    /** @type {MembersOf<Et.Shapes>} */
    this.Shapes = {
      AddChart2: (Style, XlChartType, Left, Top, Width, Height) => {
        if ([Left, Top, Width, Height].some((v) => typeof v !== "number" || !Number.isFinite(v))) {
          throw new Error("stand-in: AddChart2 needs numeric Left, Top, Width, Height");
        }
        const chart = new Chart(this, XlChartType, { Left, Top, Width, Height, style: Style });
        this._charts.push(chart);
        this._log.note(`${this._name}.Shapes.AddChart2(${XlChartType})`);
        return new ChartShape(chart, { Left, Top, Width, Height });
      },
    };
  }

  get Name() {
    return this._name;
  }

  set Name(value) {
    const name = String(value);
    if (!name || name.length > 31 || /[:\\/?*[\]]/.test(name)) throw new Error(`stand-in: invalid sheet name "${name}"`);
    if (this._book._sheets.some((s) => s !== this && s._name.toLowerCase() === name.toLowerCase())) {
      throw new Error(`stand-in: a sheet named "${name}" already exists`);
    }
    this._log.note(`rename ${this._name} -> ${name}`);
    this._name = name;
  }

  get Index() {
    return this._book._sheets.indexOf(this) + 1;
  }

  _cell(row, column, create) {
    const key = `${row},${column}`;
    let cell = this._cells.get(key);
    if (!cell && create) {
      cell = new Cell();
      this._cells.set(key, cell);
    }
    return cell;
  }

  _widthPoints(column) {
    const width = this._columnWidths.get(column) || DEFAULT_WIDTH;
    return Math.round((width * 7 + 5) * 0.75 * 100) / 100;
  }

  /** Fill the sheet as if a clerk had typed the values (rows from A1; null = empty). */
  _load(rows, firstRow = 1, firstColumn = 1) {
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
        r1: Math.min(first._box.r1, other._box.r1), c1: Math.min(first._box.c1, other._box.c1),
        r2: Math.max(first._box.r2, other._box.r2), c2: Math.max(first._box.c2, other._box.c2),
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
    for (const [key, cell] of this._cells) {
      if (cell.value === undefined && cell.numberFormat === "General" && !cell.fill) continue;
      const [r, c] = key.split(",").map(Number);
      box = box ? { r1: Math.min(box.r1, r), c1: Math.min(box.c1, c), r2: Math.max(box.r2, r), c2: Math.max(box.c2, c) }
        : { r1: r, c1: c, r2: r, c2: c };
    }
    return new Range(this, box || { r1: 1, c1: 1, r2: 1, c2: 1 });
  }

  ChartObjects() {
    const sheet = this;
    /** @type {MembersOf<Et.ChartObjects>} */
    const objects = {
      get Count() { return sheet._charts.length; },
      Add(Left, Top, Width, Height) {
        const chart = new Chart(sheet, null, { Left, Top, Width, Height });
        sheet._charts.push(chart);
        return new ChartShape(chart, { Left, Top, Width, Height });
      },
    };
    return objects;
  }

  Activate() {
    if (this._deleted) throw new Error("stand-in: the sheet was deleted");
    this._log.note(`${this._name}.Activate()`);
    this._book._activeSheet = this;
  }

  Delete() {
    if (this._book._app.DisplayAlerts) {
      throw new Error("stand-in: Delete() with DisplayAlerts = true stops at a confirmation dialog");
    }
    if (this._book._sheets.length === 1) throw new Error("stand-in: a workbook must keep one sheet");
    this._log.note(`${this._name}.Delete()`);
    const index = this._book._sheets.indexOf(this);
    this._book._sheets.splice(index, 1);
    this._deleted = true;
    if (this._book._activeSheet === this) this._book._activeSheet = this._book._sheets[Math.max(0, index - 1)];
  }

  // -- helpers for tests ----------------------------------------------------------------
  /** Every cell that holds a value or a format, as {row, column, cell}. */
  _usedCells() {
    return [...this._cells.entries()].map(([key, cell]) => {
      const [row, column] = key.split(",").map(Number);
      return { row, column, cell };
    });
  }
}

class Sheets {
  constructor(book) {
    this._book = book;
  }

  get Count() {
    return this._book._sheets.length;
  }

  Item(key) {
    if (typeof key === "number") {
      const sheet = this._book._sheets[key - 1];
      if (!sheet) throw new Error(`stand-in: no sheet ${key}`);
      return sheet;
    }
    const sheet = this._book._sheets.find((s) => s._name.toLowerCase() === String(key).toLowerCase());
    if (!sheet) throw new Error(`stand-in: no sheet named "${key}"`);
    return sheet;
  }

  Add(Before, After, Count, Type) {
    if (Before != null && After != null) throw new Error("stand-in: Worksheets.Add takes Before or After, not both");
    if (Count != null && Count !== 1) throw new Error("stand-in: the add-in adds one sheet at a time");
    let name;
    do {
      this._book._counter += 1;
      name = `Sheet${this._book._counter}`;
    } while (this._book._sheets.some((s) => s._name === name));
    const sheet = new Worksheet(this._book, name);
    let index = this._book._sheets.indexOf(this._book._activeSheet);
    if (Before != null) index = this._book._sheets.indexOf(Before);
    else if (After != null) index = this._book._sheets.indexOf(After) + 1;
    if (index < 0) throw new Error("stand-in: Before/After is not a sheet of this book");
    this._book._sheets.splice(index, 0, sheet);
    this._book._activeSheet = sheet;
    this._book._app._log.note(`Worksheets.Add -> ${name} at ${index + 1}`);
    return sheet;
  }
}

class Workbook {
  constructor(app, name) {
    this._app = app;
    this.Name = name;
    this._sheets = [];
    this._counter = 0;
    this._activeSheet = null;
    this.Worksheets = new Sheets(this);
    this.Sheets = this.Worksheets;
  }

  get ActiveSheet() {
    return this._activeSheet;
  }

  /** Add a sheet with values (test setup, not an API call). */
  _addSheet(name, rows) {
    const sheet = new Worksheet(this, name);
    this._sheets.push(sheet);
    if (!this._activeSheet) this._activeSheet = sheet;
    if (rows) sheet._load(rows);
    return sheet;
  }
}

class Window {
  constructor(app) {
    this._app = app;
    this._split = { row: 0, column: 0 };
    this._frozen = false;
  }

  get _sheet() {
    return this._app.ActiveWorkbook.ActiveSheet;
  }

  set SplitRow(value) { this._split.row = value; }
  get SplitRow() { return this._split.row; }
  set SplitColumn(value) { this._split.column = value; }
  get SplitColumn() { return this._split.column; }
  set ScrollRow(value) { this._scrollRow = value; }

  set FreezePanes(value) {
    this._app._log.note(`${this._sheet._name}.FreezePanes = ${value}`);
    this._sheet._freeze = value ? { row: this._split.row, column: this._split.column } : null;
  }

  get FreezePanes() {
    return Boolean(this._sheet._freeze);
  }
}

class Application {
  constructor() {
    this._log = new Log();
    this.DisplayAlerts = true;
    this.ScreenUpdating = true;
    this.StatusBar = false;
    this.ActiveWorkbook = null;
    this.ActiveWindow = new Window(this);
  }

  _newWorkbook(name = "台账.xlsx") {
    this.ActiveWorkbook = new Workbook(this, name);
    return this.ActiveWorkbook;
  }
}

// -- the stand-in follows Kingsoft's declarations (tsc -p macros/wps/test) ----------------------
// Each line fails to type-check, naming the member, when a class grows a member that WPS does
// not declare (test helpers start with "_").
/** @type {DeclaredBy<Application, Et.Application>} */ const applicationIsDeclared = true;
/** @type {DeclaredBy<Window, Et.Window>} */ const windowIsDeclared = true;
/** @type {DeclaredBy<Workbook, Et.Workbook>} */ const workbookIsDeclared = true;
/** @type {DeclaredBy<Sheets, Et.Sheets>} */ const sheetsIsDeclared = true;
/** @type {DeclaredBy<Worksheet, Et.Worksheet>} */ const worksheetIsDeclared = true;
/** @type {DeclaredBy<Range, Et.Range>} */ const rangeIsDeclared = true;
/** @type {DeclaredBy<Hyperlinks, Et.Hyperlinks>} */ const hyperlinksIsDeclared = true;
/** @type {DeclaredBy<Names, Et.Names>} */ const namesIsDeclared = true;
/** @type {DeclaredBy<PageSetup, Et.PageSetup>} */ const pageSetupIsDeclared = true;
/** @type {DeclaredBy<Chart, Et.Chart>} */ const chartIsDeclared = true;
/** @type {DeclaredBy<Series, Kso.MsoSeries>} */ const seriesIsDeclared = true;
/** @type {DeclaredBy<ChartShape, Et.Shape>} */ const shapeIsDeclared = true;
/** @type {DeclaredBy<ChartShape, Et.ChartObject>} */ const chartObjectIsDeclared = true;
void [applicationIsDeclared, windowIsDeclared, workbookIsDeclared, sheetsIsDeclared, worksheetIsDeclared,
  rangeIsDeclared, hyperlinksIsDeclared, namesIsDeclared, pageSetupIsDeclared, chartIsDeclared, seriesIsDeclared,
  shapeIsDeclared, chartObjectIsDeclared];

module.exports = { Application, Workbook, Worksheet, Range, Chart, PageSetup, parseAddress, addressOf, columnLetter, bgrToHex, typedIn };
