"""Every string a user reads, in one place (Chinese), so it can be changed or translated.

Code and identifiers are English; whatever reaches a clerk's screen, a sheet, a message box
or a report is defined here and formatted with str.format.
"""

# --- configuration -------------------------------------------------------------------
CONFIG_BAD_TIME_LIMIT = "配置错误：时限“{value}”无法识别，请写成“3个月”“30天”或“15个工作日”。"
CONFIG_UNKNOWN_COLUMN_KEY = "配置错误：[columns] 中的“{key}”不是已知的列键。可用的列键：{keys}。"
CONFIG_UNREADABLE = "无法读取配置文件 {path}：{error}"
CONFIG_SYNTAX = "配置文件 {path} 格式有误：{error}"
CONFIG_USED = "使用配置文件：{path}"
CONFIG_DEFAULTS = "未找到 config.ini，使用内置默认设置。"

# --- fatal input -----------------------------------------------------------------------
FATAL_PREFIX = "错误："
FILE_NOT_FOUND = "找不到文件“{path}”。请检查路径和文件名。"
NOT_A_WORKBOOK = "“{path}”不是 Excel 工作簿（无法按 .xlsx/.xlsm/.xls 打开）。请确认文件没有被改名，并用 Excel 另存为 .xlsx 后重试。"
DAMAGED_WORKBOOK = "“{path}”已损坏，无法读取（{detail}）。请用 Excel 打开并“另存为”一份新文件，或从备份恢复。"
ENCRYPTED_WORKBOOK = "“{path}”设置了打开密码（已加密），本助手无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重试。"
SHEET_NOT_FOUND = "工作簿中没有名为“{sheet}”的工作表。现有工作表：{sheets}。请在 config.ini 的 [ledger] sheet 中填写正确的表名。"
NO_LEDGER_SHEET = "在工作簿的各工作表（{sheets}）中都没有找到台账表头（如“编号”“案由”“办理类型”“承办科室”）。请确认台账在这个文件里，或在 config.ini 的 [columns] 中补充表头同义词。"
NO_HEADER_ROW = "工作表“{sheet}”的前 {rows} 行中找不到台账表头行（如“编号”“案由”“办理类型”“承办科室”）。"
MISSING_COLUMNS = "工作表“{sheet}”第 {row} 行的表头中缺少必需的列：{columns}。"
MISSING_COLUMN_HINT = "  · “{header}”：最接近的现有表头是 {closest}。如果就是这一列，请在 config.ini 的 [columns] 中写：{key} = {header}, {suggestion}"
MISSING_COLUMN_NO_HINT = "  · “{header}”：没有相近的表头。请在台账中增加这一列。"
SHEET_CHOSEN = "未指定工作表，使用表头匹配的第一个工作表“{sheet}”。"
UNEXPECTED = "出现意外错误：{error}。详细信息已写入日志 {log}。"

# --- row problems (数据问题) -------------------------------------------------------------
BAD_DATE = "无法识别的日期"
DATE_OUT_OF_RANGE = "日期超出合理范围"
MISSING_VALUE = "必填项为空"
UNKNOWN_ROLE = "无法识别的办理类型（应为：{allowed}）"
UNKNOWN_KIND = "无法识别的类别（应为：{allowed}）"
UNKNOWN_STATUS = "无法识别的办理状态（应为：{allowed}）"
UNKNOWN_SATISFACTION = "无法识别的满意度（应为：{allowed}）"
UNKNOWN_REPLY_CLASS = "无法识别的答复类别（应为：{allowed}）"
COMPLETED_WITHOUT_DATE = "办理状态为“{status}”但没有答复日期"
REPLY_AFTER_TODAY = "答复日期晚于统计日期 {today}，按未办结统计"
NO_DEADLINE = "无法确定办理时限（没有办理时限，交办日期也无法识别）"
DUPLICATE_ID = "编号重复（与第 {rows} 行相同）；如为分办件可忽略，各行均计入统计"
REPLY_BEFORE_ASSIGNED = "答复日期早于交办日期"
CALENDAR_YEAR_UNKNOWN = "提示：节假日日历尚未收录 {years} 年，这些年份的工作日只按周末计算。请升级 chinese-calendar 包。"

# --- display ---------------------------------------------------------------------------
BLANK_VALUE = "（未填写）"
NO_RATE = "—"
YES = "是"
NO = "否"

CHECK_TITLE = "办理台账检查（统计日期 {today}，工作表“{sheet}”）"
CHECK_OVERDUE_HEADING = "一、已逾期 {count} 件（按逾期天数从多到少）"
CHECK_DUE_SOON_HEADING = "二、即将到期 {count} 件（{warn_days} 天内到期）"
CHECK_PROBLEMS_HEADING = "三、数据问题 {count} 条"
CHECK_NONE = "  无"
CHECK_SECTION = "【{section}】"
CHECK_OVERDUE_LINE = "  {id}  {title}  承办人：{handler}  分管领导：{leader}  时限：{deadline}  已逾期 {days} 天"
CHECK_DUE_SOON_LINE = "  {id}  {title}  承办人：{handler}  分管领导：{leader}  时限：{deadline}  还剩 {days} 天"
CHECK_PROBLEM_LINE = "  {sheet} 第 {row} 行「{column}」：{value} —— {message}"
CHECK_SUMMARY = "合计 {total} 件：已办结 {completed} 件，办理中 {in_progress} 件，已逾期 {overdue} 件，即将到期 {due_soon} 件。"

COLUMNS_TITLE = "工作表“{sheet}”的表头在第 {row} 行，匹配结果："
COLUMNS_MATCHED = "  {header:<16} → {key:<12}（{meaning}）"
COLUMNS_UNMATCHED = "  {header:<16} → 未使用"
COLUMNS_MISSING = "缺少的列："
COLUMNS_MISSING_LINE = "  {key:<12}（{meaning}）{required}"
COLUMNS_REQUIRED = "【必需】"
COLUMNS_FIX = "如需让未匹配的表头对应上，可把下面几行加入 config.ini 的 [columns]："
COLUMNS_ALL_OK = "所有必需的列都已找到。"

#: What each column key means, for people.
COLUMN_MEANINGS = {
    "seq": "序号", "id": "编号", "kind": "类别", "title": "案由", "proposer": "提案人",
    "role": "办理类型", "key_item": "是否重点", "lead_unit": "主办单位", "section": "承办科室",
    "handler": "承办人", "leader": "分管领导", "topic": "领域", "assigned": "交办日期",
    "deadline": "办理时限", "status": "办理状态", "replied": "答复日期", "reply_class": "答复类别",
    "contact": "沟通方式", "satisfaction": "满意度", "public": "是否公开", "note": "备注",
}

# --- statistics labels ----------------------------------------------------------------
STAT_LABELS = {
    "total": "总件数", "lead": "主办件数", "assisting": "协办件数", "key_items": "重点件数",
    "completed": "已办结", "in_progress": "办理中", "overdue": "已逾期", "due_soon": "即将到期",
    "on_time": "按时办结", "late": "超期办结",
    "completion_rate": "办结率", "on_time_rate": "按时办结率",
    "rated": "已测评", "satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意",
    "satisfaction_rate": "满意率", "satisfied_share": "满意占比", "face_to_face_rate": "面商率",
    "adoption_rate": "解决采纳率",
}
STATS_TITLE = "办理情况统计（统计日期 {today}）"
STATS_GROUP_TITLE = "按{dimension}统计"
DIMENSIONS = {"section": "承办科室", "role": "办理类型", "kind": "类别", "topic": "领域"}

# --- generated sheets ------------------------------------------------------------------
SHEET_SUMMARY = "统计汇总"
SHEET_SECTIONS = "科室统计"
SHEET_OVERDUE = "逾期清单"
SHEET_DUE_SOON = "即将到期"
SHEET_PROBLEMS = "数据问题"
GENERATED_NOTE = "本表由台账助手生成，每次刷新整体替换，请勿在此录入 · 刷新时间 {refreshed} · 统计日期 {as_of} · 台账工作表“{sheet}”"
SUMMARY_TITLE = "提案建议办理情况统计汇总"
SUMMARY_HEADLINE = "一、主要指标"
SUMMARY_BY_ROLE = "二、按办理类型统计"
SUMMARY_BY_KIND = "三、按类别统计"
SUMMARY_KEY_ITEMS = "四、重点提案"
SUMMARY_SENTENCES = "五、汇报用语（数字已填好，可直接复制）"
SUMMARY_SATISFACTION = "满意度构成"
SUMMARY_NO_KEY_ITEMS = "没有标为重点的事项。"
CHART_PROGRESS = "各科室办理进度"
CHART_SATISFACTION = "满意度构成"
SECTIONS_TITLE = "各承办科室办理情况"
OVERDUE_TITLE = "逾期清单（按逾期天数从多到少）"
OVERDUE_EMPTY = "截至统计日期，没有逾期未办结的事项。"
DUE_SOON_TITLE = "即将到期（{warn_days} 天内到期，按剩余天数从少到多）"
DUE_SOON_EMPTY = "截至统计日期，{warn_days} 天内没有到期的事项。"
PROBLEMS_TITLE = "数据问题（请在台账中更正）"
PROBLEMS_EMPTY = "没有发现数据问题。"
TOTAL_ROW = "合计"
INDICATOR = "指标"
VALUE = "数值"
HEADERS_ITEM_LIST = ["编号", "案由", "承办科室", "承办人", "分管领导", "办理时限"]
HEADER_DAYS_OVERDUE = "逾期天数"
HEADER_DAYS_LEFT = "剩余天数"
HEADERS_KEY_ITEMS = ["编号", "案由", "提案人", "承办科室", "承办人", "办理时限", "办理情况"]
HEADERS_PROBLEMS = ["位置", "工作表", "行号", "列", "内容", "问题说明", "级别"]

# --- Excel (xlwings) ------------------------------------------------------------------
OWNED_NAME_TAKEN = "工作簿中已有名为“{sheet}”的工作表，但它不是台账助手生成的。为避免覆盖您的数据，请先将它改名，再点“一键统计”。"
EXCEL_STATUS = "台账助手：共 {total} 件，已逾期 {overdue} 件，即将到期 {due_soon} 件。"
EXCEL_REPORT_WRITTEN = "办理情况汇报草稿已生成：{path}"
REPORT_FILE_NAME = "办理情况汇报_{date}.docx"
