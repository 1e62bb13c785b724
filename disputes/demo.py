"""Demo cases (`manage.py seed_demo`): several hundred disputes across every township of the
demo city, in every state and category, created through disputes/services.py by the demo
users who would take each step, so every case has a real timeline, deadlines, assignments,
notifications and encrypted parties.

- Mixes follow DOMAIN.md: family and neighbour disputes ≈ 1/3, 损害赔偿 ≈ 22%, 合同 ≈ 15%;
  every leaf category and every township gets cases; 红旗街街道 and 七一路街道 (the demo
  accounts' townships) get more.
- History: each case is played out over the past months. The services read the clock from
  `django.utils.timezone.now`, so each step runs under `unittest.mock.patch` of that
  function at the step's time (demo code only: the services have no other way to be told
  "this happened last month", and they must stay the only writers of case state). Steps
  of open cases that started long ago have passed deadlines: overdue cases, as in real life.
- Deterministic: everything is drawn from the `rng` seed_demo passes in (ages are relative to
  the day it runs). Idempotent: cases carry submit tokens "demo-NNNN"; when they exist the
  seeder does nothing.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO
from unittest import mock

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from stdnum.cn import uscc

from disputes import services
from disputes.models import (
    Case,
    CaseState,
    Category,
    Channel,
    MediationOutcome,
    PartyKind,
    PartyRole,
    RiskGrade,
    WarningLevel,
)
from disputes.parties import ric_check_digit
from disputes.services import case_escalate as escalate_case
from disputes.sweep import deadline_sweep_all
from governance.demo import DEMO_CITY_CODE, demo_users, department_name, person_name
from governance.models import Department, Region, RegionLevel, Role, User
from governance.workdays import SHANGHAI
from grids.demo import GRID_WORKERS
from grids.models import Grid

DEMO_CASES = 600
TOKEN_PREFIX = "demo-"
FOCUS_TOWNSHIPS = {"610202002": 8, "610202001": 5}  # 红旗街街道, 七一路街道: extra weight
MIN_PER_TOWNSHIP = 3
ESCALATED_SHARE = 0.05  # of accepted township cases, reported up to the county by hand

# Final state of a case → share. Open states include overdue ones (see AGES).
STATE_MIX = [(CaseState.CLOSED, 40), (CaseState.RESOLVED, 8), (CaseState.IN_PROGRESS, 20),
             (CaseState.DISPATCHED, 8), (CaseState.ACCEPTED, 6), (CaseState.REGISTERED, 10),
             (CaseState.REJECTED, 8)]
# Age of the case in days by final state: (normal range, overdue share, overdue range).
AGES = {
    CaseState.CLOSED: ((6, 150), 0, None),
    CaseState.REJECTED: ((0.2, 120), 0, None),
    CaseState.RESOLVED: ((0.5, 12), 0, None),
    CaseState.IN_PROGRESS: ((1, 16), 0.3, (25, 90)),
    CaseState.DISPATCHED: ((0.05, 1), 0.3, (3, 12)),
    CaseState.ACCEPTED: ((0.05, 2), 0.3, (5, 15)),
    CaseState.REGISTERED: ((0.02, 1.5), 0.25, (5, 12)),
}
# Leaf category name → weight; leaves not listed share what is left (DOMAIN.md mixes).
CATEGORY_WEIGHTS = {"婚姻家庭": 14, "邻里纠纷": 13, "房屋和宅基地": 6, "损害赔偿": 22, "合同履行": 15}
OTHER_CATEGORIES_WEIGHT = 30
CHANNEL_MIX = [(Channel.VISIT, 45), (Channel.PHONE, 20), (Channel.HOTLINE, 15), (Channel.ONLINE, 8),
               (Channel.DEPARTMENT, 7), (Channel.SUPERIOR, 5)]
RISK_MIX = [(None, 15), ("blue", 40), ("yellow", 32), ("orange", 10), ("red", 3)]
# Hours between a step and the one before it (drawn uniformly, compressed when the case is young).
GAP_HOURS = {
    "accept": (0.3, 20), "reject": (0.5, 24), "dispatch": (0.5, 24), "return": (2, 16), "sign": (0.5, 20),
    "handle": (0.2, 8), "progress": (24, 96), "extend": (48, 120), "extend_decide": (2, 24),
    "mediation": (24, 120), "resolve": (24, 200), "callback": (24, 96), "redo": (24, 96),
    "escalate": (2, 48), "supervise": (4, 72), "urge": (4, 72), "instruct": (4, 72), "urgent": (1, 24),
}
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188",
                   "189", "199"]
ROADS = ["人民路", "建设路", "红旗街", "七一路", "新川路", "正阳路", "朝阳路", "金谟路", "长虹路", "川口路"]
COMPANY_WORDS = ["宏达", "鑫源", "华泰", "秦川", "金桥", "恒通", "瑞丰", "德润", "嘉禾", "天成", "鸿运", "兴旺"]
COMPANY_KINDS = {
    "build": "建筑工程有限公司", "decor": "装饰工程有限公司", "estate": "物业服务有限公司",
    "trade": "商贸有限公司", "catering": "餐饮管理有限公司", "car": "汽车销售服务有限公司",
    "factory": "建材有限公司", "edu": "教育培训中心", "clinic": "医院", "coop": "农业专业合作社",
}

# Templates per leaf category: (title, narrative, respondent organisation kind or None).
# Placeholders: {a} applicant, {b} respondent, {village} {town} {road} {n} {amount} {month}.
TEMPLATES: dict[str, list[tuple[str, str, str | None]]] = {
    "婚姻家庭": [
        ("{a}与{b}离婚后子女抚养费纠纷", "{a}反映，其与前夫{b}于三年前协议离婚，约定{b}每月支付孩子抚养费1200元，自{month}起{b}以收入减少为由停止支付，{a}多次催要未果，请求调解。", None),
        ("{a}反映子女不履行赡养义务", "{a}年过七旬，住{village}，育有二子一女。近半年来长子{b}以家庭困难为由不再承担赡养费用，兄妹之间因分担比例发生争吵，{a}请求组织家庭成员协商。", None),
        ("{a}与{b}夫妻矛盾调解", "{a}与丈夫{b}因家庭开支和照顾老人问题长期争吵，近日发生推搡，{a}回娘家居住并提出离婚，双方亲属请求社区帮助调解。", None),
    ],
    "邻里纠纷": [
        ("{a}与{b}因排水问题发生邻里纠纷", "{a}与邻居{b}同住{village}，{b}家翻修院落后将排水管改向{a}家一侧，雨天积水渗入{a}家墙根，双方多次争执，{a}请求调解。", None),
        ("楼上漏水致{a}家屋顶受损", "{a}住{road}{n}号楼，反映楼上住户{b}家卫生间长期漏水，致其家中顶棚霉变、墙皮脱落，{b}认为是楼体老化所致，拒绝维修，双方协商未果。", None),
        ("{a}与{b}因楼道堆放杂物发生争执", "{a}反映同单元住户{b}长期在楼道堆放纸箱和废旧家具，既影响通行又存在消防隐患，劝说无效后双方发生口角，请求社区处理。", None),
        ("{a}反映邻居{b}饲养犬只扰民", "{a}反映邻居{b}饲养两只大型犬，夜间吠叫严重影响休息，且外出不拴绳，老人孩子不敢出门，双方因此多次争吵。", None),
    ],
    "房屋和宅基地": [
        ("{a}与{b}宅基地界址纠纷", "{a}与{b}系{village}同组村民，两家宅基地相邻。{b}新建院墙时向{a}一侧延伸约0.5米，{a}认为侵占其宅基地，双方各执一词，请求现场勘验调解。", None),
        ("{a}与{b}因建房遮挡采光发生纠纷", "{b}在原址新建三层住宅，建成后遮挡{a}家南侧采光，{a}要求{b}降低层高或给予补偿，{b}称已办理审批手续，双方争执不下。", None),
    ],
    "损害赔偿": [
        ("{a}被{b}饲养的犬只咬伤赔偿纠纷", "{month}，{a}在{village}{road}附近行走时被{b}饲养的犬只咬伤小腿，花费医疗费及疫苗费用约{amount}元，{b}只愿承担部分费用，双方协商未果。", None),
        ("{a}与{b}因打架致伤医疗费赔偿纠纷", "{a}与{b}因琐事发生口角并相互推搡，{a}摔倒致手腕骨折，住院治疗花费{amount}元，{a}要求{b}赔偿医疗费、误工费，{b}认为双方均有过错。", None),
        ("{b}施工致{a}房屋墙体开裂赔偿纠纷", "{b}在{a}家相邻地块施工开挖地基，{a}家房屋墙体出现多处裂缝，{a}要求赔偿维修费用约{amount}元，{b}对损失金额有异议。", "build"),
        ("{a}车辆被{b}院内树木砸坏赔偿纠纷", "大风天气中{b}院内一棵杨树折断，砸坏停放在路边的{a}家小轿车，维修报价{amount}元，双方对责任划分存在争议。", None),
    ],
    "交通事故": [
        ("{a}与{b}电动车相撞赔偿纠纷", "{a}骑电动车在{road}与{b}驾驶的三轮车相撞，{a}受轻伤，交警认定双方同等责任，双方就医疗费和车辆维修费{amount}元的分担协商未果。", None),
    ],
    "合同履行": [
        ("{a}与{b}装修合同纠纷", "{a}与{b}签订房屋装修合同，总价{amount}元，约定60天完工。现已逾期一个多月，且墙面开裂、地砖空鼓，{a}要求返工并赔偿，{b}要求先付尾款。", "decor"),
        ("{a}与{b}房屋租赁押金纠纷", "{a}租住{b}位于{road}的住房，租期届满退租后，{b}以屋内家具损坏为由扣留押金{amount}元，{a}认为属正常使用损耗，请求调解。", None),
        ("{a}与{b}购车合同纠纷", "{a}在{b}购买轿车一辆，交付时发现车辆有维修记录，{a}要求退车并返还购车款{amount}元，{b}仅同意给予部分补偿。", "car"),
        ("{a}与{b}农资买卖合同纠纷", "{a}从{b}赊购化肥、种子等农资，约定秋收后付款{amount}元，现{a}以种子出芽率低为由拒付部分货款，双方发生争执。", "coop"),
    ],
    "消费": [
        ("{a}预付卡退费纠纷", "{a}在{b}办理预付卡，充值{amount}元，现该店更换经营者并停止服务，{a}要求退还余额被拒。", "edu"),
    ],
    "债权债务": [
        ("{a}与{b}民间借贷纠纷", "{b}于两年前向{a}借款{amount}元用于经营，约定一年内归还，{a}持有借条，多次催要{b}以资金周转困难为由拖延。", None),
    ],
    "劳动报酬": [
        ("{n}名务工人员追讨{b}拖欠工资", "{a}等{n}名务工人员反映，其在{b}承建的{village}项目务工，工程已完工半年，仍有工资{amount}元未结清，工人情绪激动，有聚集上访苗头。", "build"),
        ("{a}追讨{b}拖欠劳动报酬", "{a}在{b}从事厨师工作，离职时该单位拖欠其三个月工资共计{amount}元，经多次协商未果。", "catering"),
    ],
    "劳动合同": [
        ("{a}与{b}解除劳动合同经济补偿纠纷", "{a}在{b}工作五年，单位以经营调整为由口头通知其离职，未支付经济补偿，{a}要求依法支付补偿金{amount}元。", "trade"),
    ],
    "工伤待遇": [
        ("{a}与{b}工伤待遇纠纷", "{a}在{b}工作期间从脚手架跌落受伤，已认定为工伤，单位未为其缴纳工伤保险，双方就停工留薪期工资及医疗费{amount}元的支付存在分歧。", "build"),
    ],
    "物业服务": [
        ("{village}部分业主与{b}物业费纠纷", "{a}等{n}户业主反映{b}电梯频繁故障、小区卫生差，以服务不到位为由拒交物业费，物业公司采取停止刷卡等措施，矛盾激化。", "estate"),
    ],
    "建筑工程质量": [
        ("{a}反映新购住房漏水质量纠纷", "{a}购买的商品房交付不到一年，外墙渗水、窗台漏雨，多次向开发建设单位{b}报修未果，要求维修并赔偿损失。", "build"),
    ],
    "山林土地": [
        ("{a}与{b}林地承包界限纠纷", "{a}与{b}在{village}后山的承包林地相邻，{b}砍伐林木时越界砍伐{a}林地内刺槐十余棵，双方对界限认定不一。", None),
    ],
    "水利界线": [
        ("{a}与{b}灌溉用水纠纷", "{village}{a}与{b}两组共用一条灌溉渠，春灌期间{b}一方在上游截水，致下游{n}户农田无法浇灌，双方发生争执。", None),
    ],
    "环境噪声": [
        ("{a}反映{b}夜间施工噪声扰民", "{a}反映{road}附近{b}工地连续多日夜间施工至凌晨，噪声严重影响周边居民休息，要求停止夜间施工。", "build"),
        ("{a}反映广场舞音响扰民", "{a}反映{village}广场每晚广场舞音响音量过大持续至22时以后，周边居民多次劝说无果，与组织者{b}发生争执。", None),
    ],
    "环境污染": [
        ("{a}等反映{b}粉尘污染", "{a}等{n}户村民反映{b}生产时粉尘外溢，周边农作物和居民晾晒衣物受污染，要求企业整改并给予补偿。", "factory"),
    ],
    "土地承包经营": [
        ("{a}与{b}土地承包经营权纠纷", "{a}外出务工期间将承包地交由{b}代种，现{a}返乡要求收回，{b}以已投入改良为由拒绝归还，双方争执。", None),
    ],
    "集体资产": [
        ("{village}村民对集体收益分配有异议", "{a}等{n}名村民反映，{village}集体土地流转收益{amount}元的分配方案未经村民代表大会讨论，部分外嫁女未被纳入分配范围，要求公开账目。", None),
    ],
    "民族宗教": [
        ("{a}反映宗教活动场所扩建占用道路", "{a}等{n}户村民反映，{village}一处宗教活动场所扩建围墙占用了村组道路，与管理人{b}协商未果，双方情绪对立，请求依法处理。", None),
    ],
    "军转干部、复员退伍军人安置": [
        ("退役军人{a}反映安置待遇未落实", "退役军人{a}反映，其退役后安置工作岗位及相关待遇未按政策落实，多次向有关单位反映未得到明确答复，请求协调。", None),
    ],
    "征地拆迁安置": [
        ("{a}对{village}征地补偿标准有异议", "{a}等{n}户村民反映，{village}部分承包地被征收用于道路建设，对地上附着物补偿标准和安置方案有异议，与征收实施单位多次协商未果。", None),
        ("{a}反映拆迁安置房迟迟未交付", "{a}反映其房屋已于两年前拆迁，按协议安置房应于去年底交付，至今未交付，过渡费也停发，要求落实安置。", None),
    ],
    "企业改制": [
        ("{b}原职工反映改制遗留社保问题", "{a}等{n}名原职工反映，{b}改制时未足额为其补缴养老保险，现已到退休年龄无法办理退休手续，要求解决。", "factory"),
    ],
    "司法活动": [
        ("{a}反映判决长期未执行到位", "{a}与{b}民间借贷纠纷一案经法院判决，{b}应偿还{amount}元，至今未履行，{a}对执行进度不满，情绪激动。", None),
    ],
    "行政执法活动": [
        ("{a}对违建拆除执法有异议", "{a}反映其在自家院内搭建的彩钢房被认定为违法建设并限期拆除，认为执法程序不当，要求说明依据并给予补偿。", None),
    ],
    "大中专院校、中小学校": [
        ("{a}与学校因学生受伤赔偿发生纠纷", "{a}之子在校体育课期间摔伤，花费医疗费{amount}元，家长认为学校管理不到位，要求学校承担全部费用，双方协商未果。", None),
    ],
    "海事渔事": [
        ("{a}与{b}水库承包养殖纠纷", "{a}承包{village}附近水库从事网箱养鱼，承包期未满，发包方以水源保护为由要求其提前撤出，{a}要求赔偿鱼苗和设施损失{amount}元。", None),
    ],
    "干部作风": [
        ("{a}反映村干部办事推诿", "{a}反映其办理低保申请时，{village}村(居)委会干部{b}多次推诿拖延，态度生硬，要求有关部门督促办理。", None),
    ],
    "村(社区)务管理": [
        ("{village}村民对村务公开有异议", "{a}等{n}名村民反映{village}近两年集体收支未按规定公开，对道路硬化工程费用有疑问，要求公开账目。", None),
    ],
    "其他": [
        ("{a}与{b}因车位使用发生纠纷", "{a}反映小区内其长期使用的公共车位被{b}安装地锁占用，双方多次争吵，险些发生肢体冲突。", None),
    ],
    "医疗纠纷": [
        ("{a}与{b}医疗纠纷", "{a}之父在{b}住院治疗期间病情加重，家属认为医院诊疗存在过错，要求赔偿{amount}元，医院建议通过医疗纠纷人民调解委员会处理。", "clinic"),
    ],
}
GENERIC_TEMPLATES = [
    ("{a}反映{category}问题", "{a}来到{town}综治中心反映{category}方面的问题：{b}一方处理不当，{a}多次沟通未果，请求综治中心协调相关部门处理。", None),
    ("关于{village}{category}问题的诉求", "{village}群众{a}反映{category}问题，涉及{n}人，情绪较为激动，希望尽快得到答复和处理。", None),
]
ESCALATE_NOTES = ["涉及多个部门职能，镇级协调难度大，申请区级综治中心统筹化解。",
                  "涉及人数较多，有群体性事件苗头，镇级无法化解，请求上级介入。"]
REJECT_REASONS = [
    ("该事项已由人民法院立案受理，不属于本中心受理范围", "已告知当事人按法院通知参加诉讼"),
    ("该事项属于劳动仲裁受理范围", "已告知当事人向劳动人事争议仲裁委员会申请仲裁"),
    ("诉求不明确，当事人未能提供基本事实", "已告知当事人补充材料后重新登记"),
    ("该事项属于已依法终结的信访事项", "已告知当事人依法申请复查复核的途径"),
]
PROGRESS_NOTES = ["已电话联系双方当事人，约定时间到场调解。", "已到现场查看情况并拍照留存。",
                  "已组织双方第一次调解，分歧较大，继续做工作。", "已会同村(社区)干部走访了解情况。"]
RESOLVE_NOTES = ["已协调相关单位依法处理，当事人表示认可。", "经释法说理，当事人撤回诉求。",
                 "经调解双方达成一致，当场履行完毕。"]
RESOLVE_AGREED_NOTES = ["经调解双方签订调解协议，约定分期履行。", "双方已签订调解协议并当场履行完毕。"]
CALLBACK_OK = ["电话回访，当事人对处理结果满意。", "上门回访，协议已履行，当事人满意。"]
CALLBACK_REDO = "电话回访，当事人反映协议未履行，要求重新处理。"


@dataclass
class Actors:
    """The demo users who act in one township (and its county)."""

    clerk: User
    handlers: dict[str, User]  # department suffix → handler ("司法所", "派出所")
    departments: dict[str, Department]
    county_clerk: User
    county_dispatcher: User
    county_handler: User
    county_department: Department
    leader: User


@dataclass
class _Holders:
    """Who acts on a case now: its owning center's user and whoever handles it."""

    center: User
    county_level: bool
    handler: User | None = None
    agreed: bool = False  # a mediation ended with an agreement


@dataclass
class Plan:
    number: int
    township: Region
    village: Region
    grid: Grid | None
    category: Category
    target: str
    start: dt.datetime
    reporter: User | None = None  # grid worker reporting from the field
    county_owned: bool = False
    steps: list[tuple[str, dict]] = field(default_factory=list)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def id_number(rng: random.Random, area_code: str, *, today: dt.date) -> str:
    """A checksum-valid 18-digit resident ID for an adult born in the area."""
    born = today - dt.timedelta(days=rng.randint(18 * 365 + 5, 80 * 365))
    first17 = f"{area_code}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + ric_check_digit(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def credit_code(rng: random.Random, area_code: str) -> str:
    """A checksum-valid unified social credit code (统一社会信用代码) of a company."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = f"91{area_code}MA" + "".join(rng.choice(alphabet) for _ in range(7))
    return first17 + uscc.calc_check_digit(first17)


def company_name(rng: random.Random, kind: str, county: Region) -> str:
    if kind == "clinic":
        return f"{county.name}{rng.choice(['人民', '中医', '妇幼保健'])}医院"
    return f"铜川市{rng.choice(COMPANY_WORDS)}{COMPANY_KINDS[kind]}"


def _address(rng: random.Random, village: Region) -> str:
    if village.name.endswith("村"):
        return f"{village.name}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
    return f"{village.name}{rng.choice(ROADS)}{rng.randint(1, 60)}号{rng.randint(1, 6)}单元"


def _text(rng: random.Random, plan: Plan, county: Region) -> tuple[str, str, list[services.PartyInput], dict]:
    """Title, narrative, parties and figures for the plan's category."""
    templates = TEMPLATES.get(plan.category.name, GENERIC_TEMPLATES)
    title, narrative, org_kind = rng.choice(templates)
    today = plan.start.astimezone(SHANGHAI).date()
    applicant = person_name(rng)
    people = rng.randint(5, 40) if "{n}" in title + narrative else rng.choice((2, 2, 2, 3, 4))
    parties = [services.PartyInput(
        role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name=applicant,
        id_number=id_number(rng, county.code, today=today), phone=mobile(rng), address=_address(rng, plan.village))]
    if org_kind:
        respondent = company_name(rng, org_kind, county)
        parties.append(services.PartyInput(
            role=PartyRole.RESPONDENT, kind=PartyKind.ORGANISATION, name=respondent,
            id_number=credit_code(rng, county.code), phone=f"0919{rng.randint(2, 8)}{rng.randint(0, 999_999):06d}",
            address=f"{county.name}{rng.choice(ROADS)}{rng.randint(1, 200)}号"))
    else:
        respondent = person_name(rng)
        parties.append(services.PartyInput(
            role=PartyRole.RESPONDENT, kind=PartyKind.PERSON, name=respondent,
            id_number=id_number(rng, county.code, today=today) if rng.random() < 0.8 else "",
            phone=mobile(rng), address=_address(rng, plan.village)))
    amount = Decimal(rng.choice((800, 1500, 2600, 3800, 5000, 8600, 12000, 26000, 45000, 80000, 150000)))
    month = plan.start.astimezone(SHANGHAI) - dt.timedelta(days=rng.randint(5, 60))
    values = {"a": applicant, "b": respondent, "village": plan.village.name, "town": plan.township.name,
              "road": rng.choice(ROADS), "n": people, "amount": f"{amount:,.0f}",
              "month": f"{month.month}月{month.day}日", "category": plan.category.name}
    figures = {"people_involved": people, "amount_involved": amount if "{amount}" in narrative else None}
    return title.format(**values)[:200], narrative.format(**values), parties, figures


# --- Planning ---------------------------------------------------------------------------------


def _townships(rng: random.Random, townships: list[Region], n: int) -> list[Region]:
    """Every township at least MIN_PER_TOWNSHIP times, the rest weighted (streets busier)."""
    out = [t for t in townships for _ in range(MIN_PER_TOWNSHIP)]
    weights = [FOCUS_TOWNSHIPS.get(t.code, 2 if t.name.endswith("街道") else 1) for t in townships]
    out += rng.choices(townships, weights=weights, k=max(0, n - len(out)))
    rng.shuffle(out)
    return out[:n]


def _categories(rng: random.Random, leaves: list[Category], n: int) -> list[Category]:
    """Every leaf category at least once, the rest by CATEGORY_WEIGHTS."""
    listed = [c for c in leaves if c.name in CATEGORY_WEIGHTS]
    others = [c for c in leaves if c.name not in CATEGORY_WEIGHTS]
    weights = [CATEGORY_WEIGHTS[c.name] for c in listed] + [OTHER_CATEGORIES_WEIGHT / max(len(others), 1)] * len(others)
    out = list(leaves) + rng.choices(listed + others, weights=weights, k=max(0, n - len(leaves)))
    rng.shuffle(out)
    return out[:n]


def _start(rng: random.Random, target: str, now: dt.datetime) -> dt.datetime:
    (low, high), overdue_share, overdue = AGES[target]
    if overdue and rng.random() < overdue_share:
        low, high = overdue
    day = (now - dt.timedelta(days=rng.uniform(low, high))).astimezone(SHANGHAI).date()
    start = dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI) + dt.timedelta(minutes=rng.randint(0, 570))
    return min(start, now - dt.timedelta(minutes=rng.randint(20, 120)))


def _steps(rng: random.Random, plan: Plan) -> list[tuple[str, dict]]:
    """The steps from registration to the plan's final state, with who takes them."""
    target = plan.target
    if target == CaseState.REGISTERED:
        return []
    if target == CaseState.REJECTED:
        return [("reject", {})]
    steps: list[tuple[str, dict]] = [("accept", {})]
    if target == CaseState.ACCEPTED:
        return steps + ([("urge", {})] if rng.random() < 0.3 else [])
    family = plan.category.parent_id and plan.category.name in ("婚姻家庭", "邻里纠纷", "房屋和宅基地")
    escalated = not plan.county_owned and rng.random() < ESCALATED_SHARE
    if escalated:
        steps.append(("escalate", {}))  # 上报: the township cannot resolve it; the county takes over
    if not plan.county_owned and not escalated and family and rng.random() < 0.35:
        steps.append(("handle", {}))  # 先行调解 by the township center itself
    else:
        police = plan.category.name in ("损害赔偿", "交通事故", "邻里纠纷") and rng.random() < 0.4
        first = "派出所" if police else "司法所"
        if not plan.county_owned and not escalated and rng.random() < 0.08:
            # Mis-routed to the police station, sent back with a reason, dispatched again.
            steps += [("dispatch", {"to": "派出所"}), ("return", {"to": "派出所"})]
            first = "司法所"
        steps.append(("dispatch", {"to": first}))
        if target == CaseState.DISPATCHED:
            return steps
        steps.append(("sign", {"to": first}))
    if rng.random() < 0.5:
        steps.append(("progress", {}))
    if target == CaseState.IN_PROGRESS:
        if rng.random() < 0.12:
            steps += [("extend", {}), ("extend_decide", {})]
        if rng.random() < 0.2:
            steps.append(("supervise", {}))
        if rng.random() < 0.05:
            steps += [("instruct", {}), ("urgent", {})]
        return steps
    if family or rng.random() < 0.3:
        steps.append(("mediation", {}))
    steps.append(("resolve", {}))
    if target == CaseState.RESOLVED:
        return steps
    if rng.random() < 0.06:
        steps += [("redo", {}), ("resolve", {})]
    return steps + [("callback", {})]


def plans_make(rng: random.Random, now: dt.datetime, n: int) -> list[Plan]:
    townships = list(Region.objects.filter(city__code=DEMO_CITY_CODE, level=RegionLevel.TOWNSHIP).order_by("code"))
    township_by_id = {t.pk: t for t in townships}
    villages: dict[int, list[Region]] = {}
    for village in Region.objects.filter(city__code=DEMO_CITY_CODE, level=RegionLevel.VILLAGE).order_by("code"):
        villages.setdefault(village.township_id, []).append(village)
    grids: dict[int, list[Grid]] = {}
    for grid in Grid.objects.filter(city__code=DEMO_CITY_CODE, is_active=True).order_by("code"):
        grids.setdefault(grid.region_id, []).append(grid)
    leaves = list(Category.objects.filter(is_active=True).annotate(n_children=Count("children"))
                  .filter(n_children=0).select_related("parent").order_by("code"))
    # Grid workers report from their own village and grid (the first one, see grids/demo.py).
    workers = User.objects.select_related("region").in_bulk(list(GRID_WORKERS), field_name="username")
    worker_of = {workers[name].region_id: workers[name] for name in GRID_WORKERS if name in workers}
    worker_villages = [v for vs in villages.values() for v in vs if v.pk in worker_of]

    plans = []
    for number, (township, category) in enumerate(zip(_townships(rng, townships, n), _categories(rng, leaves, n),
                                                      strict=True), start=1):
        village = rng.choice(villages[township.pk])
        if township.code in FOCUS_TOWNSHIPS and worker_villages and rng.random() < 0.3:
            # Put cases in the grid workers' villages so their phone screens show some.
            village = rng.choice(worker_villages)
            township = township_by_id[village.township_id]
        target = _weighted(rng, STATE_MIX)
        plan = Plan(number=number, township=township, village=village, category=category, target=target,
                    grid=rng.choice(grids[village.pk]) if grids.get(village.pk) else None,
                    start=_start(rng, target, now))
        if village.pk in worker_of and rng.random() < 0.6:
            plan.reporter = worker_of[village.pk]
            plan.grid = grids[village.pk][0] if grids.get(village.pk) else None
        elif target != CaseState.REJECTED and rng.random() < 0.06:
            plan.county_owned = True  # 上级交办 / 12345 转办 registered at the county center
        plan.steps = _steps(rng, plan)
        plans.append(plan)
    return plans


def _times(rng: random.Random, plan: Plan, now: dt.datetime) -> list[dt.datetime]:
    """When each step happens: drawn gaps, compressed when the case is too young for them
    so that the last step falls somewhere between its registration and now."""
    gaps = [rng.uniform(*GAP_HOURS[name]) for name, _ in plan.steps]
    room = (now - plan.start).total_seconds() / 3600 * rng.uniform(0.6, 0.97)
    scale = min(1.0, room / sum(gaps)) if gaps and room > 0 else 1.0
    times, t = [], plan.start
    for gap in gaps:
        t += dt.timedelta(hours=gap * scale)
        times.append(t)
    return times


# --- Playing the plans through the services ------------------------------------------------------


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    # Demo history only (see the module docstring): the services read timezone.now().
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class Player:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        city = Region.objects.get(code=DEMO_CITY_CODE, level=RegionLevel.CITY)
        regions = list(Region.objects.filter(city=city, level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]))
        accounts = {(u.region_code, u.role, u.department): u.username for u in demo_users(regions)}
        users = User.objects.select_related("region", "department").in_bulk(list(accounts.values()),
                                                                            field_name="username")
        departments = {(d.region_id, d.name): d for d in Department.objects.filter(city=city)}
        self.risk = dict(RiskGrade.objects.values_list("code", "pk"))
        self.leader = users[accounts[(city.code, Role.LEADER, "")]]
        self.city_dispatcher = users[accounts[(city.code, Role.DISPATCHER, "")]]
        self.actors: dict[int, Actors] = {}
        counties = {r.pk: r for r in regions if r.level == RegionLevel.COUNTY}
        for township in (r for r in regions if r.level == RegionLevel.TOWNSHIP):
            county = counties[township.county_id]

            def user(region: Region, role: str, department: str = "") -> User:
                return users[accounts[(region.code, role, department)]]

            self.actors[township.pk] = Actors(
                clerk=user(township, Role.WINDOW_STAFF),
                handlers={d: user(township, Role.HANDLER, d) for d in ("司法所", "派出所")},
                departments={d: departments[(township.pk, department_name(township, d))] for d in ("司法所", "派出所")},
                county_clerk=user(county, Role.WINDOW_STAFF),
                county_dispatcher=user(county, Role.DISPATCHER),
                county_handler=user(county, Role.HANDLER, "司法局"),
                county_department=departments[(county.pk, department_name(county, "司法局"))],
                leader=user(county, Role.LEADER),
            )
        self.counties = counties

    def play(self, plan: Plan, now: dt.datetime) -> Case:
        rng = self.rng
        actors = self.actors[plan.township.pk]
        county = self.counties[plan.township.county_id]
        title, narrative, parties, figures = _text(rng, plan, county)
        registrar = plan.reporter or (actors.county_clerk if plan.county_owned else actors.clerk)
        channel = Channel.SUPERIOR if plan.county_owned and rng.random() < 0.5 else _weighted(rng, CHANNEL_MIX)
        data = services.CaseInput(
            title=title, narrative=narrative, category_id=plan.category.pk, channel=channel,
            occurred_at=plan.start - dt.timedelta(hours=rng.uniform(2, 240)), village_id=plan.village.pk,
            grid_id=plan.grid.pk if plan.grid else None, address=_address(rng, plan.village), **figures,
            urgent=False, long_standing=rng.random() < 0.04,
        )
        with clock_at(plan.start):
            case = services.case_register(actor=registrar, data=data, parties=parties,
                                          submit_token=f"{TOKEN_PREFIX}{plan.number:04d}")
        state = _Holders(county_level=plan.county_owned,
                         center=actors.county_clerk if plan.county_owned else actors.clerk)
        state.handler = state.center
        for (name, args), moment in zip(plan.steps, _times(rng, plan, now), strict=True):
            with clock_at(moment):
                self._step(name, args, case.pk, actors, state, moment)
        return case

    def _step(self, name: str, args: dict, case_id: int, actors: Actors, state: _Holders,
              moment: dt.datetime) -> None:
        """Run one step as the user who takes it; `state` follows who holds the case."""
        rng = self.rng
        center, handler = state.center, state.handler
        # Oversight comes from the level above the owning center.
        overseer = self.city_dispatcher if state.county_level else actors.county_dispatcher
        if name == "escalate":
            escalate_case(actor=center, case_id=case_id, note=rng.choice(ESCALATE_NOTES))
            state.county_level, state.center = True, actors.county_dispatcher
            state.handler = state.center
        elif name == "dispatch":
            if state.county_level:
                department, state.handler = actors.county_department, actors.county_handler
            else:
                department, state.handler = actors.departments[args["to"]], actors.handlers[args["to"]]
            services.case_dispatch(actor=center, case_id=case_id, department_id=department.pk,
                                   instructions="请及时签收，依法调处并按期反馈。")
        elif name == "sign":
            services.case_sign(actor=handler, case_id=case_id)
        elif name == "mediation":
            mediation = services.mediation_record(actor=handler, case_id=case_id,
                                                  data=_mediation(rng, moment, handler))
            state.agreed = mediation.outcome == MediationOutcome.AGREEMENT
        elif name == "return":
            services.case_return(actor=handler, case_id=case_id,
                                 reason="经核实，该纠纷不涉及治安案件，不属于本单位职责，建议交司法所调解。")
            state.handler = center
        else:
            actions: dict[str, Callable[[], object]] = {
                "accept": lambda: services.case_accept(
                    actor=center, case_id=case_id, risk_grade_id=self.risk.get(_weighted(rng, RISK_MIX) or "")),
                "reject": lambda: services.case_reject(
                    actor=center, case_id=case_id, **dict(zip(("reason", "referral"), rng.choice(REJECT_REASONS),
                                                              strict=True))),
                "handle": lambda: services.case_handle(actor=center, case_id=case_id, note="本中心先行调解。"),
                "progress": lambda: services.case_progress(actor=handler, case_id=case_id,
                                                           note=rng.choice(PROGRESS_NOTES)),
                "extend": lambda: services.case_extend_request(
                    actor=handler, case_id=case_id, days=10, reason="当事人外出务工，需等其返乡后再次组织调解。"),
                "extend_decide": lambda: services.case_extend_decide(
                    actor=center, case_id=case_id, approve=True, note="同意延期10个工作日。"),
                "resolve": lambda: services.case_resolve(
                    actor=handler, case_id=case_id,
                    note=rng.choice(RESOLVE_AGREED_NOTES if state.agreed else RESOLVE_NOTES)),
                "redo": lambda: services.case_callback(actor=center, case_id=case_id, satisfied=False,
                                                       note=CALLBACK_REDO),
                "callback": lambda: services.case_callback(actor=center, case_id=case_id, satisfied=True,
                                                           note=rng.choice(CALLBACK_OK)),
                "supervise": lambda: services.case_supervise(actor=overseer, case_id=case_id,
                                                             level=rng.choice(["normal", "yellow"]),
                                                             note="请加快办理进度，按期办结。"),
                "urge": lambda: services.case_urge(actor=overseer, case_id=case_id, note="该件已受理多日，请尽快分流。"),
                "instruct": lambda: services.case_instruct(
                    actor=self.leader, case_id=case_id, note="此事涉及群众切身利益，请相关部门高度重视，妥善化解。"),
                "urgent": lambda: services.case_set_urgent(actor=self.leader, case_id=case_id, urgent=True),
            }
            actions[name]()


def _mediation(rng: random.Random, moment: dt.datetime, handler: User) -> services.MediationInput:
    agreed = rng.random() < 0.75
    return services.MediationInput(
        mediators=f"{handler.display_name}、{person_name(rng)}", held_at=moment,
        organisation=handler.department.name if handler.department_id else f"{handler.region.name}综治中心",
        place="调解室", record="双方当事人到场，调解员释明相关法律规定，双方陈述意见。",
        outcome=MediationOutcome.AGREEMENT if agreed else MediationOutcome.NO_AGREEMENT,
        facts="双方对基本事实无异议，对责任承担存在分歧。",
        agreement_content="被申请人一次性支付申请人补偿款，双方再无其他争议。" if agreed else "",
        performance="协议签订之日起15日内履行完毕。" if agreed else "",
    )


def history_sweep(now: dt.datetime) -> int:
    """What the periodic sweep would have done while these cases aged: one sweep a day at
    09:00 from the earliest deadline on, then one now. Overdue cases get red cards and move
    up a level as the policies say, and the upper level's clock starts on the day they
    moved, so old cases may have climbed to the city and be red there. Returns the changes.
    """
    first = Case.objects.filter(submit_token__startswith=TOKEN_PREFIX).timed().aggregate(Min("due_at"))["due_at__min"]
    changes = 0
    if first is not None:
        moment = dt.datetime.combine(first.astimezone(SHANGHAI).date(), dt.time(9), tzinfo=SHANGHAI)
        while moment < now:
            with clock_at(moment):
                result = deadline_sweep_all(now=moment)
            changes += result.yellow + result.red + result.escalated
            moment += dt.timedelta(days=1)
    result = deadline_sweep_all(now=now)
    return changes + result.yellow + result.red + result.escalated


@transaction.atomic
def seed(*, stdout: TextIO, rng: random.Random) -> None:
    existing = Case.objects.filter(submit_token__startswith=TOKEN_PREFIX).count()
    if existing:
        stdout.write(f"演示案件已存在({existing} 件),跳过\n")
        return
    now = timezone.now()
    player = Player(rng)
    plans = plans_make(rng, now, DEMO_CASES)
    for plan in sorted(plans, key=lambda p: p.start):
        player.play(plan, now)
    changes = history_sweep(now)
    cases = Case.objects.filter(submit_token__startswith=TOKEN_PREFIX)
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    cards = dict(cases.values_list("warning_level").annotate(n=Count("id")).order_by())
    summary = " / ".join(f"{CaseState(s).label} {by_state.get(s, 0)}" for s in CaseState.values)
    stdout.write(f"演示案件: 新增 {len(plans)}({summary})\n"
                 f"  红牌(超期) {cards.get(WarningLevel.RED, 0)} / 黄牌 {cards.get(WarningLevel.YELLOW, 0)};"
                 f"已上报上级(主动或超期) {cases.filter(escalations__isnull=False).distinct().count()};"
                 f"县级直接受理 {cases.filter(registered_by__region__level=RegionLevel.COUNTY).count()};"
                 f"预警扫描(按日回放)共 {changes} 项变更\n")
