"""factory_boy factories shared by every test folder. They build a real region tree."""
from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from disputes.models import Case, CaseState, Category, Channel, Step
from governance.models import Department, DepartmentKind, Region, RegionLevel, Role, User
from grids.models import Grid

PASSWORD = "Test-pass-123"


def make_region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    region.fill_path()
    region.save(update_fields=["city", "county", "township", "village"])
    return region


class RegionTree:
    """city 6102 → counties A, B → townships A1, A2, B1 → villages (2 each).

    Attributes: city, county_a, county_b, town_a1, town_a2, town_b1, village_a1x, village_a1y,
    village_a2x, village_b1x.
    """

    def __init__(self) -> None:
        self.city = make_region("6102", "铜川市", RegionLevel.CITY)
        self.county_a = make_region("610202", "王益区", RegionLevel.COUNTY, self.city)
        self.county_b = make_region("610203", "印台区", RegionLevel.COUNTY, self.city)
        self.town_a1 = make_region("610202001", "七一路街道", RegionLevel.TOWNSHIP, self.county_a)
        self.town_a2 = make_region("610202002", "红旗街街道", RegionLevel.TOWNSHIP, self.county_a)
        self.town_b1 = make_region("610203001", "城关街道", RegionLevel.TOWNSHIP, self.county_b)
        self.village_a1x = make_region("610202001001", "云梦堤社区", RegionLevel.VILLAGE, self.town_a1)
        self.village_a1y = make_region("610202001002", "青年路社区", RegionLevel.VILLAGE, self.town_a1)
        self.village_a2x = make_region("610202002010", "红旗社区", RegionLevel.VILLAGE, self.town_a2)
        self.village_b1x = make_region("610203001001", "城关社区", RegionLevel.VILLAGE, self.town_b1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.WINDOW_STAFF
    region = None
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"司法所{n}")
    kind = DepartmentKind.JUSTICE


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    code = factory.LazyAttributeSequence(lambda o, n: f"{o.region.code}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"第{n}网格")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"类别{n}")


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in `village` (required), owned by its township center."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"T{n:08d}")
    title = factory.Sequence(lambda n: f"邻里纠纷{n}")
    narrative = "双方因排水问题发生争执。"
    category = factory.SubFactory(CategoryFactory)
    channel = Channel.VISIT
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    state = CaseState.REGISTERED
    step = Step.ACCEPT
    owning_level = RegionLevel.TOWNSHIP

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        village = kwargs.pop("village")
        kwargs.setdefault("owning_region", Region.objects.get(pk=village.township_id))
        case = model_class(*args, **kwargs)
        case.set_region(village)
        case.save()
        return case
