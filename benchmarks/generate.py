"""Generate realistic ledgers of any size and shape for the benchmark: Chinese text, real
dates, every column of DOMAIN.md, a merged title row above the header.

    python benchmarks/generate.py 50000 benchmarks/data/ledger_50000.xlsx [SHAPE]

Shapes (`SHAPES`), the ledgers users have:
    current         the plain ledger (real dates, one header row)
    many_problems   a quarter of the rows carry a data problem (a reply date after the statistics date)
    text_dates      every date typed as text, in the clerks' formats (2026-3-5, 2026/03/05, 2026.3.5, 2026年3月5日)
    long_titles     案由 of about 150-330 characters
    many_distinct   almost every cell distinct: proposers, handlers, notes and dates with a time of day
                    distinct on (nearly) every row, 20,000 handlers, about 1,000 topics
    merged_cells    承办科室 and 分管领导 merged down over the runs of rows of one section
    two_row_header  a group cell 办理情况 over 办理状态 / 答复日期 / 答复类别, the other headers merged down
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

HEADERS = ["序号", "编号", "类别", "案由", "提案人", "办理类型", "是否重点", "主办单位", "承办科室", "承办人",
           "分管领导", "领域", "交办日期", "办理时限", "办理状态", "答复日期", "答复类别", "沟通方式", "满意度",
           "是否公开", "备注"]
SECTIONS = ["产业发展科", "企业服务科", "技术改造科", "信息化推进科", "中小企业科", "运行监测科", "办公室", "规划科"]
PEOPLE = ["刘洋", "赵敏", "陈静", "周磊", "孙涛", "吴芳", "郑凯", "冯雪", "何平", "许丽", "王强", "李娜"]
LEADERS = ["王建国", "李红梅", "张立新"]
TOPICS = ["民营企业人才培养", "电子商务", "企业创新", "矿业经济", "专精特新", "数字化转型", "营商环境", "产业链"]
SUBJECTS = ["加强专精特新企业培育", "推进企业数字化转型", "发展农村电子商务", "支持企业技术创新", "完善中小企业融资服务",
            "推动矿业经济转型升级", "加快工业互联网平台建设", "优化营商环境", "加强职业技能培训", "培育本土电商品牌"]
STATUSES = ["未办理", "办理中", "已初步答复", "已答复", "已办结"]
SHAPES = ["current", "many_problems", "text_dates", "long_titles", "many_distinct", "merged_cells", "two_row_header"]
DATE_COLUMNS = (12, 13, 15)
SECTION_COLUMN, LEADER_COLUMN = 8, 10
#: Headers grouped under 办理情况 in the two-row header.
GROUPED = ("办理状态", "答复日期", "答复类别")

AS_OF = dt.datetime(2026, 6, 28)  # the benchmark's --today


def ledger_rows(count: int, seed: int = 7, year: int = 2026, shape: str = "current"):
    """Rows of a ledger with `count` items (deterministic for a seed and shape), as a ledger looks
    at the end of June: items assigned since January, earlier ones mostly answered."""
    rng = random.Random(seed)
    start = dt.datetime(year, 1, 10)
    for index in range(count):
        role = rng.choice(["主办", "主办", "协办", "会办", "分办"])
        assigned = start + dt.timedelta(days=rng.randrange(0, 165))
        age = (AS_OF - assigned).days
        done = rng.random() < min(0.95, age / 120)
        status = rng.choice(["已答复", "已办结"]) if done else rng.choice(["未办理", "办理中", "已初步答复"])
        replied = min(assigned + dt.timedelta(days=rng.randrange(10, 100)), AS_OF - dt.timedelta(days=1)) if done else None
        row = [
            index + 1,
            f"{'TA' if index % 3 else 'JY'}{year}{index + 1:06d}",
            "政协提案" if index % 3 else "人大建议",
            f"关于{rng.choice(SUBJECTS)}的建议（第{index + 1}号）",
            rng.choice(PEOPLE) + "委员",
            role,
            "是" if rng.random() < 0.03 else "否",
            "区发改局" if role == "协办" else None,
            rng.choice(SECTIONS),
            rng.choice(PEOPLE),
            rng.choice(LEADERS),
            rng.choice(TOPICS),
            assigned,
            None,
            status,
            replied,
            rng.choice("ABC") if done and role != "协办" else None,
            rng.choice(["电话联系", "见面座谈", "实地调研", "书面", None]),
            rng.choice(["满意", "基本满意", "不满意", None]) if done else None,
            "是" if done else None,
            None,
        ]
        yield _shaped(row, index, rng, shape)


def _shaped(row: list, index: int, rng: random.Random, shape: str) -> list:
    if shape == "many_problems" and index % 4 == 0:
        # a reply date typed after the statistics date: a data problem, the item not completed
        row[14], row[15] = "已答复", AS_OF + dt.timedelta(days=1 + index % 90)
    elif shape == "text_dates":
        for column in DATE_COLUMNS:
            row[column] = _as_text(row[column], index + column)
    elif shape == "long_titles":
        filler = "".join(rng.choice(SUBJECTS) for _ in range(18 + index % 14))
        row[3] = f"关于{filler}的建议（第{index + 1}号）"
    elif shape == "many_distinct":
        row[4] = f"{rng.choice(PEOPLE)}{index}委员"
        row[9] = f"{rng.choice(PEOPLE)}{index % 20000}"
        row[11] = f"{rng.choice(TOPICS)}{index % 125}"  # about 1,000 topics: every figure is counted per topic
        row[12] = row[12] + dt.timedelta(minutes=rng.randrange(8 * 60, 18 * 60))
        row[20] = f"第{index + 1}号备注：{rng.choice(SUBJECTS)}"
    return row


def _as_text(value: dt.datetime | None, turn: int) -> str | None:
    if value is None:
        return None
    forms = (f"{value.year}-{value.month}-{value.day}", f"{value.year}/{value.month:02d}/{value.day:02d}",
             f"{value.year}.{value.month}.{value.day}", f"{value.year}年{value.month}月{value.day}日")
    return forms[turn % len(forms)]


def write_ledger(path: Path, count: int, seed: int = 7, shape: str = "current") -> Path:
    """Write a ledger of `count` rows in one of SHAPES with xlsxwriter."""
    import xlsxwriter

    if shape not in SHAPES:
        raise SystemExit(f"unknown shape {shape}; one of {', '.join(SHAPES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(ledger_rows(count, seed, shape=shape))
    if shape == "merged_cells":  # a ledger kept section by section, section and leader merged down
        rows.sort(key=lambda row: (row[SECTION_COLUMN], row[0]))
    # constant memory writes row by row: merged areas over several rows need the rows kept
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": shape not in ("merged_cells", "two_row_header")})
    sheet = workbook.add_worksheet("台账")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "2026年度提案建议办理台账")
    first = _write_header(sheet, shape)
    for offset, row in enumerate(rows, start=first):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(offset, column, value, date_format)
            else:
                sheet.write(offset, column, value)
    if shape == "merged_cells":
        _merge_runs(sheet, rows, first)
    workbook.close()
    return path


def _write_header(sheet, shape: str) -> int:
    """The header (one row, or two with a group cell); returns the first data row (0-based)."""
    if shape != "two_row_header":
        sheet.write_row(1, 0, HEADERS)
        return 2
    grouped = [HEADERS.index(name) for name in GROUPED]
    for column, header in enumerate(HEADERS):
        if column in grouped:
            sheet.write(2, column, header)
        else:
            sheet.merge_range(1, column, 2, column, header)
    sheet.merge_range(1, grouped[0], 1, grouped[-1], "办理情况")
    return 3


def _merge_runs(sheet, rows: list[list], first: int) -> None:
    """Merge 承办科室 and 分管领导 down over runs of up to 12 rows of one section: the value is
    in the top cell only, as in a merged area."""
    start = 0
    while start < len(rows):
        end = start
        while end + 1 < len(rows) and end - start < 11 and rows[end + 1][SECTION_COLUMN] == rows[start][SECTION_COLUMN]:
            end += 1
        if end > start:
            sheet.merge_range(first + start, SECTION_COLUMN, first + end, SECTION_COLUMN, rows[start][SECTION_COLUMN])
            sheet.merge_range(first + start, LEADER_COLUMN, first + end, LEADER_COLUMN, rows[start][LEADER_COLUMN])
        start = end + 1


if __name__ == "__main__":
    write_ledger(Path(sys.argv[2]), int(sys.argv[1]), shape=sys.argv[3] if len(sys.argv) > 3 else "current")
