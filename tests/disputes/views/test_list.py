"""Case list (案件查询): filters, sorting, pagination, htmx partial, jurisdiction, query count."""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseState, WarningLevel
from tests.disputes.views.conftest import client_for

URL = reverse("disputes:list")


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


def test_filters_by_state_warning_region_and_keyword(people):
    tree = people.tree
    accepted = people.case(village=tree.village_a1x, state=CaseState.ACCEPTED, title="宅基地界线纠纷")
    red = people.case(village=tree.village_a2x, warning_level=WarningLevel.RED, title="欠薪纠纷")
    plain = people.case(village=tree.village_a1y, title="噪声扰民")
    client = client_for(people.dispatcher_a)
    assert numbers(client.get(URL, {"state": CaseState.ACCEPTED})) == [accepted.number]
    assert numbers(client.get(URL, {"warning_level": WarningLevel.RED})) == [red.number]
    assert numbers(client.get(URL, {"region": tree.village_a1y.pk})) == [plain.number]
    assert sorted(numbers(client.get(URL, {"region": tree.town_a1.pk}))) == sorted([accepted.number, plain.number])
    assert numbers(client.get(URL, {"q": "欠薪"})) == [red.number]
    assert numbers(client.get(URL, {"q": accepted.number})) == [accepted.number]


def test_created_date_range(people):
    old = people.case(village=people.tree.village_a1x)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    new = people.case(village=people.tree.village_a1x)
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    response = client_for(people.clerk_a1).get(URL, {"created_from": since})
    assert numbers(response) == [new.number]


def test_sorting_by_number_both_ways(people):
    cases = [people.case(village=people.tree.village_a1x, number=f"N{i}") for i in (2, 1, 3)]
    client = client_for(people.clerk_a1)
    assert numbers(client.get(URL, {"ordering": "number"})) == ["N1", "N2", "N3"]
    response = client.get(URL, {"ordering": "number"})
    # the header link now reverses the order
    assert "ordering=-number" in response.content.decode()
    assert numbers(client.get(URL, {"ordering": "-number"})) == ["N3", "N2", "N1"]
    assert len(cases) == 3


def test_pagination_is_twenty_per_page(people):
    for _ in range(23):
        people.case(village=people.tree.village_a1x)
    client = client_for(people.clerk_a1)
    first = client.get(URL)
    second = client.get(URL, {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 3
    assert "page=2" in first.content.decode()


def test_htmx_request_gets_the_table_only(people):
    people.case(village=people.tree.village_a1x)
    response = client_for(people.clerk_a1).get(URL, {"state": "registered"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-table">')
    assert "<html" not in html


def test_a_township_b_clerk_never_sees_township_a_rows(people):
    a_case = people.case(village=people.tree.village_a1x, title="A镇案件")
    b_case = people.case(village=people.tree.village_b1x, title="B镇案件")
    response = client_for(people.clerk_b1).get(URL)
    html = response.content.decode()
    assert numbers(response) == [b_case.number]
    assert a_case.number not in html and "A镇案件" not in html
    # and a keyword naming the other township's case finds nothing
    assert numbers(client_for(people.clerk_b1).get(URL, {"q": a_case.number})) == []


def test_out_of_scope_region_parameter_is_404(people):
    client = client_for(people.clerk_b1)
    assert client.get(URL, {"region": people.tree.town_a1.pk}).status_code == 404
    assert client.get(URL, {"region": people.tree.village_a1x.pk}).status_code == 404
    assert client.get(URL, {"region": "abc"}).status_code == 404
    assert client.get(URL, {"region": people.tree.village_b1x.pk}).status_code == 200


def test_region_options_are_limited_to_the_scope(people):
    html = client_for(people.clerk_b1).get(URL).content.decode()
    assert people.tree.village_b1x.name in html
    assert people.tree.village_a1x.name not in html and people.tree.town_a1.name not in html


def test_query_count_is_constant_for_2_and_10_rows(people):
    client = client_for(people.clerk_a1)
    for _ in range(2):
        people.case(village=people.tree.village_a1x, due_at=timezone.now())
    client.get(URL)  # warm up session and caches
    with CaptureQueriesContext(connection) as two:
        assert client.get(URL).status_code == 200
    for _ in range(8):
        people.case(village=people.tree.village_a1x, due_at=timezone.now())
    with CaptureQueriesContext(connection) as ten:
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 10
    assert len(two) == len(ten)


def test_filter_selects_render_like_the_django_widgets(people):
    """The list renders its filter <select>s in Python (views._select_html) for speed; the
    markup must stay what Django's widget templates give, selection and optgroups included."""
    import re

    from disputes.forms import CaseFilterForm
    from disputes.views import FAST_SELECTS, _select_html
    from governance.scoping import scope_for

    def squash(html: str) -> str:
        return re.sub(r">\s+<", "><", str(html).strip())

    scope = scope_for(people.dispatcher_a)
    for data in (None, {"state": CaseState.ACCEPTED, "region": people.tree.village_a1x.pk, "ordering": "due_at"}):
        form = CaseFilterForm(data, scope=scope)
        if data:
            assert form.is_valid(), form.errors
        for name in FAST_SELECTS:
            assert squash(_select_html(form[name])) == squash(form[name])
    html = client_for(people.dispatcher_a).get(URL, {"region": people.tree.village_a1x.pk}).content.decode()
    assert f'<option value="{people.tree.village_a1x.pk}" selected>' in html


def test_timeline_of_a_case_outside_the_scope_is_not_found(people):
    import pytest

    from disputes import selectors
    from governance.errors import NotFound
    from governance.scoping import scope_for

    case = people.case(village=people.tree.village_a1x)
    assert list(selectors.case_timeline(scope=scope_for(people.dispatcher_a), case=case)) == list(case.events.all())
    with pytest.raises(NotFound):
        selectors.case_timeline(scope=scope_for(people.clerk_b1), case=case)
