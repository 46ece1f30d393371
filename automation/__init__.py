"""The proposal-handling ledger assistant (办理台账助手).

Reads the Excel ledger of CPPCC proposals and deputies' suggestions, flags overdue and
due-soon items, computes the statistics, and fills summary sheets inside the workbook.
"""

__version__ = "0.1.0"
