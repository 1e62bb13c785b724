"""The intake's related-case hints in a real browser (issue 15): typing a party's ID number
asks for hints by POST (htmx, with the CSRF header), and no request URL carries the number."""
import pytest

from disputes import services
from disputes.models import Category, Channel, PartyKind, PartyRole
from disputes.parties import ric_check_digit
from governance.models import Role
from tests.e2e.conftest import login
from tests.factories import PASSWORD, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "61020219800101123" + ric_check_digit("61020219800101123")


def test_typing_an_id_number_shows_the_earlier_case_without_the_number_in_any_url(make_page, reference_data):
    from django.utils import timezone

    tree = RegionTree()
    clerk = UserFactory(username="e2e_hints", role=Role.WINDOW_STAFF, region=tree.town_a1)
    earlier = services.case_register(actor=clerk, data=services.CaseInput(
        title="旧案", narrative="此前的纠纷。", category_id=Category.objects.get(name="邻里纠纷").pk,
        channel=Channel.VISIT, occurred_at=timezone.now(), village_id=tree.village_a1x.pk),
        parties=[services.PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="张某",
                                     id_number=ID_NUMBER)])
    page = make_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    login(page, clerk.username, PASSWORD)
    page.goto("/cases/new/")
    with page.expect_response(lambda r: "/cases/new/hints/" in r.url and r.request.method == "POST"
                              and r.status == 200) as hint:
        page.fill("[name=parties-0-id_number]", ID_NUMBER)
    assert hint.value.ok
    page.locator("#case-hints").get_by_text(earlier.number).wait_for()
    assert not [url for url in urls if ID_NUMBER in url]
