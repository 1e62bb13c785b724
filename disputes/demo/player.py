"""Playing a demo plan through disputes/services.py, each step by the demo user who would take
it and at the moment it happened (`governance.clock.frozen_at`): the services stay the only
writers of case state, and every case gets a real timeline, deadlines, assignments,
notifications and encrypted parties.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from disputes import services
from disputes.demo.plans import TOKEN_PREFIX, Plan, step_times, weighted
from disputes.demo.texts import (
    CALLBACK_OK,
    CALLBACK_REDO,
    ESCALATE_NOTES,
    PROGRESS_NOTES,
    REJECT_REASONS,
    RESOLVE_AGREED_NOTES,
    RESOLVE_NOTES,
    case_text,
    village_address,
)
from disputes.models import Case, Channel, MediationOutcome, RiskGrade
from disputes.services import case_escalate as escalate_case
from governance import clock
from governance.demo import DEMO_CITY_CODE, demo_users, department_name, person_name
from governance.models import Department, Region, RegionLevel, Role, User

CHANNEL_MIX = [(Channel.VISIT, 45), (Channel.PHONE, 20), (Channel.HOTLINE, 15), (Channel.ONLINE, 8),
               (Channel.DEPARTMENT, 7), (Channel.SUPERIOR, 5)]
RISK_MIX = [(None, 15), ("blue", 40), ("yellow", 32), ("orange", 10), ("red", 3)]


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
        title, narrative, parties, figures = case_text(rng, plan, county)
        registrar = plan.reporter or (actors.county_clerk if plan.county_owned else actors.clerk)
        channel = Channel.SUPERIOR if plan.county_owned and rng.random() < 0.5 else weighted(rng, CHANNEL_MIX)
        data = services.CaseInput(
            title=title, narrative=narrative, category_id=plan.category.pk, channel=channel,
            occurred_at=plan.start - dt.timedelta(hours=rng.uniform(2, 240)), village_id=plan.village.pk,
            grid_id=plan.grid_id, address=village_address(rng, plan.village), **figures,
            urgent=False, long_standing=rng.random() < 0.04,
        )
        with clock.frozen_at(plan.start):
            case = services.case_register(actor=registrar, data=data, parties=parties,
                                          submit_token=f"{TOKEN_PREFIX}{plan.number:04d}")
        state = _Holders(county_level=plan.county_owned,
                         center=actors.county_clerk if plan.county_owned else actors.clerk)
        state.handler = state.center
        for (name, args), moment in zip(plan.steps, step_times(rng, plan, now), strict=True):
            with clock.frozen_at(moment):
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
                    actor=center, case_id=case_id, risk_grade_id=self.risk.get(weighted(rng, RISK_MIX) or "")),
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
        # The agreement is sealed by the 人民调解委员会 of the handler's township or county
        # (人民调解法 art. 29), not by the department or center that took part.
        committee_name=f"{handler.region.name}人民调解委员会",
        place="调解室", record="双方当事人到场，调解员释明相关法律规定，双方陈述意见。",
        outcome=MediationOutcome.AGREEMENT if agreed else MediationOutcome.NO_AGREEMENT,
        facts="双方对基本事实无异议，对责任承担存在分歧。",
        agreement_content="被申请人一次性支付申请人补偿款，双方再无其他争议。" if agreed else "",
        performance="协议签订之日起15日内履行完毕。" if agreed else "",
    )

