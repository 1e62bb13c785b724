"""Shared layout, role landing page, navigation and the admin site."""
import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import navigation
from governance.models import AuditLog, Notification, Role
from tests.factories import CaseFactory, DepartmentFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_layout_shows_full_jurisdiction_role_and_unread_count(client, tree):
    # given a grid worker in 红旗社区 with 2 unread and 1 read notification
    user = UserFactory(role=Role.GRID_WORKER, region=tree.village_a2x)
    for i in range(2):
        Notification.objects.create(recipient=user, event_key=f"e{i}", title=f"通知{i}")
    Notification.objects.create(recipient=user, event_key="read", title="已读", read_at="2026-01-01T00:00:00Z")
    Notification.objects.create(recipient=UserFactory(region=tree.town_a1), event_key="x", title="别人的")
    client.force_login(user)

    # when any page with the layout renders
    body = client.get(reverse("grids:mine")).content.decode()

    # then it shows the full region name, the role label and the unread count
    assert "铜川市王益区红旗街街道红旗社区" in body
    assert 'data-testid="role-label">网格员<' in body
    assert '<span class="badge bg-red text-red-fg">2</span>' in body


def test_layout_full_name_comes_with_the_signed_in_user_not_from_a_query_of_its_own(client, tree):
    client.force_login(UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a2))
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("notifications")).content.decode()
    assert "铜川市王益区红旗街街道" in body
    region_reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "governance_region"')]
    assert region_reads == []


def test_layout_has_csrf_header_logout_form_and_no_remote_assets(client, tree):
    client.force_login(UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x))

    body = client.get(reverse("grids:mine")).content.decode()

    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert f'action="{reverse("logout")}"' in body
    assert "vendor/tabler/css/tabler.min.css" in body
    assert "vendor/htmx/htmx.min.js" in body
    assert "http://" not in body and "https://" not in body


def test_layout_nav_shows_only_the_role_items_that_resolve(tree):
    links = navigation.nav_links(
        UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x), reverse("grids:mine"))

    names = [link.url_name for link in links]
    assert "grids:mine" in names
    assert "admin:index" not in names
    assert [link.active for link in links if link.url_name == "grids:mine"] == [True]
    for link in links:
        assert reverse(link.url_name) in link.url


def test_nav_skips_items_whose_url_is_not_wired(tree, monkeypatch):
    monkeypatch.setattr(navigation, "NAV_ITEMS", (
        navigation.NavItem("no-such:page", "不存在", navigation.ALL_ROLES),
        navigation.NavItem("grids:mine", "我的网格", navigation.ALL_ROLES),
    ))
    user = UserFactory(role=Role.LEADER, region=tree.city)

    assert [link.url_name for link in navigation.nav_links(user)] == ["grids:mine"]


def test_nav_for_administrator_has_admin_link_when_staff(tree):
    staff = UserFactory(role=Role.ADMINISTRATOR, region=tree.city, is_staff=True)
    not_staff = UserFactory(role=Role.ADMINISTRATOR, region=tree.city)

    assert "admin:index" in [link.url_name for link in navigation.nav_links(staff)]
    assert "admin:index" not in [link.url_name for link in navigation.nav_links(not_staff)]


def test_home_for_administrator_without_staff_flag_shows_landing_page(client, tree):
    # the admin site would refuse them, so "/" must not send them there
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, region=tree.city))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "governance/home.html" in [t.name for t in response.templates]


def test_every_role_has_a_home_target():
    assert set(navigation.ROLE_HOME) == set(Role.values)


def test_home_falls_back_to_landing_page_when_target_is_not_wired(client, tree, monkeypatch):
    # given the role's screen does not resolve (its app is not built)
    monkeypatch.setitem(navigation.ROLE_HOME, Role.LEADER, "no-such:page")
    client.force_login(UserFactory(role=Role.LEADER, region=tree.county_a))

    response = client.get(reverse("home"))

    # then a landing page with the jurisdiction renders instead of an error
    assert response.status_code == 200
    assert "铜川市王益区" in response.content.decode()


def test_home_redirects_grid_worker_to_phone_screen(client, tree):
    client.force_login(UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x))

    response = client.get(reverse("home"))

    assert response["Location"] == reverse("grids:mine")


def test_language_switch_to_english(client, tree):
    client.force_login(UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x))

    client.post(reverse("set_language"), {"language": "en", "next": "/grids/"})
    body = client.get(reverse("grids:mine")).content.decode()

    assert "Sign out" in body
    assert "My grids" in body


def test_django_messages_render_as_tabler_alerts(rf, tree):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.template.loader import render_to_string

    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    request.user = UserFactory(role=Role.LEADER, region=tree.city)
    from django.contrib import messages

    messages.error(request, "操作失败：案件已被他人处理")

    html = render_to_string("governance/home.html", {"links": []}, request=request)

    assert 'class="alert alert-danger alert-dismissible"' in html
    assert "操作失败：案件已被他人处理" in html


# --- admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_with_data(client, tree):
    superuser = UserFactory(role=Role.ADMINISTRATOR, region=tree.city, is_staff=True, is_superuser=True)
    department = DepartmentFactory(region=tree.town_a1)
    grid = GridFactory(region=tree.village_a1x)
    case = CaseFactory(village=tree.village_a1x, registered_by=superuser, grid=grid)
    AuditLog.objects.create(actor=superuser, action="login")
    Notification.objects.create(recipient=superuser, event_key="k", title="通知")
    client.force_login(superuser)
    return client, {"department": department, "grid": grid, "case": case, "user": superuser}


def registered_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_admin_changelist_loads(admin_client_with_data, model):
    client, _ = admin_client_with_data

    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))

    assert response.status_code == 200


def test_admin_registers_the_required_models():
    labels = {m._meta.label for m in admin.site._registry}

    assert {
        "governance.Region", "governance.User", "governance.Department", "governance.AuditLog",
        "governance.CalendarDay", "governance.Notification", "grids.Grid", "grids.GridWorkerAssignment",
        "disputes.Category", "disputes.RiskGrade", "disputes.TimeLimitPolicy", "disputes.EscalationPolicy",
        "disputes.Case", "disputes.CaseEvent",
    } <= labels


def test_admin_case_is_view_only(admin_client_with_data):
    client, data = admin_client_with_data
    case = data["case"]

    view = client.get(reverse("admin:disputes_case_change", args=[case.pk]))
    post = client.post(reverse("admin:disputes_case_change", args=[case.pk]), {"state": "closed"})

    assert view.status_code == 200
    assert post.status_code == 403
    case.refresh_from_db()
    assert case.state == "registered"
    assert client.get(reverse("admin:disputes_case_add")).status_code == 403
    assert client.get(reverse("admin:disputes_case_delete", args=[case.pk])).status_code == 403


def test_admin_case_search_by_number(admin_client_with_data):
    client, data = admin_client_with_data

    response = client.get(reverse("admin:disputes_case_changelist"), {"q": data["case"].number})

    assert data["case"].title in response.content.decode()


def test_admin_audit_log_cannot_be_added_or_changed(admin_client_with_data):
    client, _ = admin_client_with_data
    log = AuditLog.objects.first()

    assert client.get(reverse("admin:governance_auditlog_change", args=[log.pk])).status_code == 200
    assert client.post(reverse("admin:governance_auditlog_change", args=[log.pk]), {"action": "x"}).status_code == 403
    assert client.get(reverse("admin:governance_auditlog_delete", args=[log.pk])).status_code == 403


def test_admin_region_add_fills_path(admin_client_with_data, tree):
    client, _ = admin_client_with_data

    response = client.post(reverse("admin:governance_region_add"), {
        "code": "610202001003", "name": "新社区", "level": "village", "parent": tree.town_a1.pk,
    })

    assert response.status_code == 302
    from governance.models import Region
    region = Region.objects.get(code="610202001003")
    assert (region.city_id, region.county_id, region.township_id, region.village_id) == (
        tree.city.pk, tree.county_a.pk, tree.town_a1.pk, region.pk)


def test_admin_user_change_page_has_role_and_region(admin_client_with_data):
    client, data = admin_client_with_data

    body = client.get(reverse("admin:governance_user_change", args=[data["user"].pk])).content.decode()

    assert 'name="role"' in body and 'name="region"' in body and 'name="department"' in body


def test_admin_user_filter_by_role(admin_client_with_data, tree):
    client, _ = admin_client_with_data
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x, username="gridman")

    body = client.get(reverse("admin:governance_user_changelist"), {"role__exact": Role.GRID_WORKER}).content.decode()

    assert worker.username in body


def test_admin_is_closed_to_non_staff(client, tree):
    client.force_login(UserFactory(role=Role.LEADER, region=tree.city))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302


def test_nav_marks_only_the_most_specific_item_active(tree):
    user = UserFactory(role=Role.DISPATCHER, region=tree.county_a)

    links = navigation.nav_links(user, reverse("disputes:dashboard"))

    assert [link.url_name for link in links if link.active] == ["disputes:dashboard"]


def test_admin_can_add_user_with_role_and_region(admin_client_with_data, tree):
    client, _ = admin_client_with_data

    assert client.get(reverse("admin:governance_user_add")).status_code == 200
    response = client.post(reverse("admin:governance_user_add"), {
        "username": "new_window", "password1": "Zz-long-pass-2026", "password2": "Zz-long-pass-2026",
        "usable_password": "true", "display_name": "王五", "new_phone": "", "role": Role.WINDOW_STAFF,
        "region": tree.town_a1.pk, "department": "",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    from governance.models import User
    created = User.objects.get(username="new_window")
    assert (created.role, created.region_id, created.display_name) == (Role.WINDOW_STAFF, tree.town_a1.pk, "王五")
