"""Jurisdiction proof (issue 15, item 11): a property-based crawl of EVERY route in the URLconf.

Hypothesis generates which county is "inside" and which "outside", and users of every role at
every level of the inside county. Both counties hold one row of EVERY scoped model — found
from the models, not listed: each `RegionPathModel` and each model that must point at one
(a case's parties, events, mediations …), so a model added later is built and probed too.
Every text field of an outside row carries the marker `ZZOUT`.

Every route of the URLconf is enumerated (tests/test_urls.py's walk; a route added later is
covered without touching this file), its path parameters filled with the outside rows' ids,
and GET as each user. The property: no answer carries an outside row's marker (lists,
details, exports, dashboards, API), and a route given an outside row's id does not answer
200 — it answers 404 (or 403 for a role that has no business there, 405 for a write-only
route, 302 to a sign-in) exactly as for a missing row.

A path parameter this file does not know fails the test: name the model it takes in
PARAM_MODELS (or its values in PARAM_VALUES), and the new route is proved like the others.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import Region, RegionPathModel, Role, User
from tests.factories import RegionTree, UserFactory
from tests.test_urls import _walk

# Both worlds' marks are tried as "outside" (hypothesis swaps the counties).
MARK_OUT = "ZZOUT"
MARK_IN = "ZZIN"
PATH_COLUMNS = {"city", "county", "township", "village"}

# Path parameter → the model whose outside row's id fills it.
PARAM_MODELS = {
    "id": "disputes.Case", "case_id": "disputes.Case", "party_id": "disputes.CaseParty",
    "attachment_id": "disputes.Attachment", "mediation_id": "disputes.Mediation",
    "grid_id": "grids.Grid", "hazard_id": "grids.HazardInspection", "tenure_id": "grids.GridWorkerAssignment",
    "worker_id": "worker", "group_id": "partybuilding.PartyGroup", "expense_id": "partybuilding.FundExpense",
    "pk": "notification",
    "warning_id": "disputes.EarlyWarning", "report_id": "disputes.AnalysisReport",
    "veto_id": "assessment.Veto", "manual_id": "assessment.ManualScore", "adjustment_id": "assessment.Adjustment",
    # An assessment unit is the outside township; a period is shared (the unit decides what is outside).
    "unit_id": "township", "region": "township", "period_id": "period", "period": "period",
}
# Path parameters that are not ids: the values to try.
PARAM_VALUES = {
    "field": ["id_number", "phone"], "action": ["accept", "dispatch", "mediation"], "fmt": ["csv"],
    "kind": None,  # grids.transfer's export kinds (below)
    "name": None,  # the statistics' names (below)
}
SKIP_PREFIXES = ("admin/", "i18n/", "logout/", "static/", "^api/")
# Answers that show nothing of the row: missing/outside (404), wrong role (403), write-only
# (405), sign-in or a page that sends elsewhere (302), and a query parameter refused before
# any row is looked up (400: the reveal's missing `?field=` — the same for every id).
NOT_SHOWN = {302, 400, 403, 404, 405}


def _value(field: models.Field, mark: str, serial: int):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.CharField | models.TextField):
        text = f"{mark}{serial}"
        return text[: field.max_length] if field.max_length else text
    if isinstance(field, models.DateTimeField):
        return timezone.now() - dt.timedelta(days=1)
    if isinstance(field, models.DateField):
        return timezone.localdate() - dt.timedelta(days=1)
    if isinstance(field, models.DecimalField):
        return Decimal("1")
    if isinstance(field, models.IntegerField):
        return 2 if "end" not in field.name else 3
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.FileField):
        return ContentFile(b"%PDF-1.4 proof", name=f"{mark}.pdf")
    if isinstance(field, models.GenericIPAddressField):
        return "127.0.0.1"
    raise NotImplementedError(f"{field.model._meta.label}.{field.name}: no filler for {type(field).__name__}")


class World:
    """One county's worth of rows of every scoped model, text fields marked with `mark`."""

    def __init__(self, *, county: Region, village: Region, mark: str, scoped: list[type[models.Model]]):
        self.county, self.village, self.mark, self.scoped = county, village, mark, set(scoped)
        township = Region.objects.get(pk=village.township_id)
        self.staff = UserFactory(role=Role.WINDOW_STAFF, region=township, display_name=f"{mark}员")
        self.worker = UserFactory(role=Role.GRID_WORKER, region=village, display_name=f"{mark}网格员")
        self.rows: dict[str, models.Model] = {}
        self.serial = itertools.count(1)
        for model in scoped:
            self.row(model)
        from governance.models import Notification

        # A notification is the recipient's own: another user's id is a 404 as well.
        self.rows["notification"] = Notification.objects.create(
            recipient=self.staff, event_key=f"{mark}-proof", title=f"{mark}通知", body=mark)

    def period(self) -> models.Model:
        """An assessment period (shared by both worlds: the unit in the path is what is outside)."""
        model = apps.get_model("assessment.AssessmentPeriod")
        return model._default_manager.first() or self.reference(model)

    def reference(self, model: type[models.Model]) -> models.Model:
        values = {f.name: _value(f, "REF", next(self.serial)) for f in model._meta.concrete_fields
                  if not (f.primary_key or f.null or f.has_default() or isinstance(f, models.ForeignKey))}
        for field in model._meta.concrete_fields:  # required links: the county (an assessing
            if not isinstance(field, models.ForeignKey) or field.null:  # body), else shared rows
                continue
            target = field.related_model
            if target is Region:
                values[field.name] = self.county
            elif target is User:
                values[field.name] = self.staff
            else:
                values[field.name] = target._default_manager.first() or self.reference(target)
        return model._default_manager.create(**values)

    def row(self, model: type[models.Model]) -> models.Model:
        label = model._meta.label
        if label in self.rows:
            return self.rows[label]
        values = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in PATH_COLUMNS or getattr(field, "auto_now_add", False) \
                    or getattr(field, "auto_now", False):
                continue
            if isinstance(field, models.ForeignKey):
                target = field.related_model
                if field.null or target is model:
                    continue  # optional links stay empty (a second approver, a duplicate of …)
                if target is Region:
                    values[field.name] = self.village if field.name != "owning_region" else \
                        Region.objects.get(pk=self.village.township_id)
                elif target is User:
                    values[field.name] = self.worker if "worker" in field.name else self.staff
                elif field.null and target._meta.label not in self.rows and target is not model or target is model:
                    continue
                elif target in self.scoped:
                    values[field.name] = self.row(target)
                else:  # reference data shared by every jurisdiction (categories, risk grades)
                    values[field.name] = target._default_manager.first() or self.reference(target)
                continue
            if field.null or (field.has_default() and not isinstance(field, models.CharField | models.TextField)):
                continue
            values[field.name] = _value(field, self.mark, next(self.serial))
        values.update(OVERRIDES.get(label, lambda world: {})(self))
        instance = model(**values)
        if isinstance(instance, RegionPathModel):
            instance.set_region(values.get("region") or self.village)
        instance.save()
        self.rows[label] = instance
        return instance


OVERRIDES = {
    "disputes.Case": lambda w: {"number": f"{w.mark}{w.village.code}", "owning_level": "township"},
    "grids.Grid": lambda w: {"code": f"{w.village.code}001"},
    "partybuilding.StarRating": lambda w: {"organisation": w.row(apps.get_model("partybuilding.PartyOrganisation")),
                                           "year": timezone.localdate().year},
    "partybuilding.PartyFund": lambda w: {"year": timezone.localdate().year},
    "grids.Screening": lambda w: {"zero_report": True, "disputes_found": 0},
    "grids.GridWorkerAssignment": lambda w: {"worker": w.worker, "ended_on": None},
    "disputes.CaseAssignment": lambda w: {"region": Region.objects.get(pk=w.village.township_id)},
    "disputes.CaseLink": lambda w: {"other": w.rows["disputes.Case"]},
}


def scoped_models() -> list[type[models.Model]]:
    """Every RegionPathModel, then every model that must point at a scoped one (to a fixpoint)."""
    scoped = [m for m in apps.get_models() if issubclass(m, RegionPathModel)]
    grown = True
    while grown:
        grown = False
        for model in apps.get_models():
            if model not in scoped and any(
                    isinstance(f, models.ForeignKey) and not f.null and f.related_model in scoped
                    for f in model._meta.concrete_fields):
                scoped.append(model)
                grown = True
    return scoped


def routes() -> list[tuple[str, str]]:
    """(name, route) of every page and API route outside the admin."""
    return [(name or "", route) for name, route, _view in _walk(get_resolver().url_patterns)
            if not route.startswith(SKIP_PREFIXES)]


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def fillings(route: str, world: World) -> list[str]:
    """Every path for `route` with its parameters filled from `world`'s rows."""
    from disputes.selectors.statistics import STATISTICS
    from grids.transfer_views import LAYOUTS

    params = _PARAM.findall(route)
    choices = []
    for _converter, name in params:
        if name in PARAM_VALUES:
            choices.append(list(LAYOUTS) if name == "kind" else list(STATISTICS) if name == "name"
                           else PARAM_VALUES[name])
            continue
        assert name in PARAM_MODELS, f"route {route!r}: add path parameter {name!r} to PARAM_MODELS/PARAM_VALUES"
        target = PARAM_MODELS[name]
        if target == "worker":
            row = world.worker
        elif target == "township":
            row = Region.objects.get(pk=world.village.township_id)
        elif target == "period":
            row = world.period()
        else:
            row = world.rows[target]
        choices.append([str(row.pk)])
    paths = []
    for combination in itertools.product(*choices):
        values = iter(combination)
        paths.append("/" + _PARAM.sub(lambda _m, values=values: next(values), route))
    return paths


@pytest.fixture
def worlds(tree: RegionTree, reference_rows):
    scoped = scoped_models()
    return {
        "a": World(county=tree.county_a, village=tree.village_a1x, mark=MARK_IN, scoped=scoped),
        "b": World(county=tree.county_b, village=tree.village_b1x, mark=MARK_OUT, scoped=scoped),
    }


@pytest.fixture
def reference_rows(db, settings, tmp_path):
    """Seeded categories exist (migrations); uploaded files (attachments, photos) go to a
    temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path


def _probe(client: Client, path: str, outside: World) -> tuple[int, str | None]:
    """GET `path`: its status, and what is wrong with the answer (a 5xx, an outside marker)."""
    response = client.get(path)
    if response.status_code >= 500:
        return response.status_code, f"{path}: {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if outside.mark.encode() in body:
        return response.status_code, f"{path}: answer {response.status_code} carries an outside row"
    return response.status_code, None


@pytest.mark.slow
@pytest.mark.parametrize("role", list(Role))
@settings(max_examples=1, deadline=None, derandomize=False, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(level=st.sampled_from(["county", "township", "village"]), swap=st.booleans())
def test_no_route_shows_a_row_from_outside_the_jurisdiction(worlds, tree, role, level, swap):
    """Every role (parametrized); hypothesis picks the level of the user's region and which
    county is outside (one example per role keeps the crawl near a minute: ~200 requests each)."""
    inside, outside = (worlds["b"], worlds["a"]) if swap else (worlds["a"], worlds["b"])
    region = {"county": inside.county, "township": Region.objects.get(pk=inside.village.township_id),
              "village": inside.village}[level]
    department = inside.rows["governance.Department"] if role == Role.HANDLER else None
    user = UserFactory(role=role, region=region, department=department)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    problems = []
    for _name, route in routes():
        if "<" not in route:
            _status, problem = _probe(client, "/" + route, outside)
            problems += [problem] if problem else []
            continue
        for path in fillings(route, outside):
            status, problem = _probe(client, path, outside)
            takes_ids = any(name not in PARAM_VALUES for _c, name in _PARAM.findall(route))
            if problem is None and takes_ids and status not in NOT_SHOWN:
                problem = f"{path}: outside id answered {status}"
            problems += [problem] if problem else []
    assert problems == [], f"{role} at {level}: " + "; ".join(problems)


def test_every_scoped_model_is_built_in_both_worlds(worlds):
    for model in scoped_models():
        assert model._meta.label in worlds["a"].rows and model._meta.label in worlds["b"].rows


def test_every_route_is_probed(worlds):
    # a route with parameters gets the outside rows' ids; none is left out
    for _name, route in routes():
        assert fillings(route, worlds["b"]) or "<" not in route


@pytest.mark.slow
@pytest.mark.parametrize("role", list(Role))
def test_no_count_moves_when_the_outside_county_fills(tree, reference_rows, role):
    """Counts and aggregates have no marker: every JSON answer without path parameters (API
    lists with their `count`, dashboard data, map data) must be the same before and after the
    other county gets a row of every scoped model."""
    scoped = scoped_models()
    inside = World(county=tree.county_a, village=tree.village_a1x, mark=MARK_IN, scoped=scoped)
    department = inside.rows["governance.Department"] if role == Role.HANDLER else None
    user = UserFactory(role=role, region=Region.objects.get(pk=inside.village.township_id), department=department)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    def answers() -> dict[str, bytes]:
        found = {}
        for _name, route in routes():
            if "<" in route:
                continue
            response = client.get("/" + route)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("application/json"):
                # The moment of the answer ("data as of") is not a count.
                found[route] = re.sub(rb'"as_of":"[^"]*"', b"", response.content)
        return found

    before = answers()
    World(county=tree.county_b, village=tree.village_b1x, mark=MARK_OUT, scoped=scoped)
    after = answers()
    assert before, "some JSON answers to compare"
    assert before.keys() == after.keys()
    moved = [route for route in before if before[route] != after[route]]
    assert moved == [], [(before[r][:3000], after[r][:3000]) for r in moved]
