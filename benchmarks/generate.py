"""Generate realistic ledgers of any size for the benchmark: Chinese text, real dates, every
column of DOMAIN.md, a merged title row above the header.

    python benchmarks/generate.py 50000 benchmarks/data/ledger_50000.xlsx
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


AS_OF = dt.datetime(2026, 6, 28)  # the benchmark's --today


def ledger_rows(count: int, seed: int = 7, year: int = 2026):
    """Rows of a ledger with `count` items (deterministic for a seed), as a ledger looks at the
    end of June: items assigned since January, earlier ones mostly answered, replies in the past."""
    rng = random.Random(seed)
    start = dt.datetime(year, 1, 10)
    for index in range(count):
        role = rng.choice(["主办", "主办", "协办", "会办", "分办"])
        assigned = start + dt.timedelta(days=rng.randrange(0, 165))
        age = (AS_OF - assigned).days
        done = rng.random() < min(0.95, age / 120)
        status = rng.choice(["已答复", "已办结"]) if done else rng.choice(["未办理", "办理中", "已初步答复"])
        replied = min(assigned + dt.timedelta(days=rng.randrange(10, 100)), AS_OF - dt.timedelta(days=1)) if done else None
        yield [
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


def write_ledger(path: Path, count: int, seed: int = 7) -> Path:
    """Write a ledger of `count` rows with xlsxwriter (fast, constant memory)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("台账")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "2026年度提案建议办理台账")
    sheet.write_row(1, 0, HEADERS)
    for offset, row in enumerate(ledger_rows(count, seed), start=2):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(offset, column, value, date_format)
            else:
                sheet.write(offset, column, value)
    workbook.close()
    return path


if __name__ == "__main__":
    write_ledger(Path(sys.argv[2]), int(sys.argv[1]))
