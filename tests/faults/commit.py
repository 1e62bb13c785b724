"""Run by the Redis-down fault test in a separate process whose broker is unreachable (the
web process during a Redis outage): registers one case through the intake service and
prints its id. `manage.py shell -c "from tests.faults.commit import main; main(actor, village, category)"`."""
from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone


def main(actor_id: int, village_id: int, category_id: int) -> None:
    from disputes.contract import CaseInput, PartyInput, case_register
    from disputes.models import Channel, PartyKind, PartyRole
    from governance.models import User

    started = time.monotonic()
    case = case_register(
        actor=User.objects.get(pk=actor_id),
        data=CaseInput(title="停电纠纷", narrative="Redis 中断时登记的案件。", category_id=category_id,
                       channel=Channel.VISIT, occurred_at=timezone.now() - dt.timedelta(hours=1),
                       village_id=village_id),
        parties=[PartyInput(role=PartyRole.APPLICANT, kind=PartyKind.PERSON, name="李四")],
    )
    print(f"CASE {case.pk} {time.monotonic() - started:.2f}")
