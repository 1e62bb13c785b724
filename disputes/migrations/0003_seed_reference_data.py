"""Seed the reference data every installation starts from (editable afterwards):

- the two-level dispute taxonomy (DOMAIN.md "Dispute taxonomy": the 18+1 statistical list,
  with the common second-level items under their natural parents);
- the 红/橙/黄/蓝 risk grades (修水县 scheme);
- default time limits per level (township, county, city) for the steps accept, sign,
  handle and callback, plus one category override (人民调解: 30 natural days).

Codes are stable: top level "01".."19", second level parent code + 2 digits.
"""
from django.db import migrations

TOP_LEVEL = [
    ("01", "民族宗教"),
    ("02", "军转干部、复员退伍军人安置"),
    ("03", "征地拆迁安置"),
    ("04", "建筑工程质量、物业管理"),
    ("05", "土地矿产山林水利界线权属"),
    ("06", "经济活动"),
    ("07", "劳资"),
    ("08", "企业改制"),
    ("09", "环境污染、生态破坏"),
    ("10", "司法活动"),
    ("11", "行政执法活动"),
    ("12", "大中专院校、中小学校"),
    ("13", "海事渔事"),
    ("14", "干部作风"),
    ("15", "村(社区)务管理"),
    ("16", "农村土地承包、集体\"三资\"及农民负担"),
    ("17", "婚姻家庭邻里等民间纠纷"),
    ("18", "医患"),
    ("19", "其他"),
]

SECOND_LEVEL = {
    "04": ["物业服务", "建筑工程质量"],
    "05": ["山林土地", "水利界线"],
    "06": ["合同履行", "消费", "债权债务"],
    "07": ["劳动报酬", "劳动合同", "工伤待遇"],
    "09": ["环境噪声", "环境污染"],
    "16": ["土地承包经营", "集体资产"],
    "17": ["婚姻家庭", "邻里纠纷", "房屋和宅基地", "损害赔偿", "交通事故"],
    "18": ["医疗纠纷"],
}

RISK_GRADES = [
    ("red", "红色", "red", 4, "复杂、跨部门的矛盾纠纷，一案一策专班化解"),
    ("orange", "橙色", "orange", 3, "有激化可能的矛盾纠纷，重点跟进"),
    ("yellow", "黄色", "yellow", 2, "常见的家庭、邻里、土地等矛盾纠纷"),
    ("blue", "蓝色", "blue", 1, "一般隐患，持续跟踪回访"),
]

LEVELS = ["township", "county", "city"]
DEFAULT_LIMITS = [
    ("accept", 3, "working", "参照12345热线工单受理时限(地方规则)，可按本地规定调整"),
    ("sign", 1, "working", "交办后1个工作日内签收(本地规则示例；12345错派退回为2个工作日，山东2020)"),
    ("handle", 15, "working", "参照信访事项办理及12345投诉件办理时限，可按本地规定调整"),
    ("callback", 5, "working", "参照12345热线办结后回访要求，可按本地规定调整"),
]
# 人民调解工作若干规定(司法部2002)：调解一般在一个月内调结。
MEDIATION_CATEGORY = "17"
MEDIATION_OVERRIDE = ("handle", 30, "natural", "人民调解工作若干规定(司法部2002)：一般在一个月内调结")


def seed(apps, schema_editor):
    Category = apps.get_model("disputes", "Category")
    RiskGrade = apps.get_model("disputes", "RiskGrade")
    TimeLimitPolicy = apps.get_model("disputes", "TimeLimitPolicy")

    parents = {}
    for sort, (code, name) in enumerate(TOP_LEVEL, start=1):
        parents[code], _ = Category.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
    for parent_code, names in SECOND_LEVEL.items():
        for sort, name in enumerate(names, start=1):
            Category.objects.get_or_create(
                code=f"{parent_code}{sort:02d}",
                defaults={"name": name, "parent": parents[parent_code], "sort": sort},
            )

    for code, name, color, rank, description in RISK_GRADES:
        RiskGrade.objects.get_or_create(
            code=code, defaults={"name": name, "color": color, "rank": rank, "description": description}
        )

    for level in LEVELS:
        for step, days, day_kind, source in DEFAULT_LIMITS:
            TimeLimitPolicy.objects.get_or_create(
                level=level, step=step, category=None,
                defaults={"days": days, "day_kind": day_kind, "source": source},
            )
    step, days, day_kind, source = MEDIATION_OVERRIDE
    TimeLimitPolicy.objects.get_or_create(
        level="township", step=step, category=parents[MEDIATION_CATEGORY],
        defaults={"days": days, "day_kind": day_kind, "source": source},
    )


def unseed(apps, schema_editor):
    Category = apps.get_model("disputes", "Category")
    RiskGrade = apps.get_model("disputes", "RiskGrade")
    TimeLimitPolicy = apps.get_model("disputes", "TimeLimitPolicy")
    top_codes = [code for code, _ in TOP_LEVEL]
    TimeLimitPolicy.objects.filter(level__in=LEVELS, category__isnull=True).delete()
    TimeLimitPolicy.objects.filter(level="township", category__code=MEDIATION_CATEGORY).delete()
    RiskGrade.objects.filter(code__in=[g[0] for g in RISK_GRADES], cases__isnull=True).delete()
    Category.objects.filter(parent__code__in=top_codes, cases__isnull=True).delete()
    Category.objects.filter(code__in=top_codes, children__isnull=True, cases__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
