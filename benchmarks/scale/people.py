"""Synthetic people: names, checksum-valid resident ID numbers, mobile numbers, and the pool of
party identities encrypted, hashed and masked once through disputes/parties.py."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from disputes.parties import encrypt, keyed_hash, mask_id_number, mask_phone

PARTY_POOL_SIZE = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华文辉玉兰海燕志强金凤红梅德明淑珍"
COMPANIES = ["建筑工程有限公司", "物业服务有限公司", "商贸有限公司", "农业专业合作社", "运输有限公司", "餐饮管理有限公司"]
ROADS = ["人民路", "建设路", "解放路", "新华街", "和平巷", "光明路", "朝阳街", "团结路"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def random_id_number(rng: random.Random) -> str:
    """A checksum-valid 18-digit resident ID (GB 11643) under a real Shaanxi area code."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
    body = f"610202{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187", "188", "189",
                   "198", "199")


def random_phone(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"


@dataclass(frozen=True)
class Identity:
    name: str
    kind: str
    id_enc: bytes | None
    id_hash: str
    id_masked: str
    phone_enc: bytes | None
    phone_hash: str
    phone_masked: str
    address: str


def party_pool(rng: random.Random, size: int = PARTY_POOL_SIZE) -> list[Identity]:
    pool = []
    for i in range(size):
        phone = random_phone(rng)
        address = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        if i % 10 == 9:  # one in ten parties is an organisation (no ID number)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(COMPANIES)
            pool.append(Identity(name, "organisation", None, "", "", encrypt(phone), keyed_hash(phone),
                                 mask_phone(phone), address))
            continue
        id_number = random_id_number(rng)
        pool.append(Identity(person_name(rng), "person", encrypt(id_number), keyed_hash(id_number),
                             mask_id_number(id_number), encrypt(phone), keyed_hash(phone), mask_phone(phone), address))
    return pool
