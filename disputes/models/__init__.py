"""The disputes models: cases and what hangs off them (`cases`), and the mediation side of
三调联动/诉调对接 (`mediation`: mediation organisations, their mediators, referrals).
Import them from here: `from disputes.models import Case`."""
from disputes.models.cases import *  # noqa: F403
from disputes.models.mediation import *  # noqa: F403
