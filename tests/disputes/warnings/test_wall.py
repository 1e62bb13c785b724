"""The wall screen lists open 研判预警 of the viewer's jurisdiction, and its list polls alone."""
import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from disputes.models import WarningKind
from disputes.services.warnings import warnings_evaluate_all
from governance import clock
from tests.disputes.warnings.conftest import NOW, case_at

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def group_warning(people, only_rule, category):
    only_rule(WarningKind.GROUP, min_people=5)
    case_at(NOW - dt.timedelta(days=1), people.tree.village_a1x, category, people_involved=30, title="群体讨薪")
    with clock.frozen_at(NOW):
        assert warnings_evaluate_all().raised == 1


def test_the_wall_lists_the_open_warning_to_its_township_and_county(people, group_warning):
    for user in (people.town_dispatcher, people.county_dispatcher):
        body = client_for(user).get(reverse("disputes:wall")).content.decode()
        assert body.count('data-testid="wall-warning"') == 1, user


def test_the_wall_of_another_township_or_county_shows_none(people, group_warning):
    for user in (people.other_town_dispatcher, people.far_dispatcher):
        body = client_for(user).get(reverse("disputes:wall")).content.decode()
        assert 'data-testid="wall-warning"' not in body
        assert "暂无待处置的研判预警" in body


def test_the_list_is_polled_as_its_own_fragment(people, group_warning):
    response = client_for(people.county_dispatcher).get(reverse("disputes:dashboard_figures"), {"wall": "warnings"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="wall-warning-list"') and 'hx-trigger="every' in body
    assert body.count('data-testid="wall-warning"') == 1


def test_a_long_label_is_one_line_with_the_whole_text_in_its_title(people, group_warning):
    # The panel's text ran past its edge: the label is its own ellipsis box (static/disputes/wall.css).
    body = client_for(people.county_dispatcher).get(reverse("disputes:wall")).content.decode()
    label = re.search(r'<span class="label" title="([^"]+)">([^<]+)</span>', body)
    assert label is not None and label.group(1) == label.group(2)
    css = (Path(settings.BASE_DIR) / "static" / "disputes" / "wall.css").read_text(encoding="utf-8")
    rule = re.search(r"\.app-wall-warnings \.label \{([^}]*)\}", css).group(1)
    assert "text-overflow: ellipsis" in rule and "white-space: nowrap" in rule and "min-width: 0" in rule
