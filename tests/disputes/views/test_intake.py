"""Intake page (一窗受理): case + parties in one form, with and without JavaScript."""
from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseLink, CaseParty
from tests.disputes.views.conftest import ID_LI, ID_ZHANG, PHONE_ZHANG, client_for

URL = reverse("disputes:intake")


def intake_post(people, **overrides) -> dict:
    data = {
        "title": "楼上漏水纠纷",
        "category": str(people.category.pk),
        "channel": "visit",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "village": str(people.tree.village_a1x.pk),
        "grid": str(people.grid_a1x.pk),
        "address": "云梦堤小区3号楼",
        "narrative": "楼上卫生间漏水，双方就维修费用发生争执。",
        "people_involved": "2",
        "amount_involved": "",
        "submit_token": "tok-0001",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "50",
        "parties-0-role": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "张三",
        "parties-0-id_number": ID_ZHANG,
        "parties-0-phone": PHONE_ZHANG,
        "parties-1-role": "respondent",
        "parties-1-kind": "person",
        "parties-1-name": "李四",
        "parties-1-id_number": ID_LI,
        "parties-1-phone": "",
    }
    data.update(overrides)
    return data


def test_form_offers_only_villages_in_scope_and_a_fresh_submit_token(people):
    # given a township A1 clerk
    client = client_for(people.clerk_a1)
    # when the intake page opens
    response = client.get(URL)
    # then only A1's villages are offered, categories are grouped, a token and "now" are prefilled
    html = response.content.decode()
    assert response.status_code == 200
    assert people.tree.village_a1x.name in html and people.tree.village_a1y.name in html
    assert people.tree.village_a2x.name not in html and people.tree.village_b1x.name not in html
    assert '<optgroup label="婚姻家庭邻里等民间纠纷">' in html
    token = re.search(r'name="submit_token" value="([0-9a-f]{32})"', html)
    assert token is not None
    assert f'value="{timezone.localtime():%Y-%m-%dT}' in html
    assert 'name="parties-TOTAL_FORMS" value="2"' in html


def test_register_with_two_parties_creates_one_case_and_redirects_to_it(people):
    client = client_for(people.clerk_a1)
    # when the clerk submits a case with two parties
    response = client.post(URL, intake_post(people))
    # then one case exists with both parties (encrypted, masked) and the clerk lands on it
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:detail", args=[case.pk])
    assert case.title == "楼上漏水纠纷"
    assert case.grid_id == people.grid_a1x.pk
    assert case.village_id == people.tree.village_a1x.pk
    parties = list(CaseParty.objects.filter(case=case).order_by("id"))
    assert [p.name for p in parties] == ["张三", "李四"]
    assert parties[0].id_number_masked != ID_ZHANG and parties[0].id_number_masked.endswith(ID_ZHANG[-4:])
    page = client.get(response["Location"])
    assert "已登记案件" in page.content.decode()


def test_invalid_id_number_is_shown_in_chinese_next_to_the_field_and_nothing_is_lost(people):
    client = client_for(people.clerk_a1)
    bad = ID_ZHANG[:-1] + ("0" if ID_ZHANG[-1] != "0" else "1")  # wrong check character
    # when the clerk submits a wrong ID number
    response = client.post(URL, intake_post(people, **{"parties-0-id_number": bad}))
    # then nothing is saved, the page comes back with the error under that field, values kept
    html = response.content.decode()
    assert response.status_code == 200
    assert Case.objects.count() == 0
    error = re.search(r'data-error-for="parties-0-id_number">([^<]+)<', html)
    assert error is not None and re.search(r"[\u4e00-\u9fff]", error.group(1))
    assert f'value="{bad}"' in html
    assert 'value="楼上漏水纠纷"' in html
    assert "楼上卫生间漏水，双方就维修费用发生争执。" in html
    assert 'value="李四"' in html
    assert 'value="tok-0001"' in html


def test_missing_required_field_shows_chinese_error(people):
    client = client_for(people.clerk_a1)
    response = client.post(URL, intake_post(people, title=""))
    html = response.content.decode()
    assert Case.objects.count() == 0
    assert re.search(r'data-error-for="title">[^<]*[\u4e00-\u9fff]', html)


def test_double_submit_with_the_same_token_creates_one_case(people):
    client = client_for(people.clerk_a1)
    data = intake_post(people, submit_token="tok-double")
    # when the same form is posted twice (double click, or a resend after a timeout)
    first = client.post(URL, data)
    second = client.post(URL, data)
    # then one case exists and both answers lead to it
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == reverse("disputes:detail", args=[case.pk])


def test_add_party_without_javascript_adds_a_row_and_shows_no_errors(people):
    client = client_for(people.clerk_a1)
    # when the no-JS "添加当事人" button is pressed with a half-filled form
    response = client.post(URL, intake_post(people, title="", add_party="1"))
    html = response.content.decode()
    # then a third row appears, nothing is saved and no error is shown yet
    assert Case.objects.count() == 0
    assert 'name="parties-TOTAL_FORMS" value="3"' in html
    assert 'name="parties-2-name"' in html
    assert "data-error-for" not in html
    assert 'value="张三"' in html


def test_linking_a_hinted_case_as_related(people):
    earlier = people.register()
    client = client_for(people.clerk_a1)
    response = client.post(URL, intake_post(people, related_to=str(earlier.pk)))
    assert response.status_code == 302
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert CaseLink.objects.filter(case=new, other=earlier).exists()


def test_grid_select_is_filtered_to_the_chosen_village(people):
    client = client_for(people.clerk_a1)
    url = reverse("disputes:intake_grids")
    html = client.get(url, {"village": people.tree.village_a1y.pk}).content.decode()
    assert people.grid_a1y.name in html and people.grid_a1x.name not in html
    # a village of another county gives no grids
    html = client.get(url, {"village": people.tree.village_b1x.pk}).content.decode()
    assert people.grid_b1x.name not in html


def test_hints_find_cases_of_the_same_party_within_scope_only(people):
    earlier = people.register()
    url = reverse("disputes:hints")
    params = {"parties-0-id_number": ID_ZHANG, "village": "", "category": ""}
    # when the A1 clerk types the ID number of a party of an A1 case
    html = client_for(people.clerk_a1).post(url, params).content.decode()
    # then the case is offered as 关联件/重复件
    assert earlier.number in html
    assert f'name="related_to" value="{earlier.pk}"' in html
    assert f'name="duplicate_of" value="{earlier.pk}"' in html
    # and a clerk of county B typing the same number sees nothing of it
    html = client_for(people.clerk_b1).post(url, params).content.decode()
    assert earlier.number not in html


def test_hints_keep_the_choices_already_ticked(people):
    earlier = people.register()
    params = {"parties-0-phone": PHONE_ZHANG, "related_to": str(earlier.pk)}
    html = client_for(people.clerk_a1).post(reverse("disputes:hints"), params).content.decode()
    assert re.search(rf'name="related_to" value="{earlier.pk}"[^>]*checked', html)


def test_intake_requires_login(people):
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_roles_that_do_not_register_cases_are_refused(people):
    assert client_for(people.handler_a1).get(URL).status_code == 403
    assert client_for(people.leader_a).post(URL, intake_post(people)).status_code == 403
    assert not Case.objects.exists()


def test_legal_details_and_other_documents_are_entered_on_the_form(people):
    client = client_for(people.clerk_a1)
    data = intake_post(people, **{
        "parties-0-ethnicity": "回族", "parties-0-occupation": "个体经营户",
        "parties-1-id_type": "taiwan", "parties-1-id_number": "12345678", "parties-1-gender": "female",
        "parties-1-birth_date": "1975-03-08",
    })
    # when the clerk registers a mainland applicant and a respondent with a 台胞证
    response = client.post(URL, data)
    assert response.status_code == 302
    zhang, li = CaseParty.objects.order_by("id")
    # then the applicant's gender and birth date come from the ID number, the rest as typed
    assert (zhang.gender, zhang.birth_date.isoformat(), zhang.ethnicity, zhang.occupation) == (
        "male", "1980-01-01", "回族", "个体经营户")
    assert (li.id_type, li.gender, li.birth_date.isoformat()) == ("taiwan", "female", "1975-03-08")
    # and the case page shows them (full birth date only to users who may reveal)
    html = client.get(response["Location"]).content.decode()
    assert "回族" in html and "个体经营户" in html and "1980-01-01" in html and "台湾居民来往大陆通行证" in html
    leader_html = client_for(people.leader_a).get(response["Location"]).content.decode()
    assert "1980-01-01" not in leader_html and "1980年生" in leader_html


def test_a_wrong_document_number_is_shown_next_to_its_field(people):
    client = client_for(people.clerk_a1)
    response = client.post(URL, intake_post(people, **{"parties-1-id_type": "hk_macao",
                                                       "parties-1-id_number": "12345678"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-error-for="parties-1-id_number"' in html
    assert "港澳居民来往内地通行证号码应为H或M开头加8位数字" in html
    assert not Case.objects.exists()
