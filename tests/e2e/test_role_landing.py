"""Journey: every role signs in through the real login page and lands on its own screen."""
import pytest
from django.urls import NoReverseMatch, reverse

from governance.models import Role
from governance.navigation import ROLE_HOME
from grids.models import GridWorkerAssignment
from tests.e2e.conftest import PHONE, assert_styles_loaded, login, screenshot
from tests.factories import PASSWORD, CaseFactory, GridFactory, RegionTree, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def landing(role: str) -> tuple[str, str]:
    """(path, heading) the role should land on; the plain landing page until its app exists."""
    try:
        path = reverse(ROLE_HOME[role])
    except NoReverseMatch:
        return reverse("home"), "首页"
    headings = {
        "grids:mine": "我的网格",
        "admin:index": "综治中心平台管理",
        "assessment:rankings": "考核排名",
    }
    return path, headings.get(ROLE_HOME[role], "")


def make_users(tree: RegionTree) -> dict[str, object]:
    regions = {
        Role.WINDOW_STAFF: tree.town_a2,
        Role.HANDLER: tree.town_a2,
        Role.DISPATCHER: tree.county_a,
        Role.LEADER: tree.city,
        Role.GRID_WORKER: tree.village_a2x,
        Role.ADMINISTRATOR: tree.city,
    }
    return {
        role: UserFactory(
            username=f"e2e_{role}", role=role, region=region,
            is_staff=role == Role.ADMINISTRATOR, is_superuser=role == Role.ADMINISTRATOR,
        )
        for role, region in regions.items()
    }


def test_each_role_lands_on_its_screen(make_page):
    # given the region tree and one user per role
    tree = RegionTree()
    users = make_users(tree)

    for role, user in users.items():
        # when the user signs in through the login page (fresh browser context each)
        page = make_page()
        login(page, user.username, PASSWORD)

        # then the browser is on the role's screen, with its heading
        path, heading = landing(role)
        assert page.url.split("?")[0].endswith(path), (role, page.url)
        title = page.locator("#site-name, h2.page-title, h1").first.inner_text().strip()
        assert title, (role, page.url)
        if heading:
            assert heading in title, (role, title)
        if role != Role.ADMINISTRATOR:
            assert_styles_loaded(page)
            assert page.get_by_test_id("role-label").inner_text() == user.get_role_display()


def test_grid_worker_phone_screen(make_page):
    # given a grid worker of 红旗社区 with a grid and a case in it
    tree = RegionTree()
    worker = UserFactory(username="e2e_grid", role=Role.GRID_WORKER, region=tree.village_a2x)
    registrar = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a2)
    grid = GridFactory(region=tree.village_a2x, name="红旗社区第一网格", households=320, population=960)
    GridWorkerAssignment.objects.create(grid=grid, worker=worker, started_on="2025-01-01")
    CaseFactory(village=tree.village_a2x, grid=grid, registered_by=registrar, title="楼上漏水引发邻里纠纷")

    # when they sign in on a 390px-wide phone
    page = make_page(PHONE)
    login(page, worker.username, PASSWORD)

    # then the phone screen shows the jurisdiction, the grid and the case, without horizontal scroll
    assert page.url.endswith(reverse("grids:mine"))
    assert_styles_loaded(page)
    assert page.get_by_test_id("jurisdiction").inner_text() == "铜川市王益区红旗街街道红旗社区"
    assert "红旗社区第一网格" in page.get_by_test_id("grid-list").inner_text()
    assert "楼上漏水引发邻里纠纷" in page.get_by_test_id("case-list").inner_text()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    screenshot(page, "grid_worker_390")


def test_wrong_password_shows_chinese_error(page):
    tree = RegionTree()
    user = UserFactory(username="e2e_wrong", role=Role.WINDOW_STAFF, region=tree.town_a1)

    login(page, user.username, "not-the-password")

    assert page.url.endswith("/login/")
    assert page.get_by_test_id("login-error").inner_text().strip() == "用户名或密码错误"
    assert page.input_value("input[name=username]") == user.username
    assert_styles_loaded(page)


# --- the harness itself: remote requests are caught, static files are served ----------------


def test_remote_request_is_blocked_and_recorded(page):
    # given a page that tries to load a remote image (a blank page: the site's own pages carry a
    # Content-Security-Policy that stops the browser before the guard sees the request)
    page.set_content('<img src="http://cdn.example.com/x.png">')
    page.wait_for_load_state("load")

    # then the guard aborted and recorded it (cleared here so this test itself passes)
    assert page.request_guard.foreign == ["http://cdn.example.com/x.png"]
    page.request_guard.foreign.clear()


def test_static_files_are_served_by_the_live_server(page, live_server):
    response = page.goto("/static/css/app.css")

    assert response.status == 200
    assert "--tblr-font-sans-serif" in response.text()
