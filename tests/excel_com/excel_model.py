"""A stand-in of Excel's COM object model, for xlwings' real Windows backend to drive.

Member names are those of Excel's VBA object model reference (learn.microsoft.com/office/vba/
api/overview/excel/object-model): Application, Workbooks/Workbook, Worksheets/Worksheet,
Range, Font, Interior, Hyperlinks/Hyperlink, ChartObjects/ChartObject, Chart, ChartTitle,
Windows/Window, PageSetup. Only members the assistant or xlwings' code paths reach are
present; any other name raises AttributeError, as pywin32's dynamic dispatch does for a name
Excel does not know (and ``_oleobj_.GetIDsOfNames`` raises DISP_E_UNKNOWNNAME), so a
misspelled or non-existent ``.api.X`` fails a test instead of passing it.

Behaviour follows Excel where the assistant depends on it:
* ``Range.Value`` returns a scalar for one cell and a tuple of row tuples otherwise; numbers
  come back as float, dates as ``pywintypes.TimeType``, empty cells as None;
* assigning a string is read as if typed: a leading apostrophe makes text (and is not
  stored), ``=...`` (and ``+``/``-``/``@`` followed by non-numbers) becomes a formula,
  numbers (also with thousands separators: 007 becomes 7), percentages, dates (2026-3-5,
  3/5, 2026年3月5日), TRUE/FALSE and error literals (#N/A) become numbers, dates, truth values
  and errors unless the format is ``@`` (a subset of what Excel recognises: enough to catch
  text that is not kept);
  assigning "" empties the cell;
* merging keeps only the upper-left value (and would ask the user, with DisplayAlerts on,
  when other cells hold values: recorded in ``Application._dialogs``);
* freezing panes is a property of the *window*, applied to the sheet the window shows
  (``SplitRow``/``SplitColumn`` count rows/columns from ``ScrollRow``/``ScrollColumn``);
* ``Worksheets.Add`` puts the new sheet before the active one and activates it.

Every member access is counted in ``Application._calls`` ("Class.Member"), so tests can
check how many calls reach Excel; ``Application._failing`` holds "Class.Member" names that
raise Excel's run-time error (com_error with scode 0x800A03EC, which xlwings does not retry).
"""

from __future__ import annotations

import datetime as dt
import re
import types
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.excel_com import win32

MAX_ROWS, MAX_COLUMNS = 1048576, 16384
XL_COLOR_INDEX_NONE = -4142
XL_COLOR_INDEX_AUTOMATIC = -4105
XL_SHEET_VISIBLE = -1
XL_CALCULATION_AUTOMATIC = -4105
XL_ERROR_NAME = -2146826259
XL_ERROR_NA = -2146826246
XL_PORTRAIT, XL_LANDSCAPE = 1, 2  # XlPageOrientation
#: Error literals typed into a cell become the error values (as Range.Value gives them).
ERROR_LITERALS = {"#NULL!": -2146826288, "#DIV/0!": -2146826281, "#VALUE!": -2146826273, "#REF!": -2146826265,
                  "#NAME?": XL_ERROR_NAME, "#NUM!": -2146826252, "#N/A": XL_ERROR_NA}
STANDARD_WIDTH = 8.43  # characters, Calibri 11
STANDARD_HEIGHT = 15.0  # points
DATE_FORMAT = "yyyy/m/d"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
SHORT_DATE = re.compile(r"(\d{1,2})[-/](\d{1,2})")  # month/day of the current year
CHINESE_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?")
THIS_YEAR = 2026
INVALID_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

IID_RANGE = "{00020846-0000-0000-C000-000000000046}"


# --------------------------------------------------------------------------- COM plumbing


class _OleObject:
    """``obj._oleobj_``: what xlwings asks when an attribute lookup fails."""

    def __init__(self, owner: "CDispatch"):
        self._owner = owner

    def GetIDsOfNames(self, lcid, name):  # noqa: N802 - pywin32's name
        if _is_member(type(self._owner), name):
            return abs(hash(name)) % 100000
        raise win32.com_error(win32.DISP_E_UNKNOWNNAME, "未知名称。", None, None)

    def GetTypeInfo(self):  # noqa: N802
        iid = type(self._owner)._IID
        attr = type("TypeAttr", (), {"iid": iid})()
        return type("TypeInfo", (), {"GetTypeAttr": lambda _self: attr})()


def _unwrap(value):
    """The stand-in object behind an argument (pywin32 hands COM the argument's _oleobj_)."""
    oleobj = getattr(value, "_oleobj_", None) if not isinstance(value, (str, int, float, tuple, list)) else None
    return oleobj._owner if isinstance(oleobj, _OleObject) else value


def _is_member(cls, name: str) -> bool:
    return name[:1].isupper() and hasattr(cls, name)


class CDispatch:
    """win32com.client.CDispatch: the base of every COM object of the stand-in."""

    _IID = ""

    def __getattribute__(self, name: str):
        if name[:1].isupper():
            app = object.__getattribute__(self, "_app")
            key = f"{type(self).__name__}.{name}"
            app._calls[key] += 1
            if key in app._failing:
                raise win32.excel_error(f"{key} 方法失败")
            member = object.__getattribute__(self, name)
            if isinstance(member, types.MethodType):
                function = member.__func__

                def call(this, *args, **kwargs):
                    # pywin32 passes an object's IDispatch (its _oleobj_), so xlwings' wrappers
                    # arrive at Excel as the objects they wrap.
                    return function(this, *map(_unwrap, args), **{k: _unwrap(v) for k, v in kwargs.items()})

                return types.MethodType(call, self)
            return member
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        descriptor = getattr(type(self), name, None)
        if not (isinstance(descriptor, property) and descriptor.fset):
            # pywin32: "Property '%s.%s' can not be set."
            raise AttributeError(f"Property '{type(self).__name__}.{name}' can not be set.")
        key = f"{type(self).__name__}.{name}"
        self._app._calls[key + "="] += 1
        if key in self._app._failing:
            raise win32.excel_error(f"{key} 设置失败")
        descriptor.fset(self, _unwrap(value))

    @property
    def _oleobj_(self):
        return _OleObject(self)

    @property
    def Application(self):  # noqa: N802
        return self._app


# --------------------------------------------------------------------------- cells


@dataclass
class Cell:
    value: Any = None  # float, str, bool, naive datetime, or None
    formula: str | None = None
    number_format: str = "General"
    bold: bool = False
    italic: bool = False
    size: float = 11.0
    font_color: int = 0
    fill: int | None = None  # BGR, as Interior.Color
    wrap: bool = False
    prefix: str = ""

    def is_default(self) -> bool:
        return self == Cell()


def rgb_of(bgr: int) -> tuple[int, int, int]:
    return bgr & 0xFF, (bgr >> 8) & 0xFF, (bgr >> 16) & 0xFF


def column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_cell(address: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", address.strip())
    if not match:
        raise win32.excel_error(f"无效的引用: {address}")
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def typed_value(value: Any, number_format: str) -> tuple[Any, str | None, str, str]:
    """(stored value, formula, number format, prefix) for a value assigned to Range.Value."""
    if isinstance(value, win32.TimeType) or isinstance(value, dt.datetime):
        naive = dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                            value.microsecond)
        return naive, None, DATE_FORMAT if number_format == "General" else number_format, ""
    if isinstance(value, dt.date):
        raise TypeError("pywin32 cannot convert a datetime.date: xlwings must send a datetime")
    if isinstance(value, bool):
        return value, None, number_format, ""
    if isinstance(value, (int, float)):
        return float(value), None, number_format, ""
    if value is None or value == "":
        return None, None, number_format, ""
    if not isinstance(value, str):
        raise TypeError(f"COM cannot convert {type(value).__name__}")
    if value.startswith("'"):
        return value[1:], None, number_format, "'"
    if number_format == "@":
        return value, None, number_format, ""
    text = value.strip()
    if text.upper() in ERROR_LITERALS:
        return ERROR_LITERALS[text.upper()], None, number_format, ""
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None, number_format, ""
    if NUMBER.fullmatch(text.replace(",", "")) and not text.startswith(","):
        return float(text.replace(",", "")), None, number_format, ""
    chinese = CHINESE_DATE.fullmatch(text)
    if chinese:
        year = int(chinese.group(1)) if chinese.group(1) else THIS_YEAR
        try:
            day = dt.datetime(year, int(chinese.group(2)), int(chinese.group(3) or 1))
        except ValueError:
            return value, None, number_format, ""
        return day, None, DATE_FORMAT if number_format == "General" else number_format, ""
    short = SHORT_DATE.fullmatch(text)
    if short:
        try:
            day = dt.datetime(THIS_YEAR, int(short.group(1)), int(short.group(2)))
        except ValueError:
            return value, None, number_format, ""
        return day, None, DATE_FORMAT if number_format == "General" else number_format, ""
    if text.endswith("%") and NUMBER.fullmatch(text[:-1]):
        return float(text[:-1]) / 100, None, "0%" if number_format == "General" else number_format, ""
    date = ISO_DATE.fullmatch(text)
    if date:
        try:
            day = dt.datetime(int(date.group(1)), int(date.group(2)), int(date.group(3)))
        except ValueError:
            return value, None, number_format, ""
        return day, None, DATE_FORMAT if number_format == "General" else number_format, ""
    if len(value) > 1 and value[0] in "=+-@":
        return None, value, number_format, ""
    return value, None, number_format, ""


# --------------------------------------------------------------------------- application


class Application(CDispatch):
    Name = "Microsoft Excel"
    Version = "16.0"
    Hwnd = 4242

    def __init__(self):
        self._app = self
        self._calls: Counter = Counter()
        self._failing: set[str] = set()
        self._dialogs: list[str] = []
        self._books: list[Workbook] = []
        self._active_book: Workbook | None = None
        self._screen_updating = True
        self._status_bar: str | bool = False
        self._display_alerts = True
        self._enable_events = True
        self._calculation = XL_CALCULATION_AUTOMATIC

    def _add_book(self, full_name: str) -> "Workbook":
        book = Workbook(self, full_name)
        self._books.append(book)
        self._active_book = book
        return book

    @property
    def Workbooks(self):  # noqa: N802
        return Workbooks(self)

    @property
    def ActiveWorkbook(self):  # noqa: N802
        return self._active_book

    @property
    def ActiveSheet(self):  # noqa: N802
        return self._active_book.ActiveSheet if self._active_book else None

    @property
    def ActiveWindow(self):  # noqa: N802
        return self._active_book._window if self._active_book else None

    def _flag(name):  # noqa: N805 - a property factory used in the class body
        return property(lambda self: getattr(self, name), lambda self, value: setattr(self, name, value))

    ScreenUpdating = _flag("_screen_updating")
    StatusBar = _flag("_status_bar")
    DisplayAlerts = _flag("_display_alerts")
    EnableEvents = _flag("_enable_events")
    Calculation = _flag("_calculation")
    del _flag


class Workbooks(CDispatch):
    def __init__(self, app: Application):
        self._app = app

    @property
    def Count(self):  # noqa: N802
        return len(self._app._books)

    def Item(self, index):  # noqa: N802
        for position, book in enumerate(self._app._books, 1):
            if index == position or (isinstance(index, str) and index.lower() == book._name.lower()):
                return book
        raise win32.com_error(win32.DISP_E_BADINDEX, "无效索引。", None, None)

    __call__ = Item

    def __iter__(self):
        return iter(list(self._app._books))


class Workbook(CDispatch):
    def __init__(self, app: Application, full_name: str):
        self._app = app
        self._full_name = full_name
        self._name = re.split(r"[\\/]", full_name)[-1]
        self._sheets: list[Worksheet] = []
        self._active: Worksheet | None = None
        self._window = Window(self)
        self._protect_structure = False

    def _add_sheet(self, name: str) -> "Worksheet":
        sheet = Worksheet(self, name)
        self._sheets.append(sheet)
        if self._active is None:
            self._active = sheet
        return sheet

    @property
    def Name(self):  # noqa: N802
        return self._name

    @property
    def FullName(self):  # noqa: N802
        return self._full_name

    @property
    def Path(self):  # noqa: N802
        return self._full_name[: -len(self._name)].rstrip("\\/")

    @property
    def Worksheets(self):  # noqa: N802
        return Worksheets(self)

    Sheets = Worksheets

    @property
    def ActiveSheet(self):  # noqa: N802
        return self._active

    @property
    def ProtectStructure(self):  # noqa: N802
        return self._protect_structure

    @property
    def Parent(self):  # noqa: N802
        return self._app

    def Windows(self, index=None):  # noqa: N802 - a property with an index: pywin32 calls it
        if index not in (None, 1):
            raise win32.com_error(win32.DISP_E_BADINDEX, "无效索引。", None, None)
        return self._window

    def Activate(self):  # noqa: N802
        self._app._active_book = self


class Window(CDispatch):
    """A workbook's window: its pane settings apply to the sheet it shows (the active one)."""

    def __init__(self, book: Workbook):
        self._app = book._app
        self._book = book

    def _view(self) -> dict:
        return self._book._active._view

    def _pane(name):  # noqa: N805
        def get(self):
            return self._view()[name]

        def put(self, value):
            if name in ("ScrollRow", "ScrollColumn") and value < 1:
                raise win32.excel_error(f"{name} 必须大于 0")
            self._view()[name] = value

        return property(get, put)

    SplitRow = _pane("SplitRow")
    SplitColumn = _pane("SplitColumn")
    ScrollRow = _pane("ScrollRow")
    ScrollColumn = _pane("ScrollColumn")
    DisplayGridlines = _pane("DisplayGridlines")
    del _pane

    @property
    def FreezePanes(self):  # noqa: N802
        return self._view()["FreezePanes"]

    @FreezePanes.setter
    def FreezePanes(self, value):  # noqa: N802
        view = self._view()
        view["FreezePanes"] = bool(value)
        if not value:
            view["frozen_at"] = None
        elif view["SplitRow"] or view["SplitColumn"]:
            view["frozen_at"] = (view["ScrollRow"] + view["SplitRow"], view["ScrollColumn"] + view["SplitColumn"])
        else:
            # No split: Excel freezes at the active cell's position in the middle of the window.
            view["frozen_at"] = ("middle of the window",)

    @property
    def Split(self):  # noqa: N802
        view = self._view()
        return bool(view["SplitRow"] or view["SplitColumn"])

    @property
    def ActiveSheet(self):  # noqa: N802
        return self._book._active


class Worksheets(CDispatch):
    def __init__(self, book: Workbook):
        self._app = book._app
        self._book = book

    @property
    def Count(self):  # noqa: N802
        return len(self._book._sheets)

    def Item(self, index):  # noqa: N802
        sheets = self._book._sheets
        if isinstance(index, bool) or not isinstance(index, (int, str)):
            raise win32.com_error(win32.DISP_E_BADINDEX, "类型不匹配。", None, None)
        if isinstance(index, int):
            if 1 <= index <= len(sheets):
                return sheets[index - 1]
        else:
            for sheet in sheets:
                if sheet._name.lower() == index.lower():
                    return sheet
        raise win32.com_error(win32.DISP_E_BADINDEX, "无效索引。", None, None)

    __call__ = Item

    def __iter__(self):
        return iter(list(self._book._sheets))

    @property
    def Parent(self):  # noqa: N802
        return self._book

    def Add(self, Before=None, After=None, Count=1, Type=None):  # noqa: N802,N803 - Excel's names
        if self._book._protect_structure:
            raise win32.excel_error("工作簿受保护，不能更改。")
        sheets = self._book._sheets
        number = 1
        names = {sheet._name.lower() for sheet in sheets}
        while f"sheet{number}" in names:
            number += 1
        sheet = Worksheet(self._book, f"Sheet{number}")
        if Before is not None:
            position = sheets.index(Before)
        elif After is not None:
            position = sheets.index(After) + 1
        else:
            position = sheets.index(self._book._active)
        sheets.insert(position, sheet)
        self._book._active = sheet
        return sheet


class Worksheet(CDispatch):
    def __init__(self, book: Workbook, name: str):
        self._app = book._app
        self._book = book
        self._name = name
        self._cells: dict[tuple[int, int], Cell] = {}
        self._widths: dict[int, float] = {}
        self._heights: dict[int, float] = {}
        self._merges: list[tuple[int, int, int, int]] = []
        self._links: dict[tuple[int, int], Hyperlink] = {}
        self._charts: list[ChartObject] = []
        self._visible = XL_SHEET_VISIBLE
        self._tab_color: int | None = None
        self._view = {"SplitRow": 0, "SplitColumn": 0, "ScrollRow": 1, "ScrollColumn": 1,
                      "FreezePanes": False, "frozen_at": None, "DisplayGridlines": True}
        # A new sheet's page setup in Excel: portrait, 100 %, FitToPages* 1 (ignored while Zoom is a number).
        self._page = {"Orientation": XL_PORTRAIT, "Zoom": 100, "FitToPagesWide": 1, "FitToPagesTall": 1}

    # --- state helpers for tests and the loader
    def _cell(self, row: int, column: int) -> Cell:
        return self._cells.setdefault((row, column), Cell())

    def _peek(self, row: int, column: int) -> Cell:
        return self._cells.get((row, column)) or Cell()

    def _merge_of(self, row: int, column: int):
        for area in self._merges:
            if area[0] <= row <= area[2] and area[1] <= column <= area[3]:
                return area
        return None

    # --- members
    @property
    def Name(self):  # noqa: N802
        return self._name

    @Name.setter
    def Name(self, value):  # noqa: N802
        if not value or len(value) > 31 or INVALID_SHEET_NAME.search(value) or value[0] == "'" or value[-1] == "'":
            raise win32.excel_error("工作表名称无效")
        if any(s is not self and s._name.lower() == value.lower() for s in self._book._sheets):
            raise win32.excel_error("该名称已被使用。请尝试其他名称。")
        self._name = value

    @property
    def Index(self):  # noqa: N802
        return self._book._sheets.index(self) + 1

    @property
    def Parent(self):  # noqa: N802
        return self._book

    @property
    def Visible(self):  # noqa: N802
        return self._visible

    @Visible.setter
    def Visible(self, value):  # noqa: N802
        self._visible = value

    @property
    def Cells(self):  # noqa: N802
        return Range(self, [(1, 1, MAX_ROWS, MAX_COLUMNS)])

    def Range(self, Cell1, Cell2=None):  # noqa: N802,N803
        first = self._resolve(Cell1)
        if Cell2 is None:
            return first
        second = self._resolve(Cell2)
        areas = first._areas + second._areas
        return Range(self, [(min(a[0] for a in areas), min(a[1] for a in areas),
                             max(a[2] for a in areas), max(a[3] for a in areas))])

    def _resolve(self, reference) -> "Range":
        if isinstance(reference, Range):
            if reference._sheet is not self:
                raise win32.excel_error("引用不在此工作表上")
            return reference
        if not isinstance(reference, str):
            raise win32.com_error(win32.DISP_E_BADINDEX, "类型不匹配。", None, None)
        areas = []
        for part in reference.split(","):
            if "!" in part:
                sheet, part = part.rsplit("!", 1)
                if sheet.strip("'").replace("''", "'") != self._name:
                    raise win32.excel_error(f"引用 {reference} 不在工作表 {self._name} 上")
            ends = part.split(":")
            if len(ends) > 2:
                raise win32.excel_error(f"无效的引用: {reference}")
            top_left, bottom_right = parse_cell(ends[0]), parse_cell(ends[-1])
            areas.append((min(top_left[0], bottom_right[0]), min(top_left[1], bottom_right[1]),
                          max(top_left[0], bottom_right[0]), max(top_left[1], bottom_right[1])))
        return Range(self, areas)

    @property
    def UsedRange(self):  # noqa: N802
        keys = [key for key, cell in self._cells.items() if not cell.is_default()]
        keys += [(a[0], a[1]) for a in self._merges] + [(a[2], a[3]) for a in self._merges]
        if not keys:
            return Range(self, [(1, 1, 1, 1)])
        rows, columns = [r for r, _ in keys], [c for _, c in keys]
        return Range(self, [(min(rows), min(columns), max(rows), max(columns))])

    def Activate(self):  # noqa: N802
        if self._visible != XL_SHEET_VISIBLE:
            raise win32.excel_error("无法激活隐藏的工作表")
        self._book._active = self
        self._app._active_book = self._book

    Select = Activate

    def Delete(self):  # noqa: N802
        if self._book._protect_structure:
            raise win32.excel_error("工作簿受保护，不能更改。")
        sheets = self._book._sheets
        if len([s for s in sheets if s._visible == XL_SHEET_VISIBLE]) == 1:
            raise win32.excel_error("工作簿中至少应含有一张可视工作表。")
        if self._app._display_alerts and any(not c.is_default() for c in self._cells.values()):
            self._app._dialogs.append(f"删除工作表 {self._name}？")
        index = sheets.index(self)
        sheets.remove(self)
        if self._book._active is self:
            self._book._active = sheets[min(index, len(sheets) - 1)]
        return True

    def Move(self, Before=None, After=None):  # noqa: N802,N803
        sheets = self._book._sheets
        sheets.remove(self)
        if Before is not None:
            sheets.insert(sheets.index(Before), self)
        elif After is not None:
            sheets.insert(sheets.index(After) + 1, self)
        else:
            raise win32.excel_error("Move 需要 Before 或 After（复制到新工作簿未实现）")

    @property
    def Tab(self):  # noqa: N802
        return Tab(self)

    @property
    def PageSetup(self):  # noqa: N802
        return PageSetup(self)

    def ChartObjects(self, Index=None):  # noqa: N802,N803
        objects = ChartObjects(self)
        return objects if Index is None else ChartObjects.Item(objects, Index)


class Tab(CDispatch):
    """A worksheet's tab: Color is BGR; xlColorIndexNone when it has none."""

    def __init__(self, sheet: "Worksheet"):
        self._app = sheet._app
        self._sheet = sheet

    @property
    def Color(self):  # noqa: N802
        return False if self._sheet._tab_color is None else self._sheet._tab_color

    @Color.setter
    def Color(self, value):  # noqa: N802
        self._sheet._tab_color = int(value)

    @property
    def ColorIndex(self):  # noqa: N802
        return XL_COLOR_INDEX_NONE if self._sheet._tab_color is None else 1


class PageSetup(CDispatch):
    """A worksheet's PageSetup (VBA reference: PageSetup object). Orientation is an
    XlPageOrientation; Zoom is a percentage from 10 to 400, or False so that FitToPagesWide /
    FitToPagesTall apply; each of those is a number of pages, or False for "no limit". Excel
    refuses other values with run-time error 1004."""

    def __init__(self, sheet: "Worksheet"):
        self._app = sheet._app
        self._sheet = sheet

    def _store(self, name: str, value, valid: bool) -> None:
        if not valid:
            raise win32.excel_error(f"不能设置 PageSetup 类的 {name} 属性")
        self._sheet._page[name] = value

    @property
    def Orientation(self):  # noqa: N802
        return self._sheet._page["Orientation"]

    @Orientation.setter
    def Orientation(self, value):  # noqa: N802
        self._store("Orientation", value, value in (XL_PORTRAIT, XL_LANDSCAPE))

    @property
    def Zoom(self):  # noqa: N802
        return self._sheet._page["Zoom"]

    @Zoom.setter
    def Zoom(self, value):  # noqa: N802
        self._store("Zoom", value, value is False or (type(value) is int and 10 <= value <= 400))

    @property
    def FitToPagesWide(self):  # noqa: N802
        return self._sheet._page["FitToPagesWide"]

    @FitToPagesWide.setter
    def FitToPagesWide(self, value):  # noqa: N802
        self._store("FitToPagesWide", value, value is False or (type(value) is int and 1 <= value <= 32767))

    @property
    def FitToPagesTall(self):  # noqa: N802
        return self._sheet._page["FitToPagesTall"]

    @FitToPagesTall.setter
    def FitToPagesTall(self, value):  # noqa: N802
        self._store("FitToPagesTall", value, value is False or (type(value) is int and 1 <= value <= 32767))


# --------------------------------------------------------------------------- ranges


class Range(CDispatch):
    _IID = IID_RANGE

    def __init__(self, sheet: Worksheet, areas: list[tuple[int, int, int, int]], mode: str = "cells"):
        self._app = sheet._app
        self._sheet = sheet
        self._areas = areas
        self._mode = mode

    def _keys(self):
        for first_row, first_column, last_row, last_column in self._areas:
            for row in range(first_row, last_row + 1):
                for column in range(first_column, last_column + 1):
                    yield row, column

    def _uniform(self, read):
        values = {read(self._sheet._peek(*key)) for key in self._keys()}
        return values.pop() if len(values) == 1 else None

    def _set_each(self, write):
        for key in self._keys():
            write(self._sheet._cell(*key))

    # --- where
    @property
    def Worksheet(self):  # noqa: N802
        return self._sheet

    @property
    def Parent(self):  # noqa: N802
        return self._sheet

    @property
    def Row(self):  # noqa: N802
        return self._areas[0][0]

    @property
    def Column(self):  # noqa: N802
        return self._areas[0][1]

    @property
    def Count(self):  # noqa: N802
        first_row, first_column, last_row, last_column = self._areas[0]
        if self._mode == "rows":
            return last_row - first_row + 1
        if self._mode == "columns":
            return last_column - first_column + 1
        return sum((a[2] - a[0] + 1) * (a[3] - a[1] + 1) for a in self._areas)

    @property
    def Rows(self):  # noqa: N802
        return Range(self._sheet, self._areas, "rows")

    @property
    def Columns(self):  # noqa: N802
        return Range(self._sheet, self._areas, "columns")

    @property
    def Cells(self):  # noqa: N802
        return Range(self._sheet, self._areas)

    def Item(self, RowIndex, ColumnIndex=None):  # noqa: N802,N803
        first_row, first_column, last_row, last_column = self._areas[0]
        if self._mode == "rows" and ColumnIndex is None:
            row = first_row + RowIndex - 1
            return Range(self._sheet, [(row, first_column, row, last_column)])
        if self._mode == "columns" and ColumnIndex is None:
            column = first_column + RowIndex - 1
            return Range(self._sheet, [(first_row, column, last_row, column)])
        if ColumnIndex is None:
            width = last_column - first_column + 1
            RowIndex, ColumnIndex = (RowIndex - 1) // width + 1, (RowIndex - 1) % width + 1
        row, column = first_row + RowIndex - 1, first_column + ColumnIndex - 1
        if not (1 <= row <= MAX_ROWS and 1 <= column <= MAX_COLUMNS):
            raise win32.excel_error("下标越界")
        return Range(self._sheet, [(row, column, row, column)])

    __call__ = Item

    def Resize(self, RowSize=None, ColumnSize=None):  # noqa: N802,N803
        first_row, first_column, last_row, last_column = self._areas[0]
        rows = RowSize if RowSize is not None else last_row - first_row + 1
        columns = ColumnSize if ColumnSize is not None else last_column - first_column + 1
        return Range(self._sheet, [(first_row, first_column, first_row + rows - 1, first_column + columns - 1)])

    def Offset(self, RowOffset=0, ColumnOffset=0):  # noqa: N802,N803
        return Range(self._sheet, [(a[0] + RowOffset, a[1] + ColumnOffset, a[2] + RowOffset, a[3] + ColumnOffset)
                                   for a in self._areas])

    @property
    def Address(self):  # noqa: N802
        return Range.GetAddress(self)  # one call to Excel, not two

    def GetAddress(self, RowAbsolute=True, ColumnAbsolute=True, ReferenceStyle=1, External=False):  # noqa: N802,N803
        def one(row, column):
            return f"{'$' if ColumnAbsolute else ''}{column_letters(column)}{'$' if RowAbsolute else ''}{row}"

        parts = []
        for first_row, first_column, last_row, last_column in self._areas:
            text = one(first_row, first_column)
            if (first_row, first_column) != (last_row, last_column):
                text += ":" + one(last_row, last_column)
            parts.append(text)
        prefix = f"[{self._sheet._book._name}]{self._sheet._name}!" if External else ""
        return prefix + ",".join(parts)

    # --- values
    def _read(self, cell: Cell, raw: bool):
        if cell.formula is not None:
            return XL_ERROR_NAME  # the assistant's texts are never meant as formulas
        value = cell.value
        if isinstance(value, dt.datetime):
            if raw:
                return (value - EXCEL_EPOCH) / dt.timedelta(days=1)
            return win32.TimeType(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                  value.microsecond, tzinfo=win32.UTC)
        return value

    def _get_value(self, raw: bool):
        first_row, first_column, last_row, last_column = self._areas[0]
        grid = tuple(tuple(self._read(self._sheet._peek(r, c), raw) for c in range(first_column, last_column + 1))
                     for r in range(first_row, last_row + 1))
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid

    def _set_value(self, data) -> None:
        first_row, first_column, last_row, last_column = self._areas[0]
        if isinstance(data, (list, tuple)):
            rows = [list(row) if isinstance(row, (list, tuple)) else [row] for row in data] \
                if data and isinstance(data[0], (list, tuple)) else [list(data)]
        else:
            rows = None
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                if rows is None:
                    value = data
                else:
                    r, c = row - first_row, column - first_column
                    value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
                    if r >= len(rows) or c >= len(rows[r]):
                        cell = self._sheet._cell(row, column)
                        cell.value, cell.formula = XL_ERROR_NA, None  # Excel fills the rest with #N/A
                        continue
                cell = self._sheet._cell(row, column)
                cell.value, cell.formula, cell.number_format, cell.prefix = typed_value(value, cell.number_format)

    @property
    def Value(self):  # noqa: N802
        return self._get_value(raw=False)

    @Value.setter
    def Value(self, data):  # noqa: N802
        self._set_value(data)

    @property
    def Value2(self):  # noqa: N802
        return self._get_value(raw=True)

    @Value2.setter
    def Value2(self, data):  # noqa: N802
        self._set_value(data)

    # --- formats
    @property
    def NumberFormat(self):  # noqa: N802
        return self._uniform(lambda cell: cell.number_format)

    @NumberFormat.setter
    def NumberFormat(self, value):  # noqa: N802
        self._set_each(lambda cell: setattr(cell, "number_format", value))

    @property
    def WrapText(self):  # noqa: N802
        return self._uniform(lambda cell: cell.wrap)

    @WrapText.setter
    def WrapText(self, value):  # noqa: N802
        self._set_each(lambda cell: setattr(cell, "wrap", bool(value)))

    @property
    def Font(self):  # noqa: N802
        return Font(self)

    @property
    def Interior(self):  # noqa: N802
        return Interior(self)

    @property
    def ColumnWidth(self):  # noqa: N802
        first_column, last_column = self._areas[0][1], self._areas[0][3]
        widths = {self._sheet._widths.get(c, STANDARD_WIDTH) for c in range(first_column, last_column + 1)}
        return widths.pop() if len(widths) == 1 else None

    @ColumnWidth.setter
    def ColumnWidth(self, value):  # noqa: N802
        if not 0 <= value <= 255:
            raise win32.excel_error("列宽必须在 0 到 255 之间")
        for first_row, first_column, last_row, last_column in self._areas:
            for column in range(first_column, last_column + 1):
                self._sheet._widths[column] = float(value)

    @property
    def RowHeight(self):  # noqa: N802
        first_row, last_row = self._areas[0][0], self._areas[0][2]
        heights = {self._sheet._heights.get(r, STANDARD_HEIGHT) for r in range(first_row, last_row + 1)}
        return heights.pop() if len(heights) == 1 else None

    @RowHeight.setter
    def RowHeight(self, value):  # noqa: N802
        if not 0 <= value <= 409:
            raise win32.excel_error("行高必须在 0 到 409 之间")
        for first_row, _, last_row, _ in self._areas:
            for row in range(first_row, last_row + 1):
                self._sheet._heights[row] = float(value)

    @property
    def Left(self):  # noqa: N802
        return sum(_points(self._sheet._widths.get(c, STANDARD_WIDTH)) for c in range(1, self._areas[0][1]))

    @property
    def Top(self):  # noqa: N802
        return sum(self._sheet._heights.get(r, STANDARD_HEIGHT) for r in range(1, self._areas[0][0]))

    @property
    def Width(self):  # noqa: N802
        first_column, last_column = self._areas[0][1], self._areas[0][3]
        return sum(_points(self._sheet._widths.get(c, STANDARD_WIDTH))
                   for c in range(first_column, last_column + 1))

    @property
    def Height(self):  # noqa: N802
        first_row, last_row = self._areas[0][0], self._areas[0][2]
        return sum(self._sheet._heights.get(r, STANDARD_HEIGHT) for r in range(first_row, last_row + 1))

    # --- merging
    def Merge(self, Across=False):  # noqa: N802,N803
        targets = []
        for first_row, first_column, last_row, last_column in self._areas:
            if Across:
                targets += [(row, first_column, row, last_column) for row in range(first_row, last_row + 1)]
            else:
                targets.append((first_row, first_column, last_row, last_column))
        for area in targets:
            if area[0] == area[2] and area[1] == area[3]:
                continue
            lost = [(r, c) for r in range(area[0], area[2] + 1) for c in range(area[1], area[3] + 1)
                    if (r, c) != (area[0], area[1]) and self._sheet._peek(r, c).value is not None]
            if lost and self._app._display_alerts:
                self._app._dialogs.append("合并单元格时，仅保留左上角的值，而放弃其他值。")
            for key in lost:
                self._sheet._cells[key].value = None
            self._sheet._merges = [m for m in self._sheet._merges if not _overlaps(m, area)] + [area]

    def UnMerge(self):  # noqa: N802
        for area in self._areas:
            self._sheet._merges = [m for m in self._sheet._merges if not _overlaps(m, area)]

    @property
    def MergeCells(self):  # noqa: N802
        states = {self._sheet._merge_of(*key) is not None for key in self._keys()}
        return states.pop() if len(states) == 1 else None

    @property
    def MergeArea(self):  # noqa: N802
        first_row, first_column, last_row, last_column = self._areas[0]
        area = self._sheet._merge_of(first_row, first_column)
        if area is None or last_row > area[2] or last_column > area[3]:
            return self
        return Range(self._sheet, [area])

    # --- links
    @property
    def Hyperlinks(self):  # noqa: N802
        return Hyperlinks(self)


def _overlaps(a, b) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def _points(width_in_characters: float) -> float:
    """Column width in points for Calibri 11 (7 pixels a character, 5 of padding, 0.75 pt/px)."""
    return (width_in_characters * 7 + 5) * 0.75 if width_in_characters else 0.0



class Font(CDispatch):
    def __init__(self, range_: Range):
        self._app = range_._app
        self._range = range_

    def _attribute(attribute, convert=lambda v: v):  # noqa: N805
        return property(lambda self: self._range._uniform(lambda cell: getattr(cell, attribute)),
                        lambda self, value: self._range._set_each(lambda cell: setattr(cell, attribute,
                                                                                      convert(value))))

    Bold = _attribute("bold", bool)
    Italic = _attribute("italic", bool)
    Size = _attribute("size", float)
    Color = _attribute("font_color", int)
    del _attribute


class Interior(CDispatch):
    def __init__(self, range_: Range):
        self._app = range_._app
        self._range = range_

    @property
    def Color(self):  # noqa: N802
        return self._range._uniform(lambda cell: 0xFFFFFF if cell.fill is None else cell.fill)

    @Color.setter
    def Color(self, value):  # noqa: N802
        self._range._set_each(lambda cell: setattr(cell, "fill", int(value)))

    @property
    def ColorIndex(self):  # noqa: N802
        return self._range._uniform(lambda cell: XL_COLOR_INDEX_NONE if cell.fill is None else 1)

    @ColorIndex.setter
    def ColorIndex(self, value):  # noqa: N802
        if value != XL_COLOR_INDEX_NONE:
            raise win32.excel_error("只模拟了 xlColorIndexNone")
        self._range._set_each(lambda cell: setattr(cell, "fill", None))


class Hyperlinks(CDispatch):
    def __init__(self, range_: Range):
        self._app = range_._app
        self._range = range_

    def _inside(self):
        keys = set(self._range._keys())
        return [link for key, link in sorted(self._range._sheet._links.items()) if key in keys]

    @property
    def Count(self):  # noqa: N802
        return len(self._inside())

    def Item(self, Index):  # noqa: N802,N803
        links = self._inside()
        if not 1 <= Index <= len(links):
            raise win32.com_error(win32.DISP_E_BADINDEX, "无效索引。", None, None)
        return links[Index - 1]

    __call__ = Item

    def Add(self, Anchor, Address, SubAddress=None, ScreenTip=None, TextToDisplay=None):  # noqa: N802,N803
        if not isinstance(Anchor, Range):
            raise win32.excel_error("Anchor 必须是 Range")
        key = Anchor._areas[0][:2]
        link = Hyperlink(Anchor._sheet, key, Address, SubAddress)
        Anchor._sheet._links[key] = link
        if ScreenTip is not None:
            link._screen_tip = ScreenTip
        if TextToDisplay is not None:
            Hyperlink.TextToDisplay.fset(link, TextToDisplay)
        return link


class Hyperlink(CDispatch):
    def __init__(self, sheet: Worksheet, key, address, sub_address):
        self._app = sheet._app
        self._sheet = sheet
        self._key = key
        self._address = address
        self._sub_address = sub_address or ""
        self._screen_tip = ""

    @property
    def Address(self):  # noqa: N802
        return self._address

    @property
    def SubAddress(self):  # noqa: N802
        return self._sub_address

    @property
    def ScreenTip(self):  # noqa: N802
        return self._screen_tip

    @ScreenTip.setter
    def ScreenTip(self, value):  # noqa: N802
        self._screen_tip = value

    @property
    def TextToDisplay(self):  # noqa: N802
        value = self._sheet._peek(*self._key).value
        return "" if value is None else str(value)

    @TextToDisplay.setter
    def TextToDisplay(self, value):  # noqa: N802
        # The shown text becomes the cell's value, taken as if typed, as Value takes it: Excel
        # re-types "007" as 7 (and "2026-3-5" as a date) unless the cell is formatted as text.
        cell = self._sheet._cell(*self._key)
        cell.value, cell.formula, cell.number_format, cell.prefix = typed_value(str(value), cell.number_format)

    @property
    def Range(self):  # noqa: N802
        return Range(self._sheet, [(*self._key, *self._key)])


# --------------------------------------------------------------------------- charts


CHART_TYPES = {5: "xlPie", 51: "xlColumnClustered", 52: "xlColumnStacked", 57: "xlBarClustered", 58: "xlBarStacked",
               4: "xlLine", 65: "xlLineMarkers"}


class ChartObjects(CDispatch):
    def __init__(self, sheet: Worksheet):
        self._app = sheet._app
        self._sheet = sheet

    @property
    def Count(self):  # noqa: N802
        return len(self._sheet._charts)

    def Item(self, Index):  # noqa: N802,N803
        for position, chart in enumerate(self._sheet._charts, 1):
            if Index == position or Index == chart._name:
                return chart
        raise win32.com_error(win32.DISP_E_BADINDEX, "无效索引。", None, None)

    __call__ = Item

    def __iter__(self):
        return iter(list(self._sheet._charts))

    def Add(self, Left, Top, Width, Height):  # noqa: N802,N803
        if Width <= 0 or Height <= 0:
            raise win32.excel_error("图表大小无效")
        chart = ChartObject(self._sheet, f"图表 {len(self._sheet._charts) + 1}", Left, Top, Width, Height)
        self._sheet._charts.append(chart)
        return chart


class ChartObject(CDispatch):
    def __init__(self, sheet: Worksheet, name: str, left, top, width, height):
        self._app = sheet._app
        self._sheet = sheet
        self._name = name
        self._box = {"Left": left, "Top": top, "Width": width, "Height": height}
        self._chart = Chart(self)

    @property
    def Name(self):  # noqa: N802
        return self._name

    @Name.setter
    def Name(self, value):  # noqa: N802
        self._name = value

    def _box_property(name):  # noqa: N805
        return property(lambda self: self._box[name], lambda self, value: self._box.__setitem__(name, value))

    Left = _box_property("Left")
    Top = _box_property("Top")
    Width = _box_property("Width")
    Height = _box_property("Height")
    del _box_property

    @property
    def Chart(self):  # noqa: N802
        return self._chart

    @property
    def Parent(self):  # noqa: N802
        return self._sheet

    def Delete(self):  # noqa: N802
        self._sheet._charts.remove(self)


class Chart(CDispatch):
    def __init__(self, holder: ChartObject):
        self._app = holder._app
        self._holder = holder
        self._type = 51  # xlColumnClustered, Excel's default
        self._source: Range | None = None
        self._plot_by = None
        self._has_title = False
        self._title = ChartTitle(self)
        self._style = 201

    @property
    def ChartType(self):  # noqa: N802
        return self._type

    @ChartType.setter
    def ChartType(self, value):  # noqa: N802
        if value not in CHART_TYPES:
            raise win32.excel_error(f"图表类型 {value} 未模拟")
        self._type = value

    def SetSourceData(self, Source, PlotBy=None):  # noqa: N802,N803
        if not isinstance(Source, Range):
            raise win32.excel_error("Source 必须是 Range")
        self._source, self._plot_by = Source, PlotBy

    @property
    def HasTitle(self):  # noqa: N802
        return self._has_title

    @HasTitle.setter
    def HasTitle(self, value):  # noqa: N802
        self._has_title = bool(value)

    @property
    def ChartTitle(self):  # noqa: N802
        if not self._has_title:
            raise win32.excel_error("无法取得 Chart 类的 ChartTitle 属性")
        return self._title

    @property
    def ChartStyle(self):  # noqa: N802
        return self._style

    @ChartStyle.setter
    def ChartStyle(self, value):  # noqa: N802
        if not (1 <= value <= 48 or 201 <= value <= 352):
            raise win32.excel_error("图表样式无效")
        self._style = value

    @property
    def Parent(self):  # noqa: N802
        return self._holder


class ChartTitle(CDispatch):
    def __init__(self, chart: Chart):
        self._app = chart._app
        self._text = ""

    @property
    def Text(self):  # noqa: N802
        return self._text

    @Text.setter
    def Text(self, value):  # noqa: N802
        self._text = value


# --------------------------------------------------------------------------- loading


def new_excel(full_name: str = r"C:\台账\ledger.xlsx") -> tuple[Application, Workbook]:
    app = Application()
    return app, app._add_book(full_name)


def put_grid(sheet: Worksheet, grid, first_row: int = 1, first_column: int = 1) -> None:
    """Cell values as a user's typing left them (no COM calls counted)."""
    for row_offset, row in enumerate(grid):
        for column_offset, value in enumerate(row):
            if value is None or value == "":
                continue
            cell = sheet._cell(first_row + row_offset, first_column + column_offset)
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = dt.datetime(value.year, value.month, value.day)
            cell.value = float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def load_file(path, full_name: str | None = None) -> tuple[Application, Workbook]:
    """Excel with a workbook file open: every sheet's values and merged areas as saved
    (read with openpyxl; a merged area's value sits in its upper-left cell, as in Excel)."""
    import openpyxl

    source = openpyxl.load_workbook(path, data_only=True)
    app, book = new_excel(full_name or "C:\\台账\\" + str(path).replace("\\", "/").rsplit("/", 1)[-1])
    for source_sheet in source.worksheets:
        sheet = book._add_sheet(source_sheet.title)
        for row in source_sheet.iter_rows():
            for cell in row:
                if cell.value is not None and cell.value != "":
                    put_grid(sheet, [[cell.value]], cell.row, cell.column)
        sheet._merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in source_sheet.merged_cells.ranges]
    return app, book
