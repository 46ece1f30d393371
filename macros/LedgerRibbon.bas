Attribute VB_Name = "LedgerRibbon"
' Ledger assistant (tai zhang zhu shou): the Excel side of the `automation` package.
'
' The ribbon tab (customUI.xml / customUI14.xml) calls the three callbacks below; each one
' runs one Python function through xlwings' RunPython, on the active workbook (the ledger).
' Procedure names are ASCII on purpose; the Chinese labels live in the ribbon XML, and the
' Chinese message below is built from code points so that this file stays pure ASCII and
' does not depend on the code page of the VBA project it is imported into.
'
' Offices that do not install the add-in can import this module into a workbook, together
' with the xlwings VBA module (or a reference to the xlwings add-in), and assign the
' parameterless macros RunLedgerRefresh / RunLedgerCheck / RunLedgerReport to buttons.
' The ribbon callbacks need the "Microsoft Office xx.0 Object Library" reference
' (IRibbonControl), which Excel workbooks have by default.
Option Explicit

' ---- Ribbon callbacks (onAction="LedgerRibbon.<name>") ----

Public Sub LedgerRefresh(control As IRibbonControl)
    RunLedgerRefresh
End Sub

Public Sub LedgerCheck(control As IRibbonControl)
    RunLedgerCheck
End Sub

Public Sub LedgerReport(control As IRibbonControl)
    RunLedgerReport
End Sub

' ---- Macros without arguments (for buttons, Alt+F8, Application.Run) ----

Public Sub RunLedgerRefresh()
    If Not LedgerIsOpen() Then Exit Sub
    RunPython "import automation.excel; automation.excel.refresh()"
End Sub

Public Sub RunLedgerCheck()
    If Not LedgerIsOpen() Then Exit Sub
    RunPython "import automation.excel; automation.excel.check()"
End Sub

Public Sub RunLedgerReport()
    If Not LedgerIsOpen() Then Exit Sub
    RunPython "import automation.excel; automation.excel.report()"
End Sub

' ---- Helpers ----

Private Function LedgerIsOpen() As Boolean
    ' RunPython works on the active workbook; an add-in alone never is one.
    If ActiveWorkbook Is Nothing Then
        ' "Please open the handling ledger workbook first, then click this button."
        MsgBox Zh("8BF7 5148 6253 5F00 529E 7406 53F0 8D26 5DE5 4F5C 7C3F FF0C 518D 70B9 51FB 6B64 6309 94AE 3002"), _
               vbExclamation, Zh("53F0 8D26 52A9 624B")
        LedgerIsOpen = False
    Else
        LedgerIsOpen = True
    End If
End Function

Private Function Zh(ByVal codes As String) As String
    ' Text from space-separated UTF-16 code units in hex (ChrW takes -32768..65535).
    Dim unit As Variant
    For Each unit In Split(codes, " ")
        Zh = Zh & ChrW(CLng("&H" & unit))
    Next unit
End Function
