"""Case rows, day by day over the year before the anchor: each case with its parties,
dispatches (assignments), escalations and timeline events, its state walked up to the mix's
final state, its deadline and card, and the sweep thresholds stamped as the services would."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db import transaction

from benchmarks.deadlines import PolicyBook
from benchmarks.scale.city import City, Township
from benchmarks.scale.mixes import (
    CHANNEL_MIX,
    COUNTY_OWNED_SHARE,
    RED_ESCALATED_SHARE,
    RED_SHARE,
    RED_STATE_MIX,
    RISK_MIX,
    STATE_MIX_BY_AGE,
    STEP_DAYS,
    STEP_OF_STATE,
    TIMED,
    YELLOW_SHARE,
    Mix,
    category_mix,
    daily_counts,
    days_weights,
)
from benchmarks.scale.people import PARTY_POOL_SIZE, ROADS, Identity, party_pool
from benchmarks.scale.spec import SHANGHAI, UTC, ScaleResult, ScaleSpec
from benchmarks.scale.writer import IdRange, TableWriter, is_postgres, sequences_reset
from disputes.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseNumberCounter,
    CaseParty,
    Category,
    Escalation,
    RiskGrade,
)

NARRATIVES = [
    "双方因{topic}问题发生争执，经多次协商未果，申请人请求综治中心协调处理。",
    "{topic}引发矛盾，当事人情绪较大，网格员现场劝解后上报。",
    "当事人反映{topic}问题长期未解决，要求有关部门依法处理。",
    "因{topic}产生纠纷，涉及多户群众，存在矛盾激化风险。",
]


def leaf_categories() -> list[tuple[int, str, str]]:
    """Leaf categories (id, name, parent name) with a parent, else every active category."""
    leaves = list(Category.objects.filter(is_active=True, children__isnull=True)
                  .select_related("parent").order_by("code"))
    return [(c.pk, c.name, c.parent.name if c.parent_id else c.name) for c in leaves]


# Column orders of the generated tuples (other columns of these tables must be nullable or have a database default).
CASE_COLUMNS = [
    "id", "created_at", "updated_at", "number", "title", "narrative", "channel", "occurred_at", "address", "latitude",
    "longitude", "people_involved", "amount_involved", "urgent", "long_standing", "state", "owning_level", "version",
    "step", "step_started_at", "due_at", "due_provisional", "warning_level", "red_at", "return_count", "redo_count",
    "accepted_at", "resolved_at", "closed_at", "submit_token", "city_id", "county_id", "duplicate_of_id", "grid_id",
    "owning_region_id", "registered_by_id", "township_id", "village_id", "category_id", "risk_grade_id",
    "yellow_at", "escalate_at", "resolved_on_time", "callback_at", "callback_satisfied",
]
# The share of resolved cases resolved on time (the dashboard's 按期办结率), decided from the
# case id so the generator's random sequence (and every other column) stays as it was.
ON_TIME_PERCENT = 88
PARTY_COLUMNS = ["id", "created_at", "updated_at", "role", "kind", "name", "id_type", "id_number_enc",
                 "id_number_hash", "id_number_masked", "phone_enc", "phone_hash", "phone_masked", "address", "case_id"]
EVENT_COLUMNS = ["id", "created_at", "action", "from_state", "to_state", "note", "data", "actor_id", "case_id"]
ASSIGNMENT_COLUMNS = ["id", "created_at", "updated_at", "status", "due_at", "instructions", "signed_at", "closed_at",
                      "return_reason", "assigned_by_id", "case_id", "department_id", "region_id", "signed_by_id",
                      "role", "result"]
ESCALATION_COLUMNS = ["id", "created_at", "updated_at", "from_level", "to_level", "reason", "note", "actor_id",
                      "case_id", "to_region_id"]


class CaseGenerator:
    """Generates cases day by day (ids and numbers in time order, as in real data)."""

    def __init__(self, spec: ScaleSpec, city: City, rng: random.Random, now: dt.datetime) -> None:
        self.spec, self.city, self.rng, self.now = spec, city, rng, now
        # Every random branch reads this clock (midnight of the anchor day), never the wall
        # clock, so a seed gives the same data all day; deadlines are placed around `now`.
        self.anchor = spec.anchor or now.astimezone(SHANGHAI).date()
        self.clock = dt.datetime.combine(self.anchor, dt.time(0, 0), tzinfo=SHANGHAI).astimezone(UTC)
        self.categories = leaf_categories()
        self.category_mix = category_mix(self.categories)
        self.channel_mix = Mix(CHANNEL_MIX)
        self.state_mixes = [(limit, Mix(pairs)) for limit, pairs in STATE_MIX_BY_AGE]
        self.red_state_mix = Mix(RED_STATE_MIX)
        grades = {g.code: g.pk for g in RiskGrade.objects.all()}
        self.policies = PolicyBook.load()
        self.risk_mix = Mix([(grades.get(code) if code else None, w) for code, w in RISK_MIX
                             if code is None or code in grades] or [(None, 1)])
        self.pool = party_pool(rng, min(PARTY_POOL_SIZE, max(100, spec.cases * 2)))
        self.pool_next = 0
        self.township_mix = Mix([(t, 0.6 + rng.random()) for t in city.townships])
        self.ids = {m: IdRange(m) for m in (Case, CaseParty, CaseEvent, CaseAssignment, Escalation)}
        codes = [t.region.code for t in city.townships]
        self.counters: dict[tuple[str, dt.date], int] = {
            (c.township_code, c.day): c.last for c in CaseNumberCounter.objects.filter(township_code__in=codes)
        }
        self.writers = {
            Case: TableWriter(Case, CASE_COLUMNS), CaseParty: TableWriter(CaseParty, PARTY_COLUMNS),
            CaseEvent: TableWriter(CaseEvent, EVENT_COLUMNS),
            CaseAssignment: TableWriter(CaseAssignment, ASSIGNMENT_COLUMNS),
            Escalation: TableWriter(Escalation, ESCALATION_COLUMNS),
        }
        self.col = {name: i for i, name in enumerate(CASE_COLUMNS)}

    # Timestamps of one day, sorted (busy 8:30–18:00, a tail in the evening).
    def _times(self, day: dt.date, k: int) -> list[dt.datetime]:
        rng = self.rng
        base = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
        secs = sorted(int(rng.uniform(8.5, 18) * 3600) if rng.random() < 0.85 else rng.randint(6 * 3600, 22 * 3600)
                      for _ in range(k))
        return [(base + dt.timedelta(seconds=s)).astimezone(UTC) for s in secs]

    def cases_by_day(self) -> Iterator[tuple[dt.date, dt.datetime]]:
        days = days_weights(self.anchor)
        for (day, _), k in zip(days, daily_counts(self.spec.cases, days), strict=True):
            for t in self._times(day, k):
                yield day, t

    def generate(self, on_chunk: Callable[[int], None]) -> ScaleResult:
        chunk = self.spec.chunk or (50_000 if is_postgres() else 5_000)
        result = ScaleResult()
        pending = 0
        for day, created in self.cases_by_day():
            self._case(day, created)
            pending += 1
            if pending == chunk:
                self._flush()
                on_chunk(pending)
                pending = 0
        if pending:
            self._flush()
            on_chunk(pending)
        result.cases = self.writers[Case].written
        result.parties = self.writers[CaseParty].written
        result.events = self.writers[CaseEvent].written
        result.assignments = self.writers[CaseAssignment].written
        result.escalations = self.writers[Escalation].written
        self._counters_save()
        sequences_reset(self.writers)
        return result

    def _flush(self) -> None:
        with transaction.atomic():
            for model in (Case, CaseParty, CaseAssignment, Escalation, CaseEvent):
                self.writers[model].flush()

    def _counters_save(self) -> None:
        codes = {code for code, _ in self.counters}
        with transaction.atomic():
            CaseNumberCounter.objects.filter(township_code__in=codes).delete()
            CaseNumberCounter.objects.bulk_create(
                [CaseNumberCounter(township_code=code, day=day, last=last) for (code, day), last in self.counters.items()],
                batch_size=5000,
            )

    def _party(self) -> Identity:
        identity = self.pool[self.pool_next % len(self.pool)]
        self.pool_next += 1 + (self.rng.random() < 0.3)
        return identity

    def _case(self, day: dt.date, created: dt.datetime) -> None:
        rng, now, clock = self.rng, self.now, self.clock
        town: Township = self.township_mix.draw(rng)
        county = self.city.counties[town.county.pk]
        case_id = self.ids[Case].take()
        key = (town.region.code, day)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        number = f"{town.region.code}{day:%Y%m%d}{seq:04d}"
        category = self.category_mix.draw(rng)
        channel = self.channel_mix.draw(rng)
        grid_id, village_id = rng.choice(town.grids) if town.grids else (None, None)
        if village_id is None:
            raise ValueError("a synthetic township without villages cannot hold cases")
        if channel != "grid" and rng.random() < 0.2:
            grid_id = None
        age_days = (clock - created).total_seconds() / 86400
        roll = rng.random()
        warning = "none"
        if roll < RED_SHARE and age_days > 4:
            warning = "red"
            state = self.red_state_mix.draw(rng)
        elif roll < RED_SHARE + YELLOW_SHARE and age_days > 1:
            warning = "yellow"
            state = self.red_state_mix.draw(rng)
        else:
            state = next(m for limit, m in self.state_mixes if age_days <= limit).draw(rng)
        county_owned = channel == "superior" or rng.random() < COUNTY_OWNED_SHARE
        owner_level, owner_region = ("county", county.region.pk) if county_owned else ("township", town.region.pk)
        registrar = county.clerk_id if county_owned else (
            town.grid_worker_of.get(village_id, town.clerk_id) if channel == "grid" else town.clerk_id)
        people = 1 if rng.random() < 0.7 else rng.randint(2, 8) if rng.random() < 0.9 else rng.randint(10, 60)
        amount = Decimal(rng.randint(5, 5000) * 100) if category[1] in ("损害赔偿", "合同履行", "劳动报酬") or rng.random() < 0.15 else None

        # Walk the life of the case up to its state: timeline, assignments, timestamps.
        t = created
        events: list[tuple[dt.datetime, int | None, str, str, str, str]] = [
            (t, registrar, "register", "", "registered", "登记")]
        accepted_at = resolved_at = closed_at = None
        step_started = created
        assignment = None
        handled_by_center = rng.random() < 0.3
        if state != "registered":
            t = t + dt.timedelta(hours=rng.uniform(0.2, 30))
            accepted_at = t
            if state == "rejected":
                events.append((t, registrar, "reject", "registered", "rejected", "不属于受理范围，已告知当事人向法院起诉"))
            else:
                events.append((t, registrar, "accept", "registered", "accepted", "受理"))
            step_started = t
        if state in ("dispatched", "in_progress", "resolved", "closed") and not (handled_by_center and state != "dispatched"):
            t = t + dt.timedelta(hours=rng.uniform(0.5, 20))
            dispatcher = county.dispatcher_id if county_owned else town.clerk_id
            depts = county.departments if county_owned else town.departments
            dept = rng.choice(depts)
            assignment = [dept, dispatcher, t, None, None, "pending"]
            events.append((t, dispatcher, "dispatch", "accepted", "dispatched", "请依法及时处理"))
            step_started = t
            if state != "dispatched":
                t = t + dt.timedelta(hours=rng.uniform(0.5, 40))
                handler = (county.handler_of if county_owned else town.handler_of)[dept]
                assignment[3:6] = [handler, t, "signed"]
                events.append((t, handler, "sign", "dispatched", "in_progress", "签收"))
                step_started = t
        elif state in ("in_progress", "resolved", "closed"):
            t = t + dt.timedelta(hours=rng.uniform(0.5, 20))
            events.append((t, registrar, "handle", "accepted", "in_progress", "中心先行调解"))
            step_started = t
        actor_progress = assignment[3] if assignment else registrar
        if state in ("resolved", "closed"):
            span = max(1.0, min(age_days - 2, rng.uniform(2, 25))) if age_days > 3 else 0.5
            t = max(t, min(clock - dt.timedelta(hours=1), created + dt.timedelta(days=span)))
            resolved_at = t
            events.append((t, actor_progress, "resolve", "in_progress", "resolved", "已达成调解协议并履行"))
            step_started = t
            if assignment:
                assignment[5] = "completed"
            if state == "closed":
                t = max(t, min(clock - dt.timedelta(minutes=5), t + dt.timedelta(days=rng.uniform(0.5, 5))))
                closed_at = t
                events.append((t, registrar, "callback", "resolved", "closed", "回访满意"))
        # Deadline of the current step and its warning.
        step = STEP_OF_STATE[state]
        due_at = red_at = None
        escalated = False
        if state in TIMED:
            limit = dt.timedelta(days=STEP_DAYS[step])
            if warning == "red":
                due_at = now - dt.timedelta(hours=rng.uniform(2, 24 * 40))
                red_at = due_at + dt.timedelta(minutes=rng.randint(1, 10))
                escalated = owner_level == "township" and rng.random() < RED_ESCALATED_SHARE
            elif warning == "yellow":
                due_at = now + dt.timedelta(hours=rng.uniform(1, 0.2 * limit.total_seconds() / 3600))
            else:
                due_at = now + dt.timedelta(hours=rng.uniform(0.25, 1.0) * limit.total_seconds() / 3600)
            step_started = min(due_at - limit, step_started) if warning != "none" else max(step_started, due_at - limit)
            step_started = max(step_started, created)
            target = rng.randint(2, 6)
            while len(events) < target and state == "in_progress":
                t = min(clock, t + dt.timedelta(days=rng.uniform(0.2, 3)))
                events.append((t, actor_progress, "progress", "", "", "已约谈双方当事人，正在调解"))
            if escalated:
                owner_level, owner_region = "county", county.region.pk
                events.append((red_at, None, "escalate", state, state, "超期自动升级至县级综治中心"))
                self.writers[Escalation].add((self.ids[Escalation].take(), red_at, red_at, "township", "county",
                                              "overdue", "超期自动升级", None, case_id, county.region.pk))
        elif state == "resolved":
            due_at = resolved_at + dt.timedelta(days=STEP_DAYS["callback"])
        else:
            warning = "none"
        if len(events) < 2:  # a registered case: the upper center has asked after it (催办)
            events.append((max(t, clock - dt.timedelta(hours=2)), county.dispatcher_id, "urge", "", "", "请尽快受理"))
        events = events[:6]
        if state == "closed" and events[-1][2] != "callback":
            events[-1] = (closed_at, registrar, "callback", "resolved", "closed", "回访满意")
        version = len([e for e in events if e[3] != e[4]])
        latest = max(e[0] for e in events)
        title_party = self._party()
        title = f"{title_party.name}{category[1]}{'纠纷' if not category[1].endswith('纠纷') else ''}"
        narrative = rng.choice(NARRATIVES).format(topic=category[1])
        values = (
            case_id, created, latest, number, title, narrative, channel, created - dt.timedelta(hours=rng.uniform(1, 96)),
            f"{rng.choice(ROADS)}{rng.randint(1, 300)}号", None, None, people, amount, state == "registered" and rng.random() < 0.05,
            rng.random() < 0.03, state, owner_level, version, step, step_started, due_at, False, warning, red_at,
            1 if rng.random() < 0.04 else 0, 1 if state in ("in_progress", "resolved", "closed") and rng.random() < 0.03 else 0,
            accepted_at, resolved_at, closed_at, None, self.city.region.pk, town.county.pk, None, grid_id, owner_region,
            registrar, town.region.pk, village_id, category[0], self.risk_mix.draw(rng) if accepted_at else None,
        )
        # The sweep thresholds, stamped as the services and the sweep would have (open timed cases).
        yellow_at = escalate_at = None
        if state in TIMED:
            yellow_at, escalate_at = self.policies.thresholds({
                "owning_level": owner_level, "category_id": category[0], "risk_grade_id": values[-1],
                "step_started_at": step_started, "due_at": due_at, "warning_level": warning, "red_at": red_at,
                "city_id": self.city.region.pk, "county_id": town.county.pk, "township_id": town.region.pk,
            })
        # What case_resolve and case_callback stamp: on time or not; the satisfied callback that closed it.
        on_time = (case_id * 2654435761) % 100 < ON_TIME_PERCENT if resolved_at else None
        self.writers[Case].add((*values, yellow_at, escalate_at, on_time, closed_at, True if closed_at else None))
        # Parties: the title party is the applicant, then one or two more.
        n_parties = 1 if rng.random() < 0.15 else 2 if rng.random() < 0.8 else 3
        for i in range(n_parties):
            who = title_party if i == 0 else self._party()
            role = "applicant" if i == 0 else "respondent" if i == 1 else "third"
            id_type = "uscc" if who.kind == "organisation" else "resident"
            self.writers[CaseParty].add((self.ids[CaseParty].take(), created, created, role, who.kind, who.name,
                                         id_type, who.id_enc, who.id_hash, who.id_masked, who.phone_enc, who.phone_hash,
                                         who.phone_masked, who.address, case_id))
        if assignment:
            dept, by, at, signer, signed_at, status = assignment
            # An open dispatch carries the case's handling deadline (case_dispatch sets both
            # from the same computation); a completed one the deadline it had.
            assignment_due = due_at if status in ("pending", "signed") and due_at else \
                at + dt.timedelta(days=STEP_DAYS["handle"])
            self.writers[CaseAssignment].add((
                self.ids[CaseAssignment].take(), at, signed_at or at, status,
                assignment_due, "请依法及时处理", signed_at,
                resolved_at if status == "completed" else None, "", by, case_id, dept, None, signer, "lead", ""))
        for at, actor, action, from_state, to_state, note in events:
            self.writers[CaseEvent].add((self.ids[CaseEvent].take(), at, action, from_state, to_state, note, {},
                                         actor, case_id))
