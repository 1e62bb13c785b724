"""The default 1,000-point rubric for townships (DOMAIN.md "Assessment"): the published
catalogue totals 落实综治领导责任制 100, 预防化解矛盾纠纷 170, 基层平安创建和治安防控 300, 综治基层
基础工作 300, 制度建设 90, 群众满意程度 40, plus an innovation bonus. The items inside each
catalogue and their formulas are this platform's starting point: data a city edits.

Seeded by `manage.py assessment_seed_rubric` or seed_demo (never by a migration), through
`assessment.services.rubrics.rubric_seed_default`.
"""
from __future__ import annotations

from dataclasses import dataclass

RATE = "full * rate / 100"


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    kind: str  # automatic / manual / bonus / deduction / group
    points: int
    metric: str = ""
    formula: str = ""
    cap: int | None = None
    description: str = ""
    children: tuple[Line, ...] = ()


TOWNSHIP_RUBRIC: tuple[Line, ...] = (
    Line("A", "落实综治领导责任制", "group", 100, children=(
        Line("A1", "签订综治责任书并履责", "manual", 40, formula="score",
             description="党政主要负责人签订责任书，按期履责点评"),
        Line("A2", "党政领导研究部署综治工作", "manual", 30, formula="score"),
        Line("A3", "上级督办", "automatic", 30, metric="supervision", formula="full - normal*0 - yellow*5 - red*10",
             description="普通/黄牌/红牌督办每件扣0/5/10分"),
    )),
    Line("B", "预防化解矛盾纠纷", "group", 170, children=(
        Line("B1", "受理及时率", "automatic", 25, metric="accept_timely", formula=RATE),
        Line("B2", "按期办结率", "automatic", 30, metric="resolve_on_time", formula=RATE),
        Line("B3", "办结率", "automatic", 25, metric="resolve_rate", formula=RATE),
        Line("B4", "化解成功率", "automatic", 25, metric="mediation_success", formula=RATE),
        Line("B5", "重办率", "automatic", 15, metric="redo_rate", formula="full - rate * 0.5",
             description="每1个百分点扣0.5分"),
        Line("B6", "退回率", "automatic", 10, metric="return_rate", formula="full - rate * 0.2",
             description="每1个百分点扣0.2分"),
        Line("B7", "逾期件数", "automatic", 20, metric="overdue", formula="full - n * 2", description="每件扣2分"),
        Line("B8", "越级上访/上报", "automatic", 20, metric="skip_level", formula="full - max(0, n - 2) * 5",
             description="超过2件的每件扣5分"),
    )),
    Line("C", "基层平安创建和治安防控", "group", 300, children=(
        Line("C1", "平安创建活动", "manual", 150, formula="score"),
        Line("C2", "社会治安防控体系建设", "manual", 150, formula="score"),
    )),
    Line("D", "综治基层基础工作", "group", 300, children=(
        Line("D1", "网格员在岗率", "automatic", 80, metric="grid_presence", formula=RATE),
        Line("D2", "排查零报告按时率", "automatic", 80, metric="screening", formula=RATE),
        Line("D3", "网格党小组覆盖率", "automatic", 60, metric="group_coverage", formula=RATE),
        Line("D4", "党员参与化解件数", "automatic", 40, metric="party_mediation", formula="n * 4",
             description="每件4分，本项封顶"),
        Line("D5", "案件信息完整率", "automatic", 40, metric="completeness", formula=RATE),
    )),
    Line("E", "制度建设", "group", 90, children=(
        Line("E1", "综治中心工作制度", "manual", 50, formula="score"),
        Line("E2", "例会、研判、督办制度落实", "manual", 40, formula="score"),
    )),
    Line("F", "群众满意程度", "group", 40, children=(
        Line("F1", "群众满意率", "automatic", 40, metric="satisfaction", formula=RATE),
    )),
    Line("G", "创新工作加分", "group", 0, children=(
        Line("G1", "创新工作", "bonus", 0, formula="score", cap=20, description="经验做法被上级推广，最高加20分"),
    )),
)


# Counties within the city: a shorter rubric of the case indicators (100 points), a city's
# starting point for ranking its counties (the county's own center and its townships' cases).
COUNTY_RUBRIC: tuple[Line, ...] = (
    Line("K", "矛盾纠纷化解质效", "group", 100, children=(
        Line("K1", "受理及时率", "automatic", 20, metric="accept_timely", formula=RATE),
        Line("K2", "按期办结率", "automatic", 30, metric="resolve_on_time", formula=RATE),
        Line("K3", "办结率", "automatic", 20, metric="resolve_rate", formula=RATE),
        Line("K4", "群众满意率", "automatic", 20, metric="satisfaction", formula=RATE),
        Line("K5", "逾期件数", "automatic", 10, metric="overdue", formula="full - n * 0.5",
             description="每件扣0.5分"),
    )),
)
