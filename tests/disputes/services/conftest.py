"""A small world for the disputes domain tests: the region tree, one user per role and
position, departments, seeded categories, and helpers that drive a case to any state
through the real services."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from disputes import services
from disputes.actions import TRANSITIONS
from disputes.models import (
    CaseState,
    Category,
    Channel,
    Mediation,
    MediationOrganisation,
    MediationOutcome,
    OrganisationKind,
    PartyKind,
    PartyRole,
    Referral,
)
from governance.models import DepartmentKind, Role, User
from tests.factories import DepartmentFactory, GridFactory, RegionTree, UserFactory

# Seeded by disputes/migrations/0003: 17 = 婚姻家庭邻里等民间纠纷, 1702 = 邻里纠纷 (township
# handling override: 30 natural days), 0601 = 合同履行 (default limits only).
NEIGHBOUR = "1702"
CONTRACT = "0601"
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def valid_id(first17: str) -> str:
    """An ID number with a correct ISO 7064 MOD 11-2 check character (computed here, not by
    the code under test)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


ID_A = valid_id("61020219900101123")
ID_B = valid_id("61020319851231456")
PHONE_A = "13812345678"
PHONE_B = "13987654321"


@dataclass
class World:
    tree: RegionTree
    town_staff: User  # window staff, township A1 center (owns A1 cases)
    town_dispatcher: User
    other_town_staff: User  # window staff, township A2 (same county, another township)
    county_staff: User
    county_dispatcher: User
    city_dispatcher: User
    county_leader: User
    handler: User  # 司法所 of township A1
    other_handler: User  # 派出所 of township A1 (not assigned)
    county_handler: User  # county 公安局
    far_handler: User  # 司法所 of township B1 (other county)
    grid_worker: User
    administrator: User
    category: Category
    contract: Category

    @property
    def dept(self):
        return self.handler.department

    def case_input(self, **overrides) -> services.CaseInput:
        values = dict(
            title="排水纠纷", narrative="双方因排水沟堵塞发生争执。", category_id=self.category.pk,
            channel=Channel.VISIT, occurred_at=timezone.now() - dt.timedelta(hours=3),
            village_id=self.tree.village_a1x.pk,
        )
        values.update(overrides)
        return services.CaseInput(**values)

    def register(self, actor: User | None = None, *, parties=None, **overrides):
        parties = parties if parties is not None else [
            services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="张三",
                                id_number=ID_A, phone=PHONE_A),
        ]
        return services.case_register(actor=actor or self.town_staff, data=self.case_input(**overrides),
                                      parties=parties)

    def case_in(self, state: str, **overrides):
        """A township A1 case driven to `state` through the services (dispatched to 司法所)."""
        case = self.register(**overrides)
        if state == CaseState.REGISTERED:
            return case
        if state == CaseState.REJECTED:
            return services.case_reject(actor=self.town_staff, case_id=case.pk, reason="不属于受理范围",
                                        referral="建议向人民法院起诉")
        case = services.case_accept(actor=self.town_staff, case_id=case.pk)
        if state == CaseState.ACCEPTED:
            return case
        case = services.case_dispatch(actor=self.town_staff, case_id=case.pk, department_id=self.dept.pk)
        if state == CaseState.DISPATCHED:
            return case
        case = services.case_sign(actor=self.handler, case_id=case.pk)
        if state == CaseState.IN_PROGRESS:
            return case
        case = services.case_resolve(actor=self.handler, case_id=case.pk, note="双方达成协议")
        if state == CaseState.RESOLVED:
            return case
        assert state == CaseState.CLOSED
        return services.case_callback(actor=self.town_staff, case_id=case.pk, satisfied=True, note="满意")

    def organisations(self):
        """The village's 人民调解委员会 and the county court (registered once)."""
        committee, _ = MediationOrganisation.objects.get_or_create(
            region=self.tree.village_a1x, name="云梦堤社区人民调解委员会", defaults={"kind": OrganisationKind.PEOPLES_COMMITTEE})
        court, _ = MediationOrganisation.objects.get_or_create(
            region=self.tree.county_a, name="王益区人民法院", defaults={"kind": OrganisationKind.COURT})
        return committee, court

    def perform_referral(self, action: str, case, actor: User | None = None):
        committee, court = self.organisations()
        pk = case.pk
        # the assignee while the case is dispatched, else the owning center
        default = self.handler if case.assignments.filter(status__in=("pending", "signed")).exists() \
            else self.town_staff
        if action == "refer":
            return services.case_refer(actor=actor or default, case_id=pk, kind="peoples",
                                       organisation_id=committee.pk, note="转村调委会调解")
        if action == "confirm_request":
            agreement = case.mediations.filter(outcome=MediationOutcome.AGREEMENT).first() or Mediation.objects.create(
                case=case, mediators="王调解员", held_at=timezone.now(), outcome=MediationOutcome.AGREEMENT,
                agreement_content="赔偿500元", created_by=self.handler)
            return services.case_confirmation_request(actor=actor or default, case_id=pk,
                                                      mediation_id=agreement.pk, organisation_id=court.pk)
        if not case.referrals.filter(status="open").exists():
            Referral.objects.create(case=case, kind="peoples", organisation=committee, created_at=timezone.now(),
                                    created_by=self.handler)
        return services.case_referral_result(actor=actor or default, case_id=pk, outcome="resolved",
                                             note="调委会调解成功")

    def perform(self, action: str, case, actor: User | None = None):
        """Invoke the service for `action` as the actor who may take it on a case dispatched to
        the township 司法所 (or, before dispatch, handled by the township center)."""
        w, pk = self, case.pk
        if action == "accept":
            return services.case_accept(actor=actor or w.town_staff, case_id=pk)
        if action == "reject":
            return services.case_reject(actor=actor or w.town_staff, case_id=pk, reason="不属于受理范围", referral="向法院起诉")
        if action == "dispatch":
            return services.case_dispatch(actor=actor or w.town_staff, case_id=pk, department_id=w.dept.pk)
        if action == "sign":
            return services.case_sign(actor=actor or w.handler, case_id=pk)
        if action == "return":
            return services.case_return(actor=actor or w.handler, case_id=pk, reason="不属于本单位职责")
        if action == "handle":
            return services.case_handle(actor=actor or w.town_staff, case_id=pk)
        if action == "progress":
            return services.case_progress(actor=actor or w.handler, case_id=pk, note="已约谈双方")
        if action == "resolve":
            return services.case_resolve(actor=actor or w.handler, case_id=pk, note="调解成功")
        if action == "callback":
            return services.case_callback(actor=actor or w.town_staff, case_id=pk, satisfied=True, note="满意")
        if action == "extend":
            return services.case_extend_request(actor=actor or w.handler, case_id=pk, days=5, reason="需要现场勘查")
        if action == "extend_decide":
            if case.state == CaseState.IN_PROGRESS and not case.extensions.filter(status="pending").exists():
                services.case_extend_request(actor=w.handler, case_id=pk, days=5, reason="需要现场勘查")
            return services.case_extend_decide(actor=actor or w.town_staff, case_id=pk, approve=True)
        if action == "supervise":
            return services.case_supervise(actor=actor or w.county_dispatcher, case_id=pk, level="yellow", note="抓紧办理")
        if action == "supervise_withdraw":
            supervision = case.supervisions.filter(kind="supervise", withdrawn_at__isnull=True).first() or \
                services.case_supervise(actor=w.county_dispatcher, case_id=pk, level="yellow", note="抓紧办理")
            return services.case_supervise_withdraw(actor=actor or w.county_dispatcher, case_id=pk,
                                                    supervision_id=supervision.pk, note="已按期办理")
        if action == "urge":
            return services.case_urge(actor=actor or w.county_dispatcher, case_id=pk, note="请尽快")
        if action == "instruct":
            return services.case_instruct(actor=actor or w.county_leader, case_id=pk, note="依法妥善处置")
        if action == "urgent":
            return services.case_set_urgent(actor=actor or w.county_leader, case_id=pk, urgent=True)
        if action == "mediation":
            default = w.town_staff if case.state == CaseState.ACCEPTED else w.handler
            return services.mediation_record(actor=actor or default, case_id=pk, data=services.MediationInput(
                mediators="王调解员", held_at=case.created_at, outcome=MediationOutcome.ONGOING))
        if action == "attachment":
            pdf = SimpleUploadedFile("协议.pdf", b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
            return services.attachment_add(actor=actor or w.town_staff, case_id=pk, uploaded_file=pdf)
        if action in ("refer", "confirm_request", "referral_result"):
            return self.perform_referral(action, case, actor)
        if action == "link":
            other = w.register(title="另一起纠纷")
            return services.case_link(actor=actor or w.town_staff, case_id=pk, other_id=other.pk)
        raise AssertionError(action)


# `escalate` is implemented in disputes/services/escalation.py and tested with it; the
# assisting units' actions (一揽子调处) need a second unit on the case: test_joint.py.
SERVICE_ACTIONS = sorted(a for a in TRANSITIONS if a != "escalate" and not a.startswith("assist_"))


@pytest.fixture
def world(tree) -> World:
    justice_a1 = DepartmentFactory(name="七一路司法所", kind=DepartmentKind.JUSTICE, region=tree.town_a1)
    police_a1 = DepartmentFactory(name="七一路派出所", kind=DepartmentKind.POLICE, region=tree.town_a1)
    police_county = DepartmentFactory(name="王益分局", kind=DepartmentKind.POLICE, region=tree.county_a)
    justice_b1 = DepartmentFactory(name="城关司法所", kind=DepartmentKind.JUSTICE, region=tree.town_b1)
    GridFactory(region=tree.village_a1x)
    return World(
        tree=tree,
        town_staff=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1),
        town_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.town_a1),
        other_town_staff=UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a2),
        county_staff=UserFactory(role=Role.WINDOW_STAFF, region=tree.county_a),
        county_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.county_a),
        city_dispatcher=UserFactory(role=Role.DISPATCHER, region=tree.city),
        county_leader=UserFactory(role=Role.LEADER, region=tree.county_a),
        handler=UserFactory(role=Role.HANDLER, region=tree.town_a1, department=justice_a1),
        other_handler=UserFactory(role=Role.HANDLER, region=tree.town_a1, department=police_a1),
        county_handler=UserFactory(role=Role.HANDLER, region=tree.county_a, department=police_county),
        far_handler=UserFactory(role=Role.HANDLER, region=tree.town_b1, department=justice_b1),
        grid_worker=UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x),
        administrator=UserFactory(role=Role.ADMINISTRATOR, region=tree.city),
        category=Category.objects.get(code=NEIGHBOUR),
        contract=Category.objects.get(code=CONTRACT),
    )
