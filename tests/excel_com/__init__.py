"""Excel's COM object model under xlwings' real Windows backend (``xlwings._xlwindows``).

Excel does not run on Linux. What stands in for it here is kept from drifting from the
vendors: the Python side is xlwings' own Windows code, loaded unchanged; only the Win32/COM
layer below it (pywin32's modules and ``ctypes.windll``) is replaced (``win32.py``), and under
that sits a stand-in of Excel's object model (``excel_model.py``) whose members are named as
Excel's VBA reference names them. A member Excel does not have raises, as pywin32 does.
"""

from __future__ import annotations


def xlwings_book(workbook):
    """An ``xlwings.Book`` driving the stand-in workbook through ``xlwings._xlwindows``, wrapped
    in xlwings' COM retry wrapper as xlwings wraps what pywin32 hands it."""
    import xlwings

    from tests.excel_com.win32 import load_xlwindows

    backend = load_xlwindows()
    return xlwings.Book(impl=backend.Book(xl=backend.COMRetryObjectWrapper(workbook)))
