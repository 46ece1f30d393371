"""Build the shipped sample ledger (`examples/sample_ledger.xlsx`), modelled on the seed report.

Sixty items of a district bureau of economy and information technology, in groups whose
state on 2026-06-28 is known by construction (see tests/expected/sample_stats.json and the
hand count in tests/test_sample.py): completed on time or late, preliminary replies, overdue,
due soon, one with an unreadable date and one 已办结 without a reply date.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from automation.template import FIRST_DATA_ROW, TEMPLATE_COLUMNS, build_template, reproducible_zip

D = dt.date

SECTIONS = [
    ("产业发展科", ["刘洋", "赵敏"], "王建国"),
    ("企业服务科", ["陈静", "周磊"], "李红梅"),
    ("技术改造科", ["孙涛", "吴芳"], "王建国"),
    ("信息化推进科", ["郑凯", "冯雪"], "张立新"),
    ("中小企业科", ["何平", "许丽"], "李红梅"),
]
PROPOSERS = ["陈海林", "黄志强", "林晓燕", "高文博", "马丽华", "罗建平", "梁思远", "宋佳", "唐卫东", "韩雪梅",
             "曹国庆", "邓丽君", "彭志刚", "曾晓东", "萧红", "田野", "董明", "潘晓华", "袁立", "蒋文"]
TOPICS = ["民营企业人才培养", "电子商务", "企业创新", "矿业经济", "专精特新", "数字化转型"]
TITLES = [
    "关于加强专精特新企业培育的建议", "关于企业数字化转型，构建未来新优势的建议", "关于加强民营企业人才培养的建议",
    "关于发展农村电子商务的建议", "关于支持企业技术创新的建议", "关于推动矿业经济转型升级的建议",
    "关于完善中小企业融资服务的建议", "关于加快工业互联网平台建设的建议", "关于引进高层次技术人才的建议",
    "关于扶持直播电商产业发展的建议", "关于促进矿产资源综合利用的建议", "关于建设企业孵化基地的建议",
    "关于推进“小升规”企业培育的建议", "关于加强职业技能培训的建议", "关于优化营商环境的建议",
    "关于支持新能源材料产业集群发展的建议", "关于推进装配式建筑产业发展的建议", "关于加大技改项目扶持力度的建议",
    "关于发展跨境电商的建议", "关于建设智慧园区的建议", "关于推动绿色矿山建设的建议",
    "关于加强企业知识产权保护的建议", "关于完善创新券政策的建议", "关于推动校企合作育人的建议",
    "关于支持汽车零部件产业发展的建议", "关于加快5G网络覆盖的建议", "关于扶持老字号企业发展的建议",
    "关于降低企业用能成本的建议", "关于支持企业上市融资的建议", "关于加强安全生产监管的建议",
    "关于发展数字经济的建议", "关于完善企业服务专员制度的建议", "关于培育本土电商品牌的建议",
    "关于加强尾矿库治理的建议", "关于推进制造业智能化改造的建议", "关于支持返乡创业的建议",
    "关于建立重点企业培育库的建议", "关于完善产业链招商的建议", "关于提升园区配套服务的建议",
    "关于推动服装产业转型的建议", "关于建设云仓物流基地的建议", "关于加强企业用工保障的建议",
    "关于发展工业旅游的建议", "关于扶持科技型中小企业的建议", "关于完善企业减负政策的建议",
    "关于推进企业上云用数赋智的建议", "关于加强产学研合作的建议", "关于盘活闲置工业用地的建议",
    "关于支持企业参加展会的建议", "关于加快发展先进制造业的建议", "关于规范矿产资源开发秩序的建议",
    "关于推动电商进农村综合示范的建议", "关于完善人才公寓建设的建议", "关于加强数据安全管理的建议",
    "关于支持企业研发投入的建议", "关于打造区域公共品牌的建议", "关于发展节能环保产业的建议",
    "关于加强企业家培训的建议", "关于推进政务服务数字化的建议", "关于支持民营企业参与重大项目的建议",
]

# Groups: (count, role, assigned, typed deadline, status, replied, classes, contacts, satisfactions)
# Dates are chosen so that on 2026-06-28 each group has one known state.
LEAD_GROUPS = [
    # completed on time: 3-month limit, replied before the deadline
    (18, "主办", D(2026, 2, 10), None, "已办结", D(2026, 4, 28),
     "A" * 10 + "B" * 6 + "C" * 2, ["见面座谈"] * 10 + ["电话联系"] * 5 + ["实地调研"] * 3,
     ["满意"] * 12 + ["基本满意"] * 5 + ["不满意"]),
    # completed late: deadline 2026-05-10, replied 2026-05-20
    (3, "主办", D(2026, 2, 10), None, "已办结", D(2026, 5, 20), "BBC", ["电话联系"] * 3, ["基本满意"] * 2 + ["不满意"]),
    # preliminary reply, deadline 2026-07-15: in progress, not yet due soon
    (6, "主办", D(2026, 4, 15), None, "已初步答复", None, "", ["见面座谈"] * 3 + ["电话联系"] * 3, []),
    # overdue: deadline 2026-06-10 (18 days) and 2026-05-25 (34 days)
    (4, "会办", D(2026, 3, 10), None, "办理中", None, "", ["电话联系"] * 3 + [""], []),
    (2, "主办", D(2026, 2, 25), None, "办理中", None, "", [""] * 2, []),
    # due soon: deadline 2026-07-01 (3 days left), and a typed deadline 2026-07-05 (7 days left)
    (3, "分办", D(2026, 4, 1), None, "办理中", None, "", [""] * 3, []),
    (1, "分办", D(2026, 4, 20), D(2026, 7, 5), "办理中", None, "", [""], []),
    # the assigned date is unreadable: no deadline (a data problem)
    (1, "主办", "待定", None, "办理中", None, "", [""], []),
]
ASSISTING_GROUPS = [
    # opinion sent on time: deadline 2026-04-05
    (16, "协办", D(2026, 3, 5), None, "已办结", D(2026, 3, 25), "", [""] * 16, []),
    # opinion sent late
    (1, "协办", D(2026, 3, 5), None, "已办结", D(2026, 4, 15), "", [""], []),
    # overdue: deadline 2026-06-20 (8 days)
    (2, "协办", D(2026, 5, 20), None, "办理中", None, "", [""] * 2, []),
    # due soon: deadline 2026-07-01
    (1, "协办", D(2026, 6, 1), None, "办理中", None, "", [""], []),
    # not yet due: deadline 2026-07-20
    (1, "协办", D(2026, 6, 20), None, "未办理", None, "", [""], []),
    # 已办结 without a reply date: completed, but a data problem
    (1, "协办", D(2026, 3, 5), None, "已办结", None, "", [""], []),
]
#: (index among all rows) of the key proposals: the first preliminary reply (专精特新),
#: the first completed lead item, the first overdue lead item.
KEY_ROWS = {21: TITLES[0], 0: TITLES[5], 27: TITLES[8]}
#: Dates typed as text in the forms clerks use (row index -> text).
TEXT_DATES = {1: "2026年2月10日", 2: "2026/02/10", 3: "2026.2.10", 4: "2026-2-10"}


def sample_rows() -> list[dict]:
    """The sample's rows as dicts keyed by column key."""
    rows = []
    title_pool = [t for t in TITLES if t not in KEY_ROWS.values()]
    for count, role, assigned, deadline, status, replied, classes, contacts, satisfactions in LEAD_GROUPS + ASSISTING_GROUPS:
        for index in range(count):
            number = len(rows)
            section, handlers, leader = SECTIONS[number % len(SECTIONS)]
            assisting = role == "协办"
            kind = "人大建议" if number % 3 == 2 else "政协提案"
            title = KEY_ROWS.get(number) or title_pool.pop(0)
            rows.append({
                "seq": number + 1,
                "id": f"{'JY' if kind == '人大建议' else 'TA'}2026{number + 1:03d}",
                "kind": kind,
                "title": title,
                "proposer": PROPOSERS[number % len(PROPOSERS)],
                "role": role,
                "key_item": "是" if number in KEY_ROWS else "否",
                "lead_unit": "区发改局" if assisting else "",
                "section": section,
                "handler": handlers[number % 2],
                "leader": leader,
                "topic": TOPICS[number % len(TOPICS)],
                "assigned": TEXT_DATES.get(number, assigned),
                "deadline": deadline,
                "status": status,
                "replied": replied,
                "reply_class": classes[index] if index < len(classes) else "",
                "contact": contacts[index] if index < len(contacts) else "",
                "satisfaction": satisfactions[index] if index < len(satisfactions) else "",
                "public": "是" if replied else "",
                "note": "",
            })
    return rows


def build_sample(config=None) -> bytes:
    """The sample ledger: the template (with the headers of `config`) and the sample rows."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(build_template(config)))
    sheet = workbook["台账"]
    sheet["A1"] = "2026年度政协委员提案和人大代表建议办理台账"
    keys = [key for key, *_ in TEMPLATE_COLUMNS]
    for offset, row in enumerate(sample_rows()):
        for column, key in enumerate(keys, start=1):
            value = row[key]
            if value not in ("", None):
                sheet.cell(row=FIRST_DATA_ROW + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return reproducible_zip(buffer.getvalue())


def write_sample(path: Path, config=None) -> None:
    path.write_bytes(build_sample(config))
