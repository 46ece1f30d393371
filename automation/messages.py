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
NOTE_ROW = "说明文字行，未计入统计"
UNKNOWN_ROLE = "无法识别的办理类型（应为：{allowed}）"
UNKNOWN_KIND = "无法识别的类别（应为：{allowed}）"
UNKNOWN_STATUS = "无法识别的办理状态（应为：{allowed}）"
UNKNOWN_SATISFACTION = "无法识别的满意度（应为：{allowed}）"
UNKNOWN_REPLY_CLASS = "无法识别的答复类别（应为：{allowed}）"
COMPLETED_WITHOUT_DATE = "办理状态为“{status}”但没有答复日期"
REPLY_AFTER_TODAY = "答复日期晚于统计日期 {today}，按未办结统计"
NO_DEADLINE = "无法确定办理时限（没有办理时限，交办日期也无法识别）"
NO_DEADLINE_NO_LIMIT = "无法确定办理时限（没有办理时限，办理类型为空、无法识别或在 config.ini [time_limits] 中没有时限）"
DUPLICATE_ID = "编号重复（与第 {rows} 行相同）；如为分办件可忽略，各行均计入统计"
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
COLUMNS_MATCHED = "  {header} → {key:<12}（{meaning}）"
COLUMNS_UNMATCHED = "  {header} → 未使用"
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

# --- refresh ---------------------------------------------------------------------------
LEGACY_SUFFIX = "_统计汇总"
LEGACY_INFO_SHEET = "说明"
LEGACY_INFO = "本文件由台账助手根据旧版 Excel 文件“{source}”生成。.xls 格式无法安全写入，统计汇总写在这个新文件中；台账本身未被改动。"
LEGACY_WRITTEN = "“{source}”是旧版 .xls 文件，无法在原文件中安全写入汇总表，已把汇总写入新文件：{target}"
REFRESH_DONE = "已刷新汇总表（统计日期 {today}）：{path}"
REFRESH_BACKUP = "原文件已备份：{backup}"
REFRESH_FIGURES = "共 {total} 件：已办结 {completed} 件，已逾期 {overdue} 件，即将到期 {due_soon} 件，数据问题 {problems} 条。"

# --- WPS add-in and the local service (ledger serve, ledger wps-setup) ------------------
SERVICE_STARTED = "台账助手服务已启动：{url}（仅本机可访问）。WPS 中的“台账助手”选项卡通过它计算统计。按 Ctrl+C 停止。"
SERVICE_STOPPED = "台账助手服务已停止。"
SERVICE_PORT_IN_USE = "无法在端口 {port} 启动台账助手服务：{error}。如需换端口，请在 config.ini 的 [service] 中设置 port，并重新运行 ledger wps-setup。"
SERVICE_NO_TOKEN = "没有找到访问令牌（{path}）。请先运行 ledger wps-setup 安装 WPS 加载项（会生成令牌），或设置环境变量 LEDGER_TOKEN。"
SERVICE_BAD_SETTING = "配置错误：[service] 中的 {key} = “{value}” 无效，应为{expected}。"
SERVICE_EXPECT_PORT = "1 到 65535 之间的端口号"
SERVICE_EXPECT_MB = "1 到 4096 之间的整数（兆字节）"
SERVICE_EXPECT_ORIGIN = "非网页来源（不能以 http:// 或 https:// 开头，也不能是 *）"
SERVICE_STATUS = "台账助手：共 {total} 件，已逾期 {overdue} 件，即将到期 {due_soon} 件（统计日期 {as_of}）。"
SERVICE_REPORT_HINT = "汇报用语已按最新数字写入“{sheet}”工作表 {cell} 起，可直接复制到汇报稿中。如需 Word 汇报稿，请保存工作簿后在命令行运行 ledger report 台账文件。"
SERVICE_HEALTH = "台账助手服务"
REQUEST_FORBIDDEN_HOST = "拒绝访问：请求的主机名“{host}”不是本机地址。"
REQUEST_FORBIDDEN_ORIGIN = "拒绝访问：来源“{origin}”不是台账助手的 WPS 加载项，网页不能调用本服务。"
REQUEST_FORBIDDEN_TOKEN = "拒绝访问：缺少访问令牌或令牌不正确。请重新运行 ledger wps-setup，然后重启 WPS。"
REQUEST_NOT_FOUND = "没有这个接口：{path}。可用接口：POST /v1/summary，GET /v1/health。"
REQUEST_METHOD_NOT_ALLOWED = "接口 {path} 不支持 {method} 请求。"
REQUEST_LENGTH_REQUIRED = "请求缺少 Content-Length（内容长度），无法读取。"
REQUEST_TOO_LARGE = "请求内容过大（{size} 字节，上限 {limit} 字节）。请在 config.ini 的 [service] 中调大 max_body_mb，或缩小台账的已用区域。"
REQUEST_INCOMPLETE = "请求内容不完整（应有 {expected} 字节，只收到 {received} 字节）。"
REQUEST_NOT_JSON = "请求内容不是有效的 JSON：{error}。"
REQUEST_NOT_UTF8 = "不是 UTF-8 编码（{reason}）"
REQUEST_NOT_OBJECT = "请求内容应为 JSON 对象，形如 {\"sheet\": \"台账\", \"values\": [[...]]}。"
REQUEST_BAD_SHEET = "请求中的 sheet（工作表名）应为非空文字。"
REQUEST_BAD_VALUES = "请求中的 values 应为二维数组（每行一个数组），与 WPS 的 UsedRange.Value2 相同。"
REQUEST_BAD_ROW = "请求中 values 的第 {row} 项不是数组（每行应为一个数组）。"
REQUEST_BAD_CELL = "请求中 values 第 {row} 行第 {column} 列的值类型不支持（只能是文字、数字、逻辑值或空）。"
REQUEST_BAD_TODAY = "请求中的 today “{value}” 不是日期，请写成 YYYY-MM-DD，例如 2024-06-28。"
REQUEST_BAD_POSITION = "请求中的 {key} 应为正整数（已用区域左上角单元格的行号或列号，从 1 开始）。"
REQUEST_UNKNOWN_KEYS = "请求中有无法识别的字段：{keys}。可用字段：sheet、values、today、first_row、first_column、merges，或 sheets（多张工作表）。"
REQUEST_BAD_LEDGER = "无法读取台账：{message}"
REQUEST_FAILED = "台账助手服务出现意外错误：{error}。服务仍在运行，详细信息见服务日志{log}。"

WPS_SETUP_TITLE = "安装台账助手 WPS 加载项（{platform}）："
WPS_SETUP_ADDIN = "  · 加载项文件已复制到 {path}"
WPS_SETUP_MANIFEST = "  · 已在 WPS 加载项清单 {path} 中登记“{name}”（离线加载项）"
WPS_SETUP_TOKEN_NEW = "  · 已生成访问令牌：{path}（仅当前用户可读）"
WPS_SETUP_TOKEN_KEPT = "  · 沿用已有的访问令牌：{path}"
WPS_SETUP_SETTINGS = "  · 加载项设置已写入 {path}（端口 {port}{sheet}）"
WPS_SETUP_SHEET = "，台账工作表“{sheet}”"
WPS_SETUP_AUTOSTART_LINUX = "  · 已设置登录后自动启动服务：{path}"
WPS_SETUP_AUTOSTART_WINDOWS = "  · 已设置登录后自动启动服务（任务计划“{task}”）：{command}"
WPS_SETUP_AUTOSTART_PRINT = "  · 请在 Windows 上运行以下命令，设置登录后自动启动服务：{command}"
WPS_SETUP_AUTOSTART_FALLBACK = "  · 任务计划创建失败（{error}），已改为在“启动”文件夹中放置启动脚本：{path}"
WPS_SETUP_DONE = "完成。请先运行 ledger serve 启动服务（下次登录后会自动启动），然后重新打开 WPS 表格，功能区会出现“台账助手”选项卡。"
WPS_UNINSTALL_TITLE = "卸载台账助手 WPS 加载项（{platform}）："
WPS_UNINSTALL_REMOVED = "  · 已删除 {path}"
WPS_UNINSTALL_MANIFEST = "  · 已从 WPS 加载项清单 {path} 中移除“{name}”"
WPS_UNINSTALL_TASK = "  · 已删除任务计划“{task}”：{command}"
WPS_UNINSTALL_TASK_PRINT = "  · 请在 Windows 上运行以下命令，删除自动启动的任务计划：{command}"
WPS_UNINSTALL_NOTHING = "  · 没有找到已安装的台账助手 WPS 加载项。"
WPS_UNINSTALL_DONE = "完成。重新打开 WPS 表格后，“台账助手”选项卡将不再出现。"
WPS_SETUP_NO_ADDIN_FILES = "找不到 WPS 加载项文件（{path}）。请从完整的项目文件夹安装台账助手（pip install -e .）。"
WPS_SETUP_BAD_MANIFEST = "WPS 加载项清单 {path} 格式有误（{error}），为避免破坏其他加载项的登记，本次未修改。请检查或备份后删除该文件，再重试。"
WPS_SETUP_BAD_PLATFORM = "不支持的平台“{platform}”（应为 linux 或 windows）。"
WPS_SETUP_BAD_ROOT = "根元素是 <{tag}>，应为 <jsplugins>"
WPS_AUTOSTART_NAME = "台账助手服务"
WPS_AUTOSTART_COMMENT = "为 WPS 加载项“台账助手”提供统计的本机服务（ledger serve）"
WPS_SETTINGS_HEADER = "由 ledger wps-setup 生成，请勿手改（重新运行 ledger wps-setup 即可更新）。"

# --- report (办理情况汇报, `ledger report`) -----------------------------------------------
#: The built-in Word template's paragraphs: (paragraph style, text with {{ placeholders }}).
#: Styles: Title (标题), Heading 1 (一级标题), Normal (正文), 落款 (right-aligned date line).
REPORT_TEMPLATE_PARAGRAPHS = [
    ("Title", "{{ year }}年{{ kinds_noun }}\n办理工作情况汇报"),  # \n: a line break inside the title
    ("Normal", "{{ opening }}为切实做好{{ period }}{{ kinds_noun }}办理工作，{{ office }}高度重视，多次召开会议研究部署，"
               "对承办事项进行分类、细化，按工作职责及时交办到相关科室，明确专人办理和办理时限，办理工作扎实有序开展。"
               "现将有关情况汇报如下："),
    ("Heading 1", "一、强化组织领导，明确工作责任"),
    ("Normal", "一是及时分解任务。{{ office }}印发了《关于做好人大代表建议和政协委员提案办理工作的通知》，成立人大代表建议、"
               "政协委员提案办理工作领导小组，明确一把手负总责，分管领导牵头抓，相关科室负责人具体抓。在总结往年办理工作"
               "经验的基础上，进一步细化了办理程序、办理要求和办理责任。"),
    ("Normal", "二是及时开展督办。{{ office }}明确由办公室负责督促人大代表建议、政协委员提案办理工作，建立了建议、提案办理"
               "工作台账，实时跟踪办理进展情况，并将工作落实情况及时反馈给主要领导和分管领导。{{ headline }}{{ follow_up }}"),
    ("Heading 1", "二、坚持问题导向，提高办理质量"),
    ("Normal", "{{ topics }}{{ key_items }}"),
    ("Normal", "{%p if has_key_items %}"),
    ("Normal", "在重点提案办理过程中，{{ office }}多次到相关企业和单位调研，召开相关企业和部门负责人座谈会，了解所需所想，"
               "反复征求意见，确保按时高质量办结。"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{{ outcome }}在办理过程中，{{ office }}始终坚持对所提出的能解决且具备条件解决的问题，集中力量解决；因条件限制"
               "暂时难以解决的，创造条件争取多方支持逐步解决，并加强与提案人的沟通解释，争取理解和支持。"),
    ("Heading 1", "三、加强沟通协调，确保办理效果"),
    ("Normal", "接办后，承办人员认真阅读提案建议内容，理解其内涵，深入了解所提问题的现状，并开展实地调查，在积极沟通中推进"
               "办理工作，确保办理实效。{{ communication }}"),
    ("Normal", "{{ closing }}{% if lead_pending %}对尚未办结的事项，将进一步与提案人沟通对接、征求意见，确保按时高质量办结。"
               "{% endif %}"),
    ("Normal", "下一步，{{ office }}将一如既往地重视提案建议办理工作，把为人民群众办好事、办实事、解难事作为工作的出发点和"
               "落脚点，对委员、代表提出的意见建议进行认真梳理总结，不断改进工作方法，细化工作举措，努力将办理成果转化为"
               "促进我区经济高质量发展、改进{{ office }}工作的重要成果。"),
    ("落款", "{{ date }}"),
]
#: What each placeholder of the report template holds (for the error message and the docs).
REPORT_PLACEHOLDERS = {
    "year": "汇报年份（--year，默认统计日期所在年份），如 2026",
    "period": "时间用语：“今年”，或汇报其他年份时的“2025年”",
    "office": "本单位简称（config.ini [ledger] office_name，默认“我局”）",
    "kinds_noun": "台账中的事项类别：政协委员提案 / 人大代表建议 / 两者",
    "date": "统计日期，如 2026年6月28日",
    "opening": "开篇：承办总数，按类别的主办件、协办件数",
    "headline": "主要指标：办结数、办结率、按时办结率、正在办理、已逾期",
    "follow_up": "督办跟踪：即将到期和已逾期事项的提醒、催办",
    "topics": "办理内容：总件数和主要领域",
    "key_items": "重点提案：编号、案由、提案人",
    "outcome": "办理结果：A/B/C 类件数和解决采纳率",
    "communication": "沟通协调：面商率和满意度测评结果",
    "closing": "办理进度：协办件呈送、主办件办结和初步答复情况",
    "has_key_items": "是否有重点提案（用于 {%p if has_key_items %} … {%p endif %}）",
    "has_lead": "是否有主办件",
    "has_assisting": "是否有协办件",
    "lead_pending": "是否有尚未办结的主办件",
}
REPORT_APPENDIX = "附件"
REPORT_SECTIONS_CAPTION = "附表1  各承办科室办理情况（统计日期 {date}）"
REPORT_OVERDUE_CAPTION = "附表2  逾期未办结事项清单"
REPORT_CHART_CAPTION = "附图  各科室办理进度"
REPORT_SEQ = "序号"
REPORT_SECTION = "承办科室"
REPORT_CHART_AXIS = "件数"
REPORT_CHART_ASCII_AXIS = "Items"
REPORT_CHART_ASCII_SERIES = {"completed": "Completed", "in_progress": "In progress", "overdue": "Overdue"}
REPORT_CHART_ASCII_NOTE = "注：生成本图的电脑上没有中文字体，图中科室以 S1、S2……表示，依次对应附表1中的序号；图例 Completed 为已办结，In progress 为办理中，Overdue 为已逾期。"
REPORT_NO_CJK_FONT = ("提示：本机没有找到中文字体（如 Noto Sans CJK、文泉驿、黑体、微软雅黑、宋体），进度图中的文字改用英文和编号显示。"
                      "安装中文字体后重新生成即可（Debian/Ubuntu：sudo apt install fonts-noto-cjk）。")
REPORT_TEMPLATE_NOT_FOUND = "找不到汇报模板“{path}”（config.ini [report] template）。请检查路径，或留空使用内置模板。"
REPORT_TEMPLATE_UNREADABLE = "汇报模板“{path}”无法打开（{detail}）。模板应是 Word 的 .docx 文件。"
REPORT_TEMPLATE_UNDEFINED = "汇报模板“{path}”中的占位符 {{{{ {name} }}}} 不存在。可用的占位符：{names}。"
REPORT_TEMPLATE_SYNTAX = "汇报模板“{path}”中的占位符写法有误（{detail}）。占位符应写成 {{{{ opening }}}}，条件段落写成 {{%p if has_key_items %}} … {{%p endif %}}。"
REPORT_BAD_FORMAT = "不支持的汇报格式“{fmt}”，可用：docx、md。"
REPORT_FILE_LOCKED = "无法写入“{path}”：文件可能正在 Word/WPS 中打开。请关闭后重试，或用 --output 换一个文件名。"
REPORT_WRITTEN = "已生成办理情况汇报：{path}"
REPORT_IMAGE_WRITTEN = "进度图已另存为：{path}"
REPORT_YEAR_FILTER = "按 {year} 年统计：计入 {kept} 件，未计入 {dropped} 件（交办日期不在 {year} 年）。"
REPORT_YEAR_UNDATED = "其中 {count} 件没有可识别的交办日期或办理时限，无法判断年份，未计入。"
REPORT_YEAR_EMPTY = "台账中没有 {year} 年交办的事项（按交办日期判断，没有交办日期的按办理时限），未生成汇报。"
REPORT_PROBLEMS_HINT = "台账中有 {count} 条数据问题，可能影响汇报中的数字，请运行 ledger check 查看。"
EXCEL_ADDIN_HINT = "下一步：安装加载项（Excel 关闭时运行）：xlwings addin install -f \"{path}\"，然后打开台账，在“台账助手”选项卡中点“一键统计”。"

# --- writing workbooks (automation.xlsx, automation.safe_write) -------------------------

XLSX_NOT_A_WORKBOOK = "文件不是有效的 Excel 工作簿（.xlsx/.xlsm），无法写入：{detail}"
XLSX_DAMAGED = "工作簿文件已损坏（{detail}），无法安全写入。请先在 Excel 中打开、修复并另存后重试。"
XLSX_ENCRYPTED = (
    "工作簿已加密（设置了打开密码），本助手无法写入。"
    "请在 Excel 中取消“用密码进行加密”后重试，或改用不加密的副本。"
)
XLSX_LEGACY_XLS = (
    "这是旧版 Excel 97-2003 工作簿（.xls），无法在原文件中写入汇总表。"
    "请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后重试。"
)
XLSX_MISSING_WORKBOOK_PART = "文件中找不到工作簿内容（缺少 workbook 部件），不是有效的 Excel 工作簿。"
XLSX_BINARY_WORKBOOK = "该文件是二进制工作簿（.xlsb），本助手无法写入。请在 Excel 中另存为 .xlsx 后重试。"
XLSX_UNSUPPORTED_PART = "工作簿中的“{part}”无法识别（{detail}），为避免损坏文件，本次未写入。"
XLSX_SHEET_CONFLICT = (
    "工作簿中已有名为“{name}”的工作表，且不是本助手生成的。"
    "为避免覆盖您的数据，本次未写入。请将该工作表改名后重试。"
)
XLSX_INVALID_SHEET_NAME = "汇总表名称“{name}”不合法（须为 1 到 31 个字符，且不能含有 \\ / ? * [ ] :）。"
XLSX_DUPLICATE_SHEET_NAME = "汇总表名称“{name}”重复。"
XLSX_TOO_LARGE = "工作簿过大（超过 4 GB 或 65535 个部件），无法写入。"
XLSX_SELF_CHECK_FAILED = "内部错误：生成的工作簿未通过自检（{detail}），原文件未改动。请将此信息告知维护人员。"

XLSX_UNKNOWN_USER = "未知用户"
XLSX_WORKBOOK_OPEN = (
    "工作簿“{name}”正被“{user}”打开（Excel/WPS），为避免冲突，本次不写入该文件。"
    "请关闭工作簿后重试；或在 Excel 中点“一键统计”；或用 --output 写到另一个文件。"
)
XLSX_REPLACE_FAILED = "无法替换工作簿文件“{name}”（{detail}），可能正被其他程序占用；原文件未改动。"
XLSX_RUN_LOCKED = "另一个任务正在处理工作簿“{name}”（锁文件：{lock}），请稍后再试。"


# --- issue 12: WPS add-in (merged cells sent by the add-in; registration as wpsjs does it) ---
REQUEST_BAD_MERGES = (
    "请求中的 merges（合并区域）应为数组，每项为 [首行, 首列, 末行, 末列]（工作表中的行号、列号，从 1 开始）；"
    "第 {index} 项不符合。"
)
REQUEST_TOO_MANY_MERGES = "请求中的合并区域过多（{count} 处，上限 {limit} 处）。"
WPS_REG_SOURCE_REGISTRY = "注册表 HKEY_CLASSES_ROOT\\KWPS.Document.12"
WPS_REG_VERSION = "  · 检测到 WPS（{version}，读自 {source}），按 wpsjs 的规则登记方式：{modes}"
WPS_REG_UNKNOWN = "  · 未能读出已安装 WPS 的版本，两种登记方式都写（publish.xml 供 12.1.0.16910 及以后的版本，jsplugins.xml + oem.ini 供更早的版本）"
WPS_REG_MODE_PUBLISH = "publish.xml"
WPS_REG_MODE_JSPLUGINS = "jsplugins.xml + oem.ini"
WPS_REG_JSPLUGINS = "  · 已在 {path} 中登记“{name}”（供 12.1.0.16910 以前的 WPS 读取）"
WPS_REG_OEM_DONE = "  · 已在 {path} 中打开 jsplugins 加载项：[Support] JsApiPlugin=true，[Server] JSPluginsServer=（留空，即读取本机 jsaddons\\jsplugins.xml）"
WPS_REG_OEM_ALREADY = "  · {path} 已打开 jsplugins 加载项，未改动"
WPS_REG_OEM_FOREIGN = (
    "  · {path} 中 [Server] JSPluginsServer={server} 是单位集中部署的加载项清单，为不影响其他加载项，未改动；"
    "请管理员在该清单中加入：{entry}"
)
WPS_REG_OEM_MANUAL = (
    "  · 无法写入 {path}（{error}）。请以管理员身份重新运行 ledger wps-setup，"
    "或手工在该文件中写入 [Support] JsApiPlugin=true 和 [Server] JSPluginsServer=（留空）"
)
WPS_REG_OEM_NOT_FOUND = (
    "  · 找不到 WPS 的安装目录（office6\\cfgs\\oem.ini）。如果 WPS 早于 12.1.0.16910，请在该文件中写入 "
    "[Support] JsApiPlugin=true 和 [Server] JSPluginsServer=（留空），然后重启 WPS"
)
WPS_UNINSTALL_OEM_RESTORED = "  · 已将 {path} 中台账助手改过的设置恢复原样"
WPS_UNINSTALL_OEM_KEPT = "  · {path} 中的 jsplugins 设置仍有其他加载项在用，保持不变"
WPS_UNINSTALL_OEM_MANUAL = "  · 无法恢复 {path}（{error}）。请以管理员身份重新运行 ledger wps-setup --uninstall"
# --- issue 12: Excel add-in ---
EXCEL_CHART_NAME = "“{sheet}”的图表“{title}”"
EXCEL_FREEZE_NAME = "“{sheet}”的标题行冻结"
EXCEL_TAB_NAME = "“{sheet}”的标签颜色"
EXCEL_PARTS_SKIPPED = (
    "汇总表的数据已全部写入，但 Excel 未能完成以下部分，已跳过：{parts}。"
    "原因已写入日志 {log}；可再次点击按钮重试。"
)
EXCEL_BOOK_PROTECTED = (
    "工作簿的结构受保护（审阅 → 保护工作簿），无法添加汇总表，本次未写入。"
    "请先取消“保护工作簿”，再点击按钮。"
)
# --- issue 16: progress over time (history, backfill, 进展, 督办通报, morning refresh, year over year) ---
HISTORY_FALLBACK = "提示：台账所在文件夹无法写入历史记录（{path}），已改存到 {fallback}。"
HISTORY_SKIPPED = "提示：本次统计未能记入历史（{path}：{error}），不影响本次结果。"
HISTORY_TITLE = "统计历史（{ledger}，共 {count} 次，按日期从早到晚）"
HISTORY_EMPTY = "还没有统计历史：每次运行 stats、refresh、remind 都会记一次；也可以运行 ledger history {ledger} --backfill --weeks 8 按台账日期推算过去几周。"
HISTORY_HEADER = ["统计日期", "总件数", "已办结", "办理中", "已逾期", "即将到期", "办结率", "按时办结率", "满意率", "来源"]
HISTORY_KEPT = "当日记录"
HISTORY_RECONSTRUCTED = "推算"
HISTORY_RECONSTRUCTED_NOTE = "“推算”是按台账现有日期倒推的（答复日期 ≤ 当日算已办结，办理时限 < 当日算已逾期），不是当天实际记录。"
BACKFILL_BAD_WEEKS = "--weeks 须为 1 到 260 之间的整数（现为 {weeks}）。"
BACKFILL_DONE = "已按台账日期推算 {count} 个每周快照（{first} 至 {last}），标为“推算”。"
BACKFILL_KEPT = "{count} 个日期已有当日实际记录，保留不变：{dates}。"
BACKFILL_UNPLACED = (
    "{count} 件办理状态为已办结/已答复但没有答复日期，无法确定何时办结，推算时按台账规则在各日期都计为已办结"
    "（未必属实，请补填答复日期）：{ids}。"
)
BACKFILL_WHERE = "历史记录保存在 {path}。"

SHEET_PROGRESS = "进展"
PROGRESS_TITLE = "办理进展（按周）"
PROGRESS_NO_HISTORY = (
    "还没有往周的统计记录，暂时无法显示趋势和变化。每次刷新、统计、提醒都会自动记录；"
    "也可以运行 ledger history 台账文件 --backfill --weeks 8，按台账中的日期推算过去 8 周。"
)
PROGRESS_TREND = "一、每周走势"
PROGRESS_TREND_HEADER = ["统计日期", "已办结", "已逾期", "办理中", "办结率", "来源"]
PROGRESS_CHART_COUNTS = "已办结与已逾期件数（按周）"
PROGRESS_CHART_RATE = "办结率（按周）"
PROGRESS_CHANGES = "二、与 {then} 相比的变化（{days} 天）"
PROGRESS_NO_BASELINE = "二、变化：没有一周或更早以前的记录，暂无可比较的数据（可运行 ledger history 台账文件 --backfill --weeks 8）。"
PROGRESS_BY_SECTION_HEADER = ["承办科室", "新办结", "其中按时", "其中超期", "新逾期", "仍逾期"]
PROGRESS_NEW_COMPLETED = "新办结 {count} 件"
PROGRESS_NEW_OVERDUE = "新逾期 {count} 件"
PROGRESS_STILL_OVERDUE = "仍逾期 {count} 件（逾期最久的在前）"
PROGRESS_COMPLETED_HEADER = ["编号", "案由", "承办科室", "承办人", "答复日期", "办结情况"]
PROGRESS_OVERDUE_HEADER = ["编号", "案由", "承办科室", "承办人", "分管领导", "办理时限", "逾期天数"]
PROGRESS_NONE = "无。"
PROGRESS_ON_TIME = "按时办结"
PROGRESS_LATE = "超期办结"
PROGRESS_DONE = "已办结"

BULLETIN_TITLE = "提案建议办理督办通报"
BULLETIN_PERIOD = "（{since} 至 {as_of}）"
BULLETIN_OPENING = (
    "截至{date}，{office}承办的{total}件{kinds}中，已办结{completed}件，办结率{completion_rate}；"
    "办理中{in_progress}件；已逾期{overdue}件。"
)
BULLETIN_MOVES = "{since}以来，新办结{newly_completed}件（其中按时办结{newly_on_time}件、超期办结{newly_late}件），新逾期{newly_overdue}件，仍逾期{still_overdue}件。"
BULLETIN_BASE_RECONSTRUCTED = "（{then}的数字按台账现有日期推算。）"
BULLETIN_UNPLACED = "另有{count}件办理状态为已办结但没有答复日期，无法确定何时办结，未计入新办结：{ids}。"
BULLETIN_H_COMPLETED = "一、新办结事项"
BULLETIN_H_OVERDUE = "二、新逾期事项"
BULLETIN_H_LONGEST = "三、逾期时间最长的事项"
BULLETIN_H_RANKING = "四、各科室办理情况排名"
BULLETIN_H_DUE = "五、未来{days}天内到期事项"
BULLETIN_RANKING_NOTE = "按办结率从高到低排列，办结率相同的按已逾期件数从少到多。"
BULLETIN_RANKING_HEADER = ["名次", "承办科室", "总件数", "已办结", "办结率", "已逾期", "新办结", "新逾期"]
BULLETIN_DUE_HEADER = ["编号", "案由", "承办科室", "承办人", "分管领导", "办理时限", "剩余天数"]
BULLETIN_CLOSING = "请各承办科室对逾期事项抓紧办理，对即将到期事项提前安排，确保按时办结。"
BULLETIN_FILE_NAME = "督办通报_{date}.docx"
BULLETIN_WRITTEN = "已生成督办通报：{path}（比较 {then} 至 {as_of}）"
BULLETIN_BASE_NOTE = "比较基准：{then}{kind}。"
BULLETIN_BASE_KEPT = "的统计记录"
BULLETIN_BASE_BUILT = "（没有该日或更早的记录，按台账日期推算）"
BULLETIN_BAD_SINCE = "--since 的日期 {since} 不早于统计日期 {today}，请给出更早的日期。"
BULLETIN_SUBJECT = "{office}督办通报（{as_of}）"
BULLETIN_MAIL_TEXT = "{greeting}：\n\n附件是{office}截至{as_of}的提案建议办理督办通报，请审阅。\n\n{summary}\n\n（台账助手自动发送）\n"
BULLETIN_GREETING = "{name}领导"
BULLETIN_SENT = "已发送督办通报：{channel} → {recipient}"
BULLETIN_ALREADY = "本周（{week}）已向 {recipient}（{channel}）发送过督办通报，不再重复发送。"
BULLETIN_NO_RECIPIENT = "找不到可发送督办通报的领导：请在通讯录中登记分管领导的邮箱，或在 config.ini [bulletin] recipients 中写明姓名。"
BULLETIN_UNREACHABLE = "{name}：通讯录中没有邮箱，未发送邮件。"
BULLETIN_SEND_FAILED = "督办通报发送失败：{channel} → {recipient}：{error}"
BULLETIN_NO_CHANNEL = "config.ini 中没有启用任何提醒渠道（[email]/[wecom]/[dingtalk] enabled），督办通报未发送。"

MORNING_SIDE_FILE = "工作簿“{name}”正被“{user}”打开，早间刷新没有写入原文件，汇总表写到了旁边的 {side}。"
MORNING_DONE = "早间刷新完成：{path}（统计日期 {today}）。"

YOY_INTRO = "与上年同期（{previous}）相比："
YOY_COUNT_UP = "承办件数增加{diff}件（上年{before}件）"
YOY_COUNT_DOWN = "承办件数减少{diff}件（上年{before}件）"
YOY_COUNT_SAME = "承办件数持平（上年{before}件）"
YOY_RATE_UP = "{label}提高{diff}个百分点（上年{before}）"
YOY_RATE_DOWN = "{label}下降{diff}个百分点（上年{before}）"
YOY_RATE_SAME = "{label}持平（上年{before}）"
YOY_RATE_NONE = "{label}无可比数据"
YOY_WRITTEN = "已加入与上年同期的比较（上年台账：{path}，统计日期 {previous}）。"
MORNING_BAD_SWITCH = "config.ini [schedule] morning_refresh 的值“{value}”无法识别，请写“是”或“否”。"
MORNING_BAD_TIME = "config.ini [schedule] morning_time 的值“{value}”不是时刻，请写成 07:30。"
CONFIG_BAD_SWITCH = "config.ini [{section}] {key} 的值“{value}”无法识别，请写“是”或“否”。"
MORNING_NOT_WORKDAY = "{date} 不是工作日，早间刷新不运行。"
MORNING_TASK = "早间刷新（config.ini [schedule] morning_refresh = 是）另需一个计划任务："
# --- issue 12: page setup in the Excel live writer ---
EXCEL_PAGE_NAME = "“{sheet}”的页面设置（打印方向和缩放）"
# --- issue 15: many ledgers counted as one (several sheets, a folder of units' ledgers) ---
OTHER_SHEETS_NOTE = (
    "提示：统计的是工作表“{sheet}”；{others} 的表头也与台账相符，未计入。"
    "要统计别的工作表，在 config.ini 的 [ledger] 中写 sheet = 工作表名；要合起来统计，写 sheets = {all}（或 sheets = *）。"
)
COLUMNS_SHEETS_NOTE = "按 config.ini 的 [ledger] sheets 合起来统计的工作表：{sheets}；上面显示的是“{shown}”的表头。"
SHEETS_NOT_FOUND = "工作簿中没有名为“{sheet}”的工作表（config.ini 的 [ledger] sheets）。现有工作表：{sheets}。"
NO_WORKBOOKS_IN_FOLDER = "文件夹“{folder}”中没有 Excel 台账（.xlsx、.xlsm、.xls）。"
UNIT_LEFT_OUT = "未计入：{file} —— {reason}"
UNIT_UNEXPECTED = "读取时出现意外错误（{error}）"
UNIT_SKIPPED_SUMMARY = "跳过：{file} 是台账助手生成的汇总工作簿，不是单位台账。"
ALL_UNITS_LEFT_OUT = "给出的 {count} 个文件都无法读取，没有可统计的台账：\n{lines}"
UNITS_LEFT_OUT_HEADING = "有 {count} 个文件未计入统计（退出码 4）："
DISTRICT_TITLE = "汇总 {units} 个承办单位的台账（{files} 个文件，统计日期 {today}）"
DISTRICT_SHEET_LABEL = "{files} 个单位台账文件"
DISTRICT_UNIT_LINE = "  {unit}（{file}，工作表“{sheets}”）：{total} 件"
DISTRICT_CHECK_UNIT = "【{unit}】"
DISTRICT_OVERDUE_LINE = "  {id}  {title}  {section}  承办人：{handler}  时限：{deadline}  已逾期 {days} 天"
DISTRICT_DUE_SOON_LINE = "  {id}  {title}  {section}  承办人：{handler}  时限：{deadline}  还剩 {days} 天"
DISTRICT_PROBLEM_LINE = "  {file} {sheet} 第 {row} 行「{column}」：{value} —— {message}"
DISTRICT_UNIT_GROUP = "承办单位"
DISTRICT_FOLDER_NEEDS_OUTPUT = (
    "汇总多个单位的台账时必须用 --output 指定新的汇总工作簿（如 --output 汇总.xlsx）；各单位的台账只读取，不写入。"
)
DISTRICT_OUTPUT_IS_SOURCE = "汇总工作簿“{path}”也是要读取的单位台账之一，请换一个文件名。"
DISTRICT_OUTPUT_NOT_SUMMARY = (
    "“{path}”已存在，且不是台账助手生成的汇总工作簿；为避免覆盖您的文件，本次未写入。请换一个文件名。"
)
DISTRICT_OUTPUT_SUFFIX = "汇总工作簿须为 .xlsx 文件：“{path}”。"
DISTRICT_REFRESH_DONE = "已写入汇总工作簿：{path}（{units} 个承办单位，统计日期 {today}）"
SHEET_UNITS = "单位统计"
SHEET_UNIT_PROBLEMS = "单位问题"
SHEET_DISTRICT_INFO = "汇总说明"
UNITS_TITLE = "各承办单位办理情况统计"
UNIT_PROBLEMS_TITLE = "各单位台账的数据问题"
UNIT_PROBLEMS_EMPTY = "各单位台账均未发现数据问题。"
UNITS_HEADER_UNIT = "承办单位"
UNITS_HEADER_FILE = "文件"
UNITS_RANK_HEADERS = {"completion_rate": "办结率排名", "on_time_rate": "按时办结率排名",
                      "satisfaction_rate": "满意率排名"}
CHART_UNITS_PROGRESS = "各承办单位办理进度"
HEADERS_UNIT_PROBLEMS = ["承办单位", "文件", "工作表", "行号", "单元格", "列", "内容", "问题", "级别"]
HEADERS_DISTRICT_ITEMS = ["编号", "案由", "承办单位", "承办科室", "承办人", "分管领导", "办理时限"]
DISTRICT_PROBLEMS_TITLE = "未计入的文件和数据问题"
DISTRICT_PROBLEMS_HEADERS = ["文件", "原因"]
DISTRICT_PROBLEMS_NONE_LEFT_OUT = "所有文件均已计入统计。"
DISTRICT_PROBLEMS_POINTER = "各单位台账中的 {count} 条数据问题见“单位问题”表（注明文件、工作表、行号和列）。"
DISTRICT_INFO_TITLE = "本工作簿由台账助手汇总各承办单位的台账生成（各单位的台账文件只读取，不改动）。"
DISTRICT_INFO_HEADERS = ["承办单位", "文件", "工作表", "件数", "说明"]
DISTRICT_INFO_COUNTED = "已计入"
DISTRICT_ROLE_JOINED = "{unit}（{role}）"
DISTRICT_OFFICE_NAME = "各承办单位"
DISTRICT_REPORT_OPENING = (
    "截至{date}，本次汇总承办单位{units}个，共承办{kinds}{total}件，其中主办件{lead}件、协办件{assisting}件；"
    "已办结{completed}件，办结率{completion_rate}，按时办结率{on_time_rate}；已逾期{overdue}件。"
)
DISTRICT_REPORT_LAGGING = "办结率较低的单位：{units}。"
DISTRICT_REPORT_UNITS_CAPTION = "各承办单位办理情况表（统计日期 {date}）"
DISTRICT_MAIL_SUBJECT = "提案建议办理情况汇总（统计日期 {today}）"
DISTRICT_MAIL_HEADLINE = (
    "截至 {today}，{units} 个承办单位共承办 {total} 件：已办结 {completed} 件，已逾期 {overdue} 件，"
    "即将到期 {due_soon} 件；办结率 {completion_rate}，按时办结率 {on_time_rate}，满意率 {satisfaction_rate}。"
)
DISTRICT_MAIL_UNIT_LINE = "  {unit}：{total} 件，已办结 {completed} 件，已逾期 {overdue} 件，办结率 {completion_rate}"
DISTRICT_MAIL_FOOTER = "各单位的明细、排名和数据问题见附件汇总工作簿。（台账助手自动发送）"
DISTRICT_MAIL_NOT_ENABLED = "要发送汇总工作簿，请在 config.ini 的 [email] 中设置 enabled = yes 和邮件服务器（与催办提醒相同）。"
DISTRICT_MAIL_FAILED = "汇总工作簿已写好，但邮件未发出：{error}"
DISTRICT_MAIL_SENT = "已把汇总工作簿 {file} 发给 {recipient}"
DISTRICT_MAIL_ONLY_FOLDER = "--mail-to 只用于汇总多个单位的台账（给出文件夹或多个文件时）。"
UNIT_OS_ERROR = "无法读取文件“{file}”（{error}）。请检查文件权限，或确认文件没有被移动。"
REMIND_PER_UNIT = (
    "“{folder}”是文件夹。催办提醒按单位进行（各单位用自己的通讯录）：请对每个单位的台账分别运行 "
    "ledger remind 台账.xlsx；汇总工作簿可用 ledger refresh 文件夹 --output 汇总.xlsx --mail-to 邮箱 发给领导。"
)
DISTRICT_PREVIOUS_ONE_LEDGER = "--previous（与上年比较）只用于一个台账；汇总多个单位时请去掉 --previous。"
# --- issue 13: the local service under hostile clients ---
SERVICE_BUSY = "台账助手服务正忙（同时处理的请求过多），请稍后再试。"
SERVICE_ALREADY_RUNNING = "台账助手服务已经在端口 {port} 运行（版本 {version}），无需再次启动；如需重启，请先关闭正在运行的服务窗口。"
SERVICE_PORT_TAKEN = "无法在端口 {port} 启动台账助手服务：该端口已被其他程序占用（{error}）。请在 config.ini 的 [service] 中设置另一个 port，并重新运行 ledger wps-setup。"
REQUEST_BAD_LENGTH = "请求头 Content-Length（内容长度）“{value}”不是一个非负整数，无法读取。"
REQUEST_TOO_MANY_VALUES = "请求中的单元格过多（约 {count} 个，上限 {limit} 个）。请缩小台账的已用区域（删除表格下方和右侧多余的行列）后重试。"
REQUEST_TIMEOUT = "请求内容在 {seconds} 秒内没有传完，连接已断开。"
REQUEST_BAD_HTTP = "请求格式不正确（HTTP {status}），台账助手服务无法处理。"
# --- issue 17: a new user's first hour (overwrites, read-only places, one sentence per failure, columns) ---

OS_NOT_FOUND = "找不到“{path}”。请检查路径和文件名。"
OS_IS_DIRECTORY = "“{path}”是文件夹，这里需要一个文件。请给出文件的完整路径（如 台账.xlsx）。"
OS_NOT_DIRECTORY = "路径“{path}”中有一段不是文件夹。请检查路径。"
OS_NO_PERMISSION = "没有权限读写“{path}”（只读，或属于其他用户）。请换一个自己的文件夹，或用 --output 写到别处。"
OS_READ_ONLY_PLACE = "“{path}”所在的位置是只读的，无法写入。请用 --output 写到可以写入的文件夹。"
OS_DISK_FULL = "磁盘空间不足，无法写入“{path}”。请清理磁盘后重试；原文件未改动。"
OS_EXISTS = "“{path}”已经存在。"
OS_NAME_TOO_LONG = "路径“{path}”太长。请把文件放到路径较短的文件夹中。"
OS_BUSY = "“{path}”正被其他程序占用。请关闭占用它的程序后重试。"
OS_GENERIC = "无法读写文件“{path}”（{detail}）。"

TARGET_IS_DIRECTORY = "“{path}”是文件夹，不是台账文件。请给出台账工作簿的路径（如 台账.xlsx）。"
TARGET_EXISTS = "“{path}”已经存在，为免覆盖您的文件，本次未写入。请换一个文件名；确要替换时加 --force（原文件先备份到旁边的 .ledger_backups 文件夹）。"
TARGET_READ_ONLY = "工作簿“{path}”是只读文件，本助手不修改它。请用 --output 把汇总写到另一个文件，或在文件属性中取消“只读”后重试。"
TARGET_OUTPUT_READ_ONLY = "“{path}”是只读文件，不能替换。请换一个文件名，或在文件属性中取消“只读”后重试。"
TARGET_REPORT_SUFFIX = "汇报只能写成 Word（.docx）或 Markdown（.md）文件，不能写到“{path}”。请用 --output 给出以 .docx 或 .md 结尾的文件名。"
TARGET_REPORT_IS_LEDGER = "“{path}”就是台账本身，汇报不能写在台账上。请用 --output 给出另一个以 .docx 或 .md 结尾的文件名。"
TARGET_BACKUP = "原文件已备份到：{backup}"
FORCE_HELP = "文件已存在时替换它（原文件先备份）。Replace an existing file (a backup is kept)."

UNEXPECTED_NO_LOG = "出现意外错误：{error}。（未能写入日志文件。）"

CLI_EPILOG = ("退出码 / exit codes：0 成功；1 意外错误（详情写入日志），或 remind 有提醒发送失败；"
              "2 输入有误（参数、文件路径、工作簿内容、配置文件）或文件无法读写；"
              "3 工作簿正被 Excel/WPS 打开，或另一个任务正在处理同一个工作簿；"
              "4 汇总多个文件时有文件无法读取、未计入统计；"
              "5 remind 时另一次提醒正在运行，本次未发送。")
CLI_HELP_HINT = "用 {command} --help 查看用法。"
CLI_MISSING_ARGUMENT = "缺少参数 {name}{meaning}。"
CLI_MISSING_OPTION = "缺少选项 {name}。"
CLI_NO_SUCH_OPTION = "没有选项 {name}。"
CLI_DID_YOU_MEAN = "（是否想用 {names}？）"
CLI_NO_SUCH_COMMAND = "没有命令“{name}”。可用的命令：{names}。"
CLI_OPTION_NEEDS_VALUE = "选项 {name} 后面需要一个值。"
CLI_EXTRA_ARGUMENTS = "多余的参数：{args}。"
CLI_BAD_CHOICE = "{name} 的值“{value}”无效，只能是 {choices} 之一。"
CLI_BAD_INTEGER = "{name} 的值“{value}”不是整数。"
CLI_BAD_RANGE = "{name} 的值“{value}”超出范围（{low} 到 {high}）。"
CLI_BAD_VALUE = "{name} 的值无效。"
CLI_USAGE_GENERIC = "命令的写法有误。"
CLI_ABORTED = "已取消。"
CLI_ARGUMENT_MEANINGS = {"LEDGER": "台账文件", "OUTPUT": "输出文件"}

COLUMNS_SWAPPED_WARNING = ("注意：两个日期都有的 {rows} 行中，有 {bad} 行的“{deadline}”早于“{assigned}”。"
                           "这两列可能填反了或认反了：“{assigned}”应是交办日期，“{deadline}”应是办理时限。")
DEADLINE_BEFORE_ASSIGNED = "办理时限早于交办日期（{assigned}）"
DEADLINES_BEFORE_ASSIGNED_WARNING = ("提醒：{bad} 行的办理时限早于交办日期（共 {rows} 行两者都有）。"
                                     "“{deadline}”和“{assigned}”两列可能填反了，或表头被认反了；请运行 ledger columns 检查。")
CONFIG_NOT_FOUND = "找不到配置文件“{path}”。请检查 --config 后面的路径。"

# --- issue 15: several sheets through the WPS add-in ---
REQUEST_BAD_SHEETS = ("请求中的 sheets 应为 1 到 {limit} 个工作表的数组，每项形如 "
                      "{{\"sheet\": \"提案台账\", \"values\": [[...]]}}；有 sheets 时不能再单独写 sheet、values 等字段。")
REQUEST_BAD_SHEET_PART = "请求中 sheets 的第 {index} 项应为 JSON 对象，只能有这些字段：{keys}。"
REQUEST_SHEETS_TWICE = "请求中 sheets 有同名的工作表，每个工作表只能出现一次。"
