"""研判预警: evaluating the early-warning rules (disputes.models.WarningRule) and raising
warnings. Each rule's exact definition is in docs/warnings.md.

Two entry points, both idempotent:
- `warnings_evaluate_case(case_id)`: a new case (enqueued after the registration commits by
  `case_warnings_enqueue`): the case rules on the case, the cluster rules on its village and
  category, the repeat-party rules on its parties;
- `warnings_evaluate_all()`: the periodic evaluation from beat (catches what changed later,
  and cases registered while the broker was down), each rule one set-based query for its
  candidates, at most `BATCH` subjects per rule and run.

A warning's `key` (rule + subject + the time of the first case of its window) is unique, and a
subject whose last warning still has a case inside the rule's window gets the new cases added
to that warning instead of a new one: a cluster raises one warning however often it is
evaluated. Reads across jurisdictions by nature (the rules watch the whole platform), hence the
`unscoped_` names; nothing here returns rows to a user.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from disputes.models import (
    CASE_KINDS,
    OPEN_STATES,
    Case,
    CaseParty,
    CaseState,
    Category,
    EarlyWarning,
    EarlyWarningCase,
    PartyKind,
    WarningKind,
    WarningRule,
)
from governance import clock
from governance.bulk import in_bulk_load
from governance.models import Role, User
from governance.notifications import NotificationDraft, notifications_create, notifications_send_on_commit

logger = logging.getLogger(__name__)

# Subjects (cases, clusters, persons) one rule looks at per periodic run; the next run goes on.
BATCH = 500
PATH = ("city_id", "county_id", "township_id", "village_id")
EVALUATE_CASE_TASK = "disputes.tasks.warnings_evaluate_case_task"


@dataclass(frozen=True)
class EvaluationResult:
    raised: int = 0  # new warnings
    linked: int = 0  # cases added to warnings that were already raised


# --- The cases the rules count -------------------------------------------------------------------

def _counted() -> QuerySet[Case]:
    """Cases a rule counts: not rejected (不予受理) and not a duplicate (重复件) of another."""
    return Case.objects.exclude(state=CaseState.REJECTED).filter(duplicate_of__isnull=True)


def _since(rule: WarningRule, now: dt.datetime) -> dt.datetime:
    """The start of a window rule's window ending now: cases registered at or after it count."""
    return now - dt.timedelta(days=rule.window_days)


def _case_condition(rule: WarningRule) -> Q:
    if rule.kind == WarningKind.GROUP:
        return Q(people_involved__gte=rule.min_people)
    if rule.kind == WarningKind.AMOUNT:
        return Q(amount_involved__gte=rule.min_amount)
    if rule.kind == WarningKind.RISK_GRADE:
        return Q(risk_grade__rank__gte=rule.min_risk_rank)
    return Q(criminal_risk=True)


def _category_ids(rule: WarningRule) -> list[int] | None:
    """A cluster rule limited to a category: it and the categories under it."""
    if not rule.category_id:
        return None
    return [rule.category_id, *Category.objects.filter(parent_id=rule.category_id).values_list("pk", flat=True)]


def _path_common(rows: Iterable[dict]) -> dict[str, int | None]:
    """The deepest region path every row shares (a city, a county, a township or a village)."""
    common: dict[str, int | None] = {}
    rows = list(rows)
    same = True
    for column in PATH:
        values = {row[column] for row in rows}
        same = same and len(values) == 1
        common[column] = values.pop() if same else None
    return common


# --- Raising -------------------------------------------------------------------------------------

@dataclass
class _Draft:
    rule: WarningRule
    subject: str
    label: str
    case_ids: list[int]


def _link(warning: EarlyWarning, case_ids: Sequence[int]) -> int:
    """Add cases to a warning (each pair once) and refresh its count, window end and path."""
    before = warning.case_count
    EarlyWarningCase.objects.bulk_create([EarlyWarningCase(warning=warning, case_id=i) for i in case_ids],
                                         ignore_conflicts=True)
    cases = Case.objects.filter(warning_links__warning=warning)
    facts = cases.aggregate(n=Count("id"), last=Max("created_at"))
    path = _path_common(cases.values(*PATH))
    changed = {"case_count": facts["n"], "window_end": facts["last"], **path}
    EarlyWarning.objects.filter(pk=warning.pk).update(**changed, updated_at=clock.now())
    for name, value in changed.items():
        setattr(warning, name, value)
    return facts["n"] - before


def _raise(draft: _Draft, *, since: dt.datetime | None) -> tuple[EarlyWarning | None, int]:
    """Raise the draft's warning, or add its cases to the subject's running warning.

    Returns (the new warning or None, cases added to a running one)."""
    running = None
    if since is not None:
        # Uses index: warning_rule_subject
        running = (EarlyWarning.objects.filter(rule=draft.rule, subject=draft.subject, window_end__gte=since)
                   .order_by("-window_end").first())
    elif draft.rule.kind in CASE_KINDS:
        running = EarlyWarning.objects.filter(rule=draft.rule, subject=draft.subject).first()
    if running is not None:
        return None, _link(running, draft.case_ids)
    cases = list(Case.objects.filter(pk__in=draft.case_ids).order_by("created_at", "id").values("created_at", *PATH))
    if not cases:
        return None, 0
    first = cases[0]["created_at"]
    key = f"{draft.rule.pk}:{draft.subject}:{int(first.timestamp())}" if since is not None \
        else f"{draft.rule.pk}:{draft.subject}"
    warning = EarlyWarning(rule=draft.rule, kind=draft.rule.kind, key=key, subject=draft.subject,
                           label=draft.label[:200], window_start=first if since is not None else None,
                           window_end=cases[-1]["created_at"], case_count=len(cases))
    for column, value in _path_common(cases).items():
        setattr(warning, column, value)
    try:
        with transaction.atomic():
            warning.save(force_insert=True)
    except IntegrityError:
        # Another evaluation raised the same warning first: add to it.
        existing = EarlyWarning.objects.get(key=key)
        return None, _link(existing, draft.case_ids)
    EarlyWarningCase.objects.bulk_create([EarlyWarningCase(warning=warning, case_id=i) for i in draft.case_ids],
                                         ignore_conflicts=True)
    return warning, 0


def _raise_all(drafts: Sequence[_Draft], now: dt.datetime) -> tuple[list[EarlyWarning], int]:
    raised, linked = [], 0
    for draft in drafts:
        since = _since(draft.rule, now) if draft.rule.window_days else None
        warning, added = _raise(draft, since=since)
        linked += added
        if warning is not None:
            raised.append(warning)
    return raised, linked


# --- Drafts per kind -----------------------------------------------------------------------------

def _case_label(rule: WarningRule, case: Case) -> str:
    if rule.kind == WarningKind.GROUP:
        return _("%(number)s 涉及%(people)s人") % {"number": case.number, "people": case.people_involved}
    if rule.kind == WarningKind.AMOUNT:
        return _("%(number)s 涉及金额%(amount)s元") % {"number": case.number, "amount": case.amount_involved}
    if rule.kind == WarningKind.RISK_GRADE:
        return _("%(number)s 风险等级%(grade)s") % {"number": case.number, "grade": case.risk_grade}
    return _("%(number)s 存在民转刑风险") % {"number": case.number}


def _case_drafts(rule: WarningRule, cases: QuerySet[Case]) -> list[_Draft]:
    rows = cases.filter(_case_condition(rule)).select_related("risk_grade").only(
        "id", "number", "people_involved", "amount_involved", "risk_grade__name")
    return [_Draft(rule, f"case:{case.pk}", _case_label(rule, case), [case.pk]) for case in rows]


def _cluster_drafts(rule: WarningRule, now: dt.datetime, groups: Iterable[tuple[int, int]]) -> list[_Draft]:
    """One draft per (village, category) holding at least min_cases counted cases registered
    in [now - window_days, now]."""
    since = _since(rule, now)
    drafts = []
    for village_id, category_id in groups:
        cases = list(_counted().filter(village_id=village_id, category_id=category_id, created_at__gte=since,
                                       created_at__lte=now).order_by("created_at", "id")
                     .values_list("pk", "village__name", "category__name"))
        if len(cases) >= rule.min_cases:
            label = _("%(village)s %(category)s %(days)s日内%(count)s件") % {
                "village": cases[0][1], "category": cases[0][2], "days": rule.window_days, "count": len(cases)}
            drafts.append(_Draft(rule, f"cluster:{village_id}:{category_id}", label, [c[0] for c in cases]))
    return drafts


def _person_label(party: CaseParty, count: int, days: int) -> str:
    name = party.name[:1] + "*" * max(len(party.name) - 1, 1)
    return _("当事人%(name)s（%(id)s）%(days)s日内%(count)s件") % {
        "name": name, "id": party.id_number_masked, "days": days, "count": count}


def _party_drafts(rule: WarningRule, now: dt.datetime, hashes: Iterable[str]) -> list[_Draft]:
    """One draft per person (keyed ID hash) in at least min_cases counted cases registered in
    [now - window_days, now]."""
    since = _since(rule, now)
    drafts = []
    for id_hash in hashes:
        parties = list(CaseParty.objects.filter(
            id_number_hash=id_hash, kind=PartyKind.PERSON, case__in=_counted().filter(
                created_at__gte=since, created_at__lte=now)).order_by("case_id", "id"))
        case_ids = sorted({p.case_id for p in parties})
        if len(case_ids) >= rule.min_cases:
            drafts.append(_Draft(rule, f"party:{id_hash}", _person_label(parties[0], len(case_ids), rule.window_days),
                                 case_ids))
    return drafts


# --- Entry points --------------------------------------------------------------------------------

def _active_rules() -> list[WarningRule]:
    return list(WarningRule.objects.filter(is_active=True).order_by("id"))


@transaction.atomic
def warnings_evaluate_case(*, case_id: int, actor_id: int | None = None) -> EvaluationResult:
    """Every active rule on one case (a new registration); notify dispatchers of new warnings."""
    now = clock.now()
    case = _counted().filter(pk=case_id).only("id", "village_id", "category_id").first()
    if case is None:
        return EvaluationResult()
    drafts: list[_Draft] = []
    hashes = None
    for rule in _active_rules():
        if rule.kind in CASE_KINDS:
            drafts += _case_drafts(rule, _counted().filter(pk=case.pk))
        elif rule.kind == WarningKind.CLUSTER and case.village_id:
            categories = _category_ids(rule)
            if categories is None or case.category_id in categories:
                drafts += _cluster_drafts(rule, now, [(case.village_id, case.category_id)])
        elif rule.kind == WarningKind.REPEAT_PARTY:
            if hashes is None:
                hashes = sorted(set(CaseParty.objects.filter(case_id=case.pk, kind=PartyKind.PERSON)
                                    .exclude(id_number_hash="").values_list("id_number_hash", flat=True)))
            drafts += _party_drafts(rule, now, hashes)
    raised, linked = _raise_all(drafts, now)
    warnings_notify(raised, exclude_user_id=actor_id)
    return EvaluationResult(raised=len(raised), linked=linked)


def _cluster_groups(rule: WarningRule, now: dt.datetime) -> list[tuple[int, int]]:
    """(village, category) groups at or over the rule's count, less those whose running
    warning already holds their latest case (nothing new to add)."""
    since = _since(rule, now)
    cases = _counted().filter(created_at__gte=since, created_at__lte=now, village__isnull=False)
    categories = _category_ids(rule)
    if categories is not None:
        cases = cases.filter(category_id__in=categories)
    groups = (cases.values("village_id", "category_id").annotate(n=Count("id"), last=Max("created_at"))
              .filter(n__gte=rule.min_cases).order_by("village_id", "category_id"))
    return _unseen(rule, since, [((g["village_id"], g["category_id"]), f"cluster:{g['village_id']}:{g['category_id']}",
                                  g["last"]) for g in groups])


def _party_groups(rule: WarningRule, now: dt.datetime) -> list[str]:
    since = _since(rule, now)
    groups = (CaseParty.objects.filter(kind=PartyKind.PERSON, case__in=_counted().filter(
        created_at__gte=since, created_at__lte=now)).exclude(id_number_hash="")
        .values("id_number_hash").annotate(n=Count("case_id", distinct=True), last=Max("case__created_at"))
        .filter(n__gte=rule.min_cases).order_by("id_number_hash"))
    return _unseen(rule, since, [(g["id_number_hash"], f"party:{g['id_number_hash']}", g["last"]) for g in groups])


def _unseen(rule: WarningRule, since: dt.datetime, groups: list[tuple]) -> list:
    """The groups whose latest case is newer than their running warning (one query)."""
    running = dict(EarlyWarning.objects.filter(rule=rule, window_end__gte=since)
                   .values_list("subject").annotate(last=Max("window_end")).order_by())
    return [value for value, subject, last in groups if running.get(subject) is None or last > running[subject]][:BATCH]


@transaction.atomic
def warnings_evaluate_all() -> EvaluationResult:
    """The periodic evaluation of every active rule over the platform (beat)."""
    now = clock.now()
    drafts: list[_Draft] = []
    for rule in _active_rules():
        if rule.kind in CASE_KINDS:
            # Open cases this rule has not warned about yet. # Uses index: case_owner_state
            candidates = _counted().filter(state__in=list(OPEN_STATES), created_at__lte=now).exclude(
                warning_links__warning__rule=rule).order_by("id")
            ids = list(candidates.filter(_case_condition(rule)).values_list("pk", flat=True)[:BATCH])
            drafts += _case_drafts(rule, Case.objects.filter(pk__in=ids).order_by("id"))
        elif rule.kind == WarningKind.CLUSTER:
            drafts += _cluster_drafts(rule, now, _cluster_groups(rule, now))
        else:
            drafts += _party_drafts(rule, now, _party_groups(rule, now))
    raised, linked = _raise_all(drafts, now)
    warnings_notify(raised, exclude_user_id=None)
    return EvaluationResult(raised=len(raised), linked=linked)


# --- Notices and the hook from intake ------------------------------------------------------------

def warning_url(warning_id: int) -> str:
    try:
        return reverse("analysis:warning", args=[warning_id])
    except NoReverseMatch:
        return f"/analysis/warnings/{warning_id}/"


def warnings_notify(warnings: Sequence[EarlyWarning], *, exclude_user_id: int | None) -> None:
    """Tell the dispatchers of the centers over each new warning (its township's and its
    county's; the city's for a warning spanning counties), nobody of their own doing."""
    if not warnings:
        return
    centers = {w.pk: [r for r in (w.township_id, w.county_id) if r] or [w.city_id] for w in warnings}
    regions = {r for ids in centers.values() for r in ids if r}
    dispatchers: dict[int, set[int]] = {}
    for user_id, region_id in User.objects.filter(role=Role.DISPATCHER, is_active=True,
                                                  region_id__in=regions).values_list("pk", "region_id"):
        dispatchers.setdefault(region_id, set()).add(user_id)
    drafts = []
    for warning in warnings:
        users = set().union(*(dispatchers.get(r, set()) for r in centers[warning.pk])) - {exclude_user_id}
        title = _("研判预警：%(kind)s") % {"kind": warning.get_kind_display()}
        drafts += [NotificationDraft(recipient_id=u, event_key=f"warning:{warning.pk}:raised", title=title,
                                     body=warning.label, link=warning_url(warning.pk)) for u in sorted(users)]
    notifications_send_on_commit(notifications_create(drafts=drafts))


def _evaluate_later(case_id: int, actor_id: int | None) -> None:
    current_app.tasks[EVALUATE_CASE_TASK].delay(case_id, actor_id)


def case_warnings_enqueue(*, case_id: int, actor_id: int | None) -> None:
    """After the registration commits, evaluate the rules on the new case (a Celery task).
    A broker outage then is logged, never fails the registration: the periodic run catches up.
    A bulk load queues nothing: the periodic run covers its cases (governance/bulk.py)."""
    if in_bulk_load():
        return
    transaction.on_commit(lambda: _evaluate_later(case_id, actor_id), robust=True)
