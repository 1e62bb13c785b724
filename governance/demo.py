"""Demo city, kernel part (`manage.py seed_demo`): 铜川市 regions, member departments, users.

Idempotent: regions are imported only when the city is missing; departments and users are
matched by (region, name) and username, created when absent and put back into their documented
role, region and department when present. Passwords are set only when a user is created, so
a password someone changed on a demo machine survives a re-run. All accounts: docs/demo.md.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction

from governance.accounts import staff_phone_set
from governance.divisions import divisions_import
from governance.models import Department, DepartmentKind, Region, RegionLevel, Role, User

DEMO_CITY_CODE = "6102"  # 铜川市, Shaanxi: 4 counties, 38 townships, 435 villages
DEMO_PASSWORD = "Demo-2026!"  # documented in docs/demo.md; demo machines only

TOWNSHIP_DEPARTMENTS = [
    ("综治中心", DepartmentKind.CENTER),
    ("司法所", DepartmentKind.JUSTICE),
    ("派出所", DepartmentKind.POLICE),
    ("信访办", DepartmentKind.PETITION),
    ("人社所", DepartmentKind.LABOUR),
]
COUNTY_DEPARTMENTS = [
    ("综治中心", DepartmentKind.CENTER),
    ("司法局", DepartmentKind.JUSTICE),
    ("公安分局", DepartmentKind.POLICE),
    ("信访局", DepartmentKind.PETITION),
    ("人社局", DepartmentKind.LABOUR),
    ("住建局", DepartmentKind.HOUSING),
]
CITY_DEPARTMENTS = [
    ("综治中心", DepartmentKind.CENTER),
    ("司法局", DepartmentKind.JUSTICE),
    ("公安局", DepartmentKind.POLICE),
    ("信访局", DepartmentKind.PETITION),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    region_code: str
    department: str = ""  # department suffix at the region ("司法所"), empty for center staff
    title: str = ""  # what the account stands for (docs/demo.md)


# The named accounts of docs/demo.md. Every other county and township gets generic accounts
# (`county_users`, `township_users`) so demo cases can run through every center.
NAMED_USERS = [
    DemoUser("admin", Role.ADMINISTRATOR, "6102", title="系统管理员"),
    DemoUser("secadmin", Role.SECURITY_ADMIN, "6102", title="安全管理员"),
    DemoUser("auditor", Role.AUDIT_ADMIN, "6102", title="审计管理员"),
    DemoUser("city_leader", Role.LEADER, "6102", title="市委政法委领导"),
    DemoUser("city_dispatcher", Role.DISPATCHER, "6102", title="市综治中心调度员"),
    DemoUser("wangyi_dispatcher", Role.DISPATCHER, "610202", title="王益区综治中心调度员"),
    DemoUser("wangyi_leader", Role.LEADER, "610202", title="王益区委政法委领导"),
    DemoUser("wangyi_clerk", Role.WINDOW_STAFF, "610202", title="王益区综治中心受理员"),
    DemoUser("wangyi_sfj", Role.HANDLER, "610202", "司法局", title="王益区司法局"),
    DemoUser("hongqi_clerk", Role.WINDOW_STAFF, "610202002", title="红旗街街道综治中心受理员"),
    DemoUser("hongqi_sfs", Role.HANDLER, "610202002", "司法所", title="红旗街街道司法所"),
    DemoUser("hongqi_pcs", Role.HANDLER, "610202002", "派出所", title="红旗街街道派出所"),
    DemoUser("hongqi_leader", Role.LEADER, "610202002", title="红旗街街道领导"),
    DemoUser("hongqi_grid", Role.GRID_WORKER, "610202002010", title="红旗社区网格员"),
    DemoUser("qiyi_clerk", Role.WINDOW_STAFF, "610202001", title="七一路街道综治中心受理员"),
    DemoUser("qiyi_sfs", Role.HANDLER, "610202001", "司法所", title="七一路街道司法所"),
    DemoUser("yunmengdi_grid", Role.GRID_WORKER, "610202001001", title="云梦堤社区网格员"),
]
# Generic accounts: username "<region code>_<key>".
COUNTY_USER_KEYS = [("dispatcher", Role.DISPATCHER, ""), ("leader", Role.LEADER, ""),
                    ("clerk", Role.WINDOW_STAFF, ""), ("sfj", Role.HANDLER, "司法局")]
TOWNSHIP_USER_KEYS = [("clerk", Role.WINDOW_STAFF, ""), ("sfs", Role.HANDLER, "司法所"),
                      ("pcs", Role.HANDLER, "派出所")]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN_CHARS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name (surname + one or two given characters)."""
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
    return rng.choice(SURNAMES) + given


def stable_rng(*parts: object) -> random.Random:
    """A Random fixed by `parts`, so a re-run gives the same value to the same row."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def department_name(region: Region, suffix: str) -> str:
    return f"{region.name}{suffix}"


def county_users(county: Region) -> list[DemoUser]:
    return [DemoUser(f"{county.code}_{key}", role, county.code, dept, title=department_name(county, dept or "综治中心"))
            for key, role, dept in COUNTY_USER_KEYS]


def township_users(township: Region) -> list[DemoUser]:
    return [DemoUser(f"{township.code}_{key}", role, township.code, dept,
                     title=department_name(township, dept or "综治中心"))
            for key, role, dept in TOWNSHIP_USER_KEYS]


def demo_users(regions: Iterable[Region]) -> list[DemoUser]:
    """Every demo account: the named ones, plus generic ones where no named one has the role."""
    users = list(NAMED_USERS)
    taken = {(u.region_code, u.role, u.department) for u in users}
    for region in regions:
        generic = {RegionLevel.COUNTY: county_users, RegionLevel.TOWNSHIP: township_users}.get(region.level)
        if generic:
            users += [u for u in generic(region) if (u.region_code, u.role, u.department) not in taken]
    return users


def city_ensure(*, stdout: TextIO) -> Region:
    city = Region.objects.filter(code=DEMO_CITY_CODE, level=RegionLevel.CITY).first()
    if city is None:
        stdout.write(f"导入 {DEMO_CITY_CODE} 行政区划 …\n")
        for line in divisions_import(city_code=DEMO_CITY_CODE).lines():
            stdout.write(line + "\n")
        city = Region.objects.get(code=DEMO_CITY_CODE)
    return city


def departments_ensure(city: Region) -> tuple[int, dict[tuple[str, str], Department]]:
    """Member departments at the city, every county and every township.

    Returns (created, {(region code, department name): department}).
    """
    regions = list(Region.objects.filter(city=city, level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]))
    wanted = [(city, suffix, kind) for suffix, kind in CITY_DEPARTMENTS]
    for region in regions:
        spec = COUNTY_DEPARTMENTS if region.level == RegionLevel.COUNTY else TOWNSHIP_DEPARTMENTS
        wanted += [(region, suffix, kind) for suffix, kind in spec]
    existing = {(d.region_id, d.name): d for d in Department.objects.filter(city=city)}
    new = []
    for region, suffix, kind in wanted:
        if (region.pk, department_name(region, suffix)) not in existing:
            department = Department(region=region, name=department_name(region, suffix), kind=kind)
            department.set_region(region)  # bulk_create skips save(), which fills the path
            new.append(department)
    Department.objects.bulk_create(new, batch_size=500)
    index = {(d.region.code, d.name): d for d in Department.objects.filter(city=city).select_related("region")}
    return len(new), index


def users_ensure(city: Region, departments: dict[tuple[str, str], Department]) -> tuple[int, int]:
    """Create or realign the demo accounts; (created, realigned)."""
    regions = {r.code: r for r in Region.objects.filter(city=city, level__in=[
        RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).order_by("code")}
    regions.update({r.code: r for r in Region.objects.filter(code__in=[u.region_code for u in NAMED_USERS])})
    wanted = demo_users(r for r in regions.values())
    existing = {u.username: u for u in User.objects.filter(username__in=[w.username for w in wanted])}
    password_hash = ""
    created, realigned = [], []
    for spec in wanted:
        region = regions[spec.region_code]
        department = departments[(region.code, department_name(region, spec.department))] if spec.department else None
        # 三员分立: no demo account is a superuser (one would hold all three administrators'
        # powers); the system and security administrators use the admin site through their
        # role groups, the audit administrator only the audit log page.
        is_staff = spec.role in (Role.ADMINISTRATOR, Role.SECURITY_ADMIN)
        fields = {"role": spec.role, "region_id": region.pk, "department_id": department.pk if department else None,
                  "is_staff": is_staff, "is_superuser": False, "is_active": True}
        user = existing.get(spec.username)
        if user is None:
            # One hash for every demo account: hashing ~150 passwords one by one takes minutes.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            name = person_name(stable_rng("user", spec.username))
            user = User(username=spec.username, password=password_hash, display_name=name, **fields)
            staff_phone_set(user, f"139{stable_rng('phone', spec.username).randint(0, 99_999_999):08d}")
            created.append(user)
        elif any(getattr(user, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(user, key, value)
            realigned.append(user)
    User.objects.bulk_create(created, batch_size=500)
    User.objects.bulk_update(realigned, ["role", "region", "department", "is_staff", "is_superuser", "is_active"])
    return len(created), len(realigned)


@transaction.atomic
def seed(*, stdout: TextIO, rng: random.Random) -> None:
    city = city_ensure(stdout=stdout)
    new_departments, departments = departments_ensure(city)
    new_users, realigned = users_ensure(city, departments)
    stdout.write(f"成员单位: 新增 {new_departments} / 共 {len(departments)}\n")
    stdout.write(f"演示账号: 新增 {new_users} / 校正 {realigned} / 共 {User.objects.filter(region__city=city).count()}"
                 f"(统一密码 {DEMO_PASSWORD},见 docs/demo.md)\n")
