"""Grid writes: validation with Chinese messages, jurisdiction, split and merge keeping history."""
import datetime as dt

import pytest

from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.models import Role
from grids.models import Grid, GridWorkerAssignment
from grids.services import GridInput, grid_create, grid_merge, grid_split, grid_update
from tests.factories import CaseFactory, GridFactory, UserFactory

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[109.0, 35.0], [109.01, 35.0], [109.01, 35.01], [109.0, 35.01],
                                               [109.0, 35.0]]]}


@pytest.fixture
def clerk(tree):
    return UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)


def data(village, code_suffix="001", **kw):
    return GridInput(code=kw.pop("code", f"{village.code}{code_suffix}"), name=kw.pop("name", "一网格"),
                     region_id=village.pk, **kw)


def test_create_fills_the_path_and_the_centre_from_the_boundary(tree, clerk):
    grid = grid_create(actor=clerk, data=data(tree.village_a1x, boundary=SQUARE, households=120))
    grid.refresh_from_db()
    assert (grid.code, grid.township_id, grid.households) == ("610202001001001", tree.town_a1.pk, 120)
    assert (float(grid.centre_lng), float(grid.centre_lat)) == (109.005, 35.005)


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"code": "610202001002001"}, "code", "网格编码应为所属村(社区)编码 610202001001 加 3 位数字"),
    ({"code": "61020200100100"}, "code", "加 3 位数字"),
    ({"code": "610202001001000"}, "code", "001 至 999"),
    ({"name": "  "}, "name", "请填写网格名称"),
    ({"kind": "mall"}, "kind", "网格类型应为"),
    ({"households": -1}, "households", "户数应在 0 至"),
    ({"population": "许多"}, "population", "人口应为整数"),
    ({"boundary": {"type": "Point", "coordinates": [109, 35]}}, "boundary", "Polygon 或 MultiPolygon"),
    ({"boundary": {"type": "Polygon", "coordinates": [[[109, 35], [109.1, 35], [109, 35]]]}}, "boundary", "至少 4 个"),
    ({"boundary": {"type": "Polygon", "coordinates": [[[35, 109], [35, 110], [36, 110], [35, 109]]]}},
     "boundary", "超出范围"),
    ({"centre_lng": "109.1"}, "centre", "同时填写经度和纬度"),
    ({"centre_lng": "10.1", "centre_lat": "35"}, "centre", "超出范围"),
])
def test_bad_grid_input_is_refused_by_field_in_chinese(tree, clerk, kw, field, message):
    with pytest.raises(InvalidInput) as exc:
        grid_create(actor=clerk, data=data(tree.village_a1x, **kw))
    assert message in exc.value.message
    assert field in exc.value.extra["fields"]
    assert not Grid.objects.exists()


def test_duplicate_code_is_refused_even_when_the_grid_is_elsewhere(tree, clerk):
    GridFactory(region=tree.village_a1x, code="610202001001001")
    with pytest.raises(InvalidInput, match="网格编码 610202001001001 已存在"):
        grid_create(actor=clerk, data=data(tree.village_a1x))
    assert Grid.objects.count() == 1


def test_a_grid_only_goes_under_a_village(tree, clerk):
    with pytest.raises(InvalidInput, match="网格只能设在村\\(社区\\)下,「七一路街道」是乡镇\\(街道\\)"):
        grid_create(actor=clerk, data=GridInput(code="610202001001001", name="x", region_id=tree.town_a1.pk))


def test_a_village_of_another_township_reads_as_unknown(tree, clerk):
    with pytest.raises(InvalidInput, match="不存在或不在您的管辖范围内"):
        grid_create(actor=clerk, data=data(tree.village_a2x))


def test_roles_without_grids_manage_are_refused(tree):
    leader = UserFactory(role=Role.LEADER, region=tree.town_a1)
    with pytest.raises(Forbidden):
        grid_create(actor=leader, data=data(tree.village_a1x))


def test_update_of_a_grid_elsewhere_is_not_found(tree):
    grid = GridFactory(region=tree.village_a2x)
    clerk = UserFactory(role=Role.WINDOW_STAFF, region=tree.town_a1)
    with pytest.raises(NotFound):
        grid_update(actor=clerk, grid_id=grid.pk, data=data(tree.village_a2x, name="改名"))


def test_update_keeps_its_own_code(tree, clerk):
    grid = GridFactory(region=tree.village_a1x, code="610202001001001")
    grid_update(actor=clerk, grid_id=grid.pk, data=data(tree.village_a1x, name="改名", households=7))
    grid.refresh_from_db()
    assert (grid.name, grid.households) == ("改名", 7)


def test_split_retires_the_old_grid_and_keeps_its_cases_and_history(tree, clerk):
    # given a grid with a case and a worker in post
    old = GridFactory(region=tree.village_a1x, code="610202001001001")
    case = CaseFactory(village=tree.village_a1x, grid=old, registered_by=clerk)
    worker = UserFactory(role=Role.GRID_WORKER, region=tree.village_a1x)
    GridWorkerAssignment.objects.create(grid=old, worker=worker, started_on=dt.date(2025, 1, 1))
    # when it is split in two
    new = grid_split(actor=clerk, grid_id=old.pk, on=dt.date(2026, 6, 1), parts=[
        data(tree.village_a1x, "002", name="东片"), data(tree.village_a1x, "003", name="西片")])
    # then the old grid is retired, its case still points at it, the tenure ended the day before
    old.refresh_from_db()
    case.refresh_from_db()
    assert (old.is_active, old.retired_on) == (False, dt.date(2026, 6, 1))
    assert case.grid_id == old.pk
    assert GridWorkerAssignment.objects.get(grid=old).ended_on == dt.date(2026, 5, 31)
    # and the new grids name it as their predecessor
    assert [g.name for g in new] == ["东片", "西片"]
    assert all(list(g.predecessors.all()) == [old] for g in new)
    assert sorted(old.successors.values_list("code", flat=True)) == ["610202001001002", "610202001001003"]


def test_split_with_a_bad_part_saves_nothing(tree, clerk):
    old = GridFactory(region=tree.village_a1x, code="610202001001001")
    with pytest.raises(InvalidInput, match="第 2 个新网格:网格编码 610202001001002 已存在"):
        grid_split(actor=clerk, grid_id=old.pk, parts=[data(tree.village_a1x, "002"), data(tree.village_a1x, "002")])
    old.refresh_from_db()
    assert old.is_active and Grid.objects.count() == 1


def test_merge_makes_one_grid_from_two_of_a_village(tree, clerk):
    a = GridFactory(region=tree.village_a1x, code="610202001001001")
    b = GridFactory(region=tree.village_a1x, code="610202001001002")
    merged = grid_merge(actor=clerk, grid_ids=[a.pk, b.pk], into=data(tree.village_a1x, "010", name="合并网格"))
    assert set(merged.predecessors.all()) == {a, b}
    assert list(Grid.objects.filter(is_active=True)) == [merged]
    with pytest.raises(Conflict, match="网格已撤销"):
        grid_merge(actor=clerk, grid_ids=[a.pk, b.pk], into=data(tree.village_a1x, "011"))


def test_merge_across_villages_is_refused(tree, clerk):
    a = GridFactory(region=tree.village_a1x)
    b = GridFactory(region=tree.village_a1y)
    with pytest.raises(InvalidInput, match="只能合并同一村"):
        grid_merge(actor=clerk, grid_ids=[a.pk, b.pk], into=data(tree.village_a1x, "010"))
    assert Grid.objects.filter(is_active=True).count() == 2
