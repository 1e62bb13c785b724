"""Words and identities of the demo cases: per-category title and narrative templates,
the notes each step writes, and checksum-valid ID numbers, credit codes and phones.

`case_text` draws them for one plan (see plans.py) in a fixed order from the seeder's `rng`.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from stdnum.cn import uscc

from disputes import services
from disputes.demo.plans import Plan
from disputes.models import PartyKind, PartyRole
from disputes.parties import ric_check_digit
from governance.demo import person_name
from governance.models import Region
from governance.workdays import SHANGHAI

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


def village_address(rng: random.Random, village: Region) -> str:
    if village.name.endswith("村"):
        return f"{village.name}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
    return f"{village.name}{rng.choice(ROADS)}{rng.randint(1, 60)}号{rng.randint(1, 6)}单元"


OCCUPATIONS = ["农民", "个体经营户", "退休职工", "教师", "建筑工人", "快递员", "出租车司机", "医生", "自由职业",
               "铜川市某某商贸有限公司职员", "社区工作者", "无业"]


def legal_details(name: str) -> dict:
    """民族 and occupation of a demo person, or the legal representative of a demo company,
    drawn from the name (a generator of their own: the seeder's `rng` sequence, and with it
    every figure the demo reproduces, stays as it was)."""
    own = random.Random(name)
    if name.endswith(tuple(COMPANY_KINDS.values()) + ("医院",)):
        return {"legal_representative": person_name(own)}
    return {"ethnicity": "回族" if own.random() < 0.02 else "汉族", "occupation": own.choice(OCCUPATIONS)}


def case_text(rng: random.Random, plan: Plan, county: Region) -> tuple[str, str, list[services.PartyInput], dict]:
    """Title, narrative, parties and figures for the plan's category."""
    templates = TEMPLATES.get(plan.category.name, GENERIC_TEMPLATES)
    title, narrative, org_kind = rng.choice(templates)
    today = plan.start.astimezone(SHANGHAI).date()
    applicant = person_name(rng)
    people = rng.randint(5, 40) if "{n}" in title + narrative else rng.choice((2, 2, 2, 3, 4))
    parties = [services.PartyInput(
        role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name=applicant,
        id_number=id_number(rng, county.code, today=today), phone=mobile(rng),
        address=village_address(rng, plan.village), **legal_details(applicant))]
    if org_kind:
        respondent = company_name(rng, org_kind, county)
        parties.append(services.PartyInput(
            role=PartyRole.RESPONDENT, kind=PartyKind.ORGANISATION, name=respondent,
            id_number=credit_code(rng, county.code), phone=f"0919{rng.randint(2, 8)}{rng.randint(0, 999_999):06d}",
            address=f"{county.name}{rng.choice(ROADS)}{rng.randint(1, 200)}号", **legal_details(respondent)))
    else:
        respondent = person_name(rng)
        parties.append(services.PartyInput(
            role=PartyRole.RESPONDENT, kind=PartyKind.PERSON, name=respondent,
            id_number=id_number(rng, county.code, today=today) if rng.random() < 0.8 else "",
            phone=mobile(rng), address=village_address(rng, plan.village), **legal_details(respondent)))
    amount = Decimal(rng.choice((800, 1500, 2600, 3800, 5000, 8600, 12000, 26000, 45000, 80000, 150000)))
    month = plan.start.astimezone(SHANGHAI) - dt.timedelta(days=rng.randint(5, 60))
    values = {"a": applicant, "b": respondent, "village": plan.village.name, "town": plan.township.name,
              "road": rng.choice(ROADS), "n": people, "amount": f"{amount:,.0f}",
              "month": f"{month.month}月{month.day}日", "category": plan.category.name}
    figures = {"people_involved": people, "amount_involved": amount if "{amount}" in narrative else None}
    return title.format(**values)[:200], narrative.format(**values), parties, figures
