"""Build `ledger_template.xlsx`: the ledger staff start from.

The template carries the live flags itself: conditional formatting with TODAY() colours
overdue rows red and due-soon rows amber in Excel and WPS, so no ledger cell is ever written
by Python. Built with openpyxl (a new file, nothing of the user's to preserve), then made
reproducible (fixed timestamps) so the committed file can be compared with a fresh build.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from automation.config import Config, TimeLimit

LEDGER_SHEET = "台账"
GUIDE_SHEET = "填写说明"
TITLE = "提案建议办理台账"
FIRST_DATA_ROW = 3
LAST_FORMATTED_ROW = 2000
FIXED_TIME = (2024, 1, 1, 0, 0, 0)

#: (column key, width, help text for 填写说明, drop-down values or None)
TEMPLATE_COLUMNS = [
    ("seq", 6, "序号，可不填。", None),
    ("id", 14, "提案或建议的编号，如 TA2024001。必填，不应重复（分办件可重复）。", None),
    ("kind", 10, "政协提案 或 人大建议。", ["政协提案", "人大建议"]),
    ("title", 36, "案由（提案或建议的标题）。必填。", None),
    ("proposer", 12, "提案人 / 领衔代表。", None),
    ("role", 10, "主办、协办、会办或分办。必填，决定默认办理时限。", ["主办", "协办", "会办", "分办"]),
    ("key_item", 9, "是否为重点提案（是 / 否）。", ["是", "否"]),
    ("lead_unit", 14, "协办件填写主办单位。", None),
    ("section", 14, "承办科室。必填。", None),
    ("handler", 10, "承办人（接收提醒的人）。", None),
    ("leader", 10, "分管领导（逾期较久时接收督办提醒）。", None),
    ("topic", 12, "所属领域，如 电子商务、企业创新。", None),
    ("assigned", 12, "交办日期。可写 2024-3-5、2024/03/05、2024年3月5日。", None),
    ("deadline", 12, "办理时限。留空则按交办日期加默认时限计算（主办 3 个月，协办 1 个月）。", None),
    ("status", 12, "未办理、办理中、已初步答复、已答复、已办结。", ["未办理", "办理中", "已初步答复", "已答复", "已办结"]),
    ("replied", 12, "正式答复日期（协办件为协办意见送达主办单位的日期）。", None),
    ("reply_class", 9, "A 已解决或基本解决；B 正在解决或列入计划；C 暂时难以解决。", ["A", "B", "C"]),
    ("contact", 12, "与提案人的沟通方式。", ["电话联系", "见面座谈", "实地调研", "书面"]),
    ("satisfaction", 10, "提案人测评结果。", ["满意", "基本满意", "不满意"]),
    ("public", 9, "答复是否公开。", ["是", "否"]),
    ("note", 20, "备注。", None),
]
DATE_KEYS = ("assigned", "deadline", "replied")


def _limit_formula(start: str, limit: TimeLimit) -> str:
    if limit.unit == "months":
        return f"EDATE({start},{limit.amount})"
    if limit.unit == "workdays":
        return f"WORKDAY({start},{limit.amount})"
    return f"({start}+{limit.amount})"


def flag_formulas(config: Config) -> tuple[str, str]:
    """The conditional-formatting formulas (for row 3) for overdue and due-soon rows."""
    letters = {key: _letter(index) for index, (key, *_rest) in enumerate(TEMPLATE_COLUMNS)}
    row = FIRST_DATA_ROW
    ref = {key: f"${letter}{row}" for key, letter in letters.items()}
    assisting = config.assisting_roles[0] if config.assisting_roles else "协办"
    lead_limit = config.time_limits.get(config.lead_roles[0]) if config.lead_roles else TimeLimit(3, "months")
    assist_limit = config.time_limits.get(assisting, TimeLimit(1, "months"))
    computed = (f'IF({ref["role"]}="{assisting}",{_limit_formula(ref["assigned"], assist_limit)},'
                f'{_limit_formula(ref["assigned"], lead_limit)})')
    deadline = f'IF({ref["deadline"]}<>"",{ref["deadline"]},IF({ref["assigned"]}<>"",{computed},""))'
    statuses = ",".join(f'{ref["status"]}="{status}"' for status in config.completed_statuses)
    done = f'OR(AND({ref["replied"]}<>"",{ref["replied"]}<=TODAY()),{statuses})'
    open_item = f'AND({ref["id"]}<>"",NOT({done}),{deadline}<>""'
    overdue = f"{open_item},{deadline}<TODAY())"
    due_soon = f"{open_item},{deadline}>=TODAY(),{deadline}-TODAY()<={config.warn_days})"
    return overdue, due_soon


def _letter(index: int) -> str:
    from automation.model import column_letter

    return column_letter(index + 1)


def build_template(config: Config | None = None) -> bytes:
    """The template workbook as bytes, reproducible byte for byte."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    config = config or Config()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET
    last = _letter(len(TEMPLATE_COLUMNS) - 1)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    thin = Side(style="thin", color="999999")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, (key, width, _help, choices) in enumerate(TEMPLATE_COLUMNS):
        letter = _letter(index)
        cell = sheet[f"{letter}2"]
        cell.value = config.columns[key][0]
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        sheet.column_dimensions[letter].width = width
        if key in DATE_KEYS:
            for row in range(FIRST_DATA_ROW, LAST_FORMATTED_ROW + 1):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
        if choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                        showErrorMessage=True, errorTitle="输入有误",
                                        error="请从下拉列表中选择：" + "、".join(choices))
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_FORMATTED_ROW}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.auto_filter.ref = f"A2:{last}{LAST_FORMATTED_ROW}"
    overdue, due_soon = flag_formulas(config)
    area = f"A{FIRST_DATA_ROW}:{last}{LAST_FORMATTED_ROW}"
    sheet.conditional_formatting.add(area, FormulaRule(formula=[overdue], fill=PatternFill("solid", bgColor="FFC7CE"),
                                                       stopIfTrue=True))
    sheet.conditional_formatting.add(area, FormulaRule(formula=[due_soon], fill=PatternFill("solid", bgColor="FFEB9C")))
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"

    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.append(["列名", "填写说明"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for key, _width, help_text, _choices in TEMPLATE_COLUMNS:
        guide.append([config.columns[key][0], help_text])
    guide.append([])
    guide.append(["提示", "逾期的行自动显示为红色，7 天内到期的行显示为黄色（打开文件时按当天日期计算）。"])
    guide.append(["提示", "统计汇总、科室统计、逾期清单、即将到期、数据问题 等工作表由台账助手生成，每次刷新时整体替换，请勿在其中录入。"])
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 90
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue())


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a package with fixed timestamps (zip entries and docProps/core.xml)."""
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", content)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_template(path: Path, config: Config | None = None) -> None:
    """Write the template to a file."""
    path.write_bytes(build_template(config))
