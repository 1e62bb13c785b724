"""Rows a user could have stored before the input bounds (governance/inputs.py) existed:
found by a system check, repaired by `manage.py data_check --repair`.

Each app registers its checks in `ready()` with `register_data_check(DataCheck(...))` (the
kernel names no feature app). A check's `find()` returns the ids of the bad rows without
reading the bad values into Python (a BC timestamp cannot be read back at all); its
`repair(ids)` sets safe values by a set-based UPDATE and returns the number of rows changed.
Every repair is audited (`data_repair`: the check, the ids, the rule applied).

The system check is tagged `database`, so it runs where Django runs database checks
(`migrate`, `check --database default`), not on every management command.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core import checks
from django.db import DatabaseError, transaction

from governance.services import audit_record


@dataclass(frozen=True)
class DataCheck:
    name: str  # "<app>.<check>"
    description: str  # what is wrong, in Chinese
    rule: str  # what the repair sets, in Chinese
    find: Callable[[], Sequence[int]]
    repair: Callable[[Sequence[int]], int]


DATA_CHECKS: dict[str, DataCheck] = {}


def register_data_check(check: DataCheck) -> None:
    DATA_CHECKS[check.name] = check


@dataclass(frozen=True)
class Finding:
    check: DataCheck
    ids: list[int]


def data_findings() -> list[Finding]:
    """The registered checks that find rows, with those rows' ids."""
    findings = []
    for check in DATA_CHECKS.values():
        ids = list(check.find())
        if ids:
            findings.append(Finding(check, ids))
    return findings


def data_repair(*, actor=None) -> list[tuple[Finding, int]]:
    """Repair every finding, one transaction and one audit row per check."""
    repaired = []
    for finding in data_findings():
        with transaction.atomic():
            count = finding.check.repair(finding.ids)
            audit_record(actor=actor, action="data_repair", target_type=finding.check.name,
                         detail={"ids": finding.ids[:1000], "count": count, "rule": finding.check.rule})
        repaired.append((finding, count))
    return repaired


@checks.register(checks.Tags.database)
def stored_rows_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if not databases:
        return []
    try:
        findings = data_findings()
    except DatabaseError:  # not migrated yet: nothing stored to check
        return []
    return [
        checks.Warning(
            f"{finding.check.description}：{len(finding.ids)} 行（如 id {', '.join(map(str, finding.ids[:5]))}）",
            hint=f"运行 manage.py data_check --repair（{finding.check.rule}）",
            id="governance.W101", obj=finding.check.name,
        )
        for finding in findings
    ]
