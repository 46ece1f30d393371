"""The Win32/COM layer xlwings' Windows backend imports, replaced so that it loads on Linux.

Only what ``xlwings/_xlwindows.py`` imports is provided, with pywin32's shapes: ``com_error``
carries (hresult, text, excepinfo, argerror) and ``.hresult``; dates cross COM as
``pywintypes.TimeType`` (a datetime subclass with a time zone); ``win32com.client.CDispatch``
is the class of every COM object (the stand-in's objects derive from it), so xlwings wraps them
in its retry wrapper exactly as it wraps pywin32's.

``load_xlwindows()`` puts these modules into ``sys.modules`` only while importing the backend,
then takes them out again, so no other code sees a fake pywin32.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import sys
import types

# HRESULTs as pywin32 reports them (signed 32-bit).
DISP_E_UNKNOWNNAME = -2147352570
DISP_E_EXCEPTION = -2147352567
DISP_E_BADINDEX = -2147352565
RPC_E_CALL_REJECTED = -2147418111
#: The scode of Excel's run-time error 1004 (0x800A03EC), what a failed Excel method reports.
XL_ERROR_1004 = -2146827284


class com_error(Exception):  # noqa: N801 - pywin32's name
    """pywintypes.com_error: args are (hresult, strerror, excepinfo, argerror)."""

    def __init__(self, hresult: int, strerror: str = "", excepinfo=None, argerror=None):
        super().__init__(hresult, strerror, excepinfo, argerror)
        self.hresult = hresult
        self.strerror = strerror
        self.excepinfo = excepinfo
        self.argerror = argerror


def excel_error(description: str) -> com_error:
    """What pywin32 raises when an Excel method fails: DISP_E_EXCEPTION with Excel's scode
    (not the busy codes xlwings retries)."""
    return com_error(DISP_E_EXCEPTION, "发生意外。", (0, "Microsoft Excel", description, "xlmain11.chm", 0,
                                                       XL_ERROR_1004), None)


class TimeType(dt.datetime):
    """pywintypes.TimeType: what COM hands back for a date (always with a time zone)."""


class _UTC(dt.tzinfo):
    def utcoffset(self, _):
        return dt.timedelta(0)

    def dst(self, _):
        return dt.timedelta(0)

    def tzname(self, _):
        return "Coordinated Universal Time"


UTC = _UTC()


class _TimeZoneInfo:
    @staticmethod
    def utc():
        return UTC


class _Unreachable:
    """A Win32 function the tests never reach (window handles, processes, DLLs)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, item):
        return _Unreachable(f"{self._name}.{item}")

    def __call__(self, *args, **kwargs):
        raise OSError(f"{self._name} is not available off Windows (called with {args!r})")


class _Ole32:
    @staticmethod
    def CLSIDFromString(text, guid_ref):  # noqa: N802 - the Win32 name
        return 0  # called at import time for IDispatch's GUID; the value is never used here


class _OleAcc:
    @staticmethod
    def AccessibleObjectFromWindow(hwnd, object_id, iid_ref, pointer_ref):  # noqa: N802
        return 0


class _OleDll:
    ole32 = _Ole32()
    oleacc = _OleAcc()


#: Window-manager calls xlwings makes (App.activate brings Excel's window forward).
WINDOW_CALLS: list[tuple] = []


class _User32:
    @staticmethod
    def GetForegroundWindow():  # noqa: N802
        return 4242  # Excel's own window: the user just clicked its ribbon

    @staticmethod
    def SetForegroundWindow(hwnd):  # noqa: N802
        WINDOW_CALLS.append(("SetForegroundWindow", hwnd))
        return 1

    @staticmethod
    def SetWindowPos(*args):  # noqa: N802
        WINDOW_CALLS.append(("SetWindowPos", *args))
        return 1


class _WinDll:
    user32 = _User32()


class _PyDLL:
    def __init__(self, path):
        self.PyCom_PyObjectFromIUnknown = _Unreachable("PyCom_PyObjectFromIUnknown")


#: Message boxes shown through win32api.MessageBox: (hwnd, text, caption, style).
MESSAGE_BOXES: list[tuple] = []


def _message_box(hwnd, text, caption, style):
    MESSAGE_BOXES.append((hwnd, text, caption, style))
    return 1  # IDOK


def _modules() -> dict[str, types.ModuleType]:
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = com_error
    pywintypes.error = type("error", (Exception,), {})
    pywintypes.TimeType = TimeType
    pywintypes.IID = lambda text: text.upper()

    pythoncom = types.ModuleType("pythoncom")
    pythoncom.__file__ = "pythoncom311.dll"
    pythoncom.com_error = com_error
    pythoncom.ole_error = com_error
    pythoncom.CoInitialize = lambda: None
    pythoncom.DISPATCH_METHOD = 1
    pythoncom.DISPATCH_PROPERTYGET = 2
    pythoncom.DISPATCH_PROPERTYPUT = 4
    pythoncom.new = _Unreachable("pythoncom.new")

    win32api = types.ModuleType("win32api")
    win32api.MessageBox = _message_box
    for name in ("OpenProcess", "TerminateProcess", "CloseHandle"):
        setattr(win32api, name, _Unreachable(f"win32api.{name}"))

    win32con = types.ModuleType("win32con")
    # winuser.h values
    win32con.MB_OK, win32con.MB_OKCANCEL, win32con.MB_YESNOCANCEL, win32con.MB_YESNO = 0, 1, 3, 4
    win32con.MB_ICONWARNING, win32con.MB_ICONINFORMATION = 0x30, 0x40

    win32gui = types.ModuleType("win32gui")
    win32gui.FindWindowEx = lambda parent, after, class_name, title: 4243  # XLDESK / EXCEL7 exist
    win32process = types.ModuleType("win32process")
    win32process.GetWindowThreadProcessId = lambda hwnd: (1, 4242)
    win32timezone = types.ModuleType("win32timezone")
    win32timezone.TimeZoneInfo = _TimeZoneInfo

    from tests.excel_com import excel_model

    win32com = types.ModuleType("win32com")
    win32com.__path__ = []
    client = types.ModuleType("win32com.client")
    client.CDispatch = excel_model.CDispatch
    client.DispatchBaseClass = type("DispatchBaseClass", (), {})
    client.CoClassBaseClass = type("CoClassBaseClass", (), {})
    client.Dispatch = _Unreachable("win32com.client.Dispatch")
    client.DispatchEx = _Unreachable("win32com.client.DispatchEx")
    dynamic = types.ModuleType("win32com.client.dynamic")
    dynamic.CDispatch = excel_model.CDispatch
    client.dynamic = dynamic
    win32com.client = client
    return {
        "pywintypes": pywintypes, "pythoncom": pythoncom, "win32api": win32api, "win32con": win32con,
        "win32gui": win32gui, "win32process": win32process, "win32timezone": win32timezone,
        "win32com": win32com, "win32com.client": client, "win32com.client.dynamic": dynamic,
    }


def load_xlwindows(com_attempts: int = 1):
    """Import xlwings' real Windows backend over the fake Win32 layer; returns the module.

    ``com_attempts`` bounds xlwings' retries (its default, 0, retries a failing COM call
    forever, which in a test would hang instead of failing)."""
    name = "xlwings._xlwindows"
    if name in sys.modules:
        module = sys.modules[name]
        module.N_COM_ATTEMPTS = com_attempts
        return module
    fakes = _modules()
    saved = {key: sys.modules.get(key) for key in fakes}
    ctypes_saved = {key: getattr(ctypes, key, None) for key in ("windll", "oledll", "PyDLL")}
    sys.modules.update(fakes)
    ctypes.windll = _WinDll()
    ctypes.oledll = _OleDll()
    ctypes.PyDLL = _PyDLL
    try:
        module = importlib.import_module(name)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
        for key, value in ctypes_saved.items():
            if value is None:
                delattr(ctypes, key)
            else:
                setattr(ctypes, key, value)
    module.N_COM_ATTEMPTS = com_attempts
    return module
