"""The disputes models: cases and what hangs off them (`cases`), their parties (`parties`),
policy data (`policies`),
what residents leave online (`public`), and the mediation side of 三调联动/诉调对接
(`mediation`: organisations, mediators, referrals), and early warning with the monthly
analysis report (`warnings`), and the dashboard's rollup of case counts (`tallies`). Import them from here:
`from disputes.models import Case`."""
from disputes.models.cases import *  # noqa: F403
from disputes.models.mediation import *  # noqa: F403
from disputes.models.oversight import *  # noqa: F403
from disputes.models.parties import *  # noqa: F403
from disputes.models.policies import *  # noqa: F403
from disputes.models.public import *  # noqa: F403
from disputes.models.tallies import *  # noqa: F403
from disputes.models.warnings import *  # noqa: F403
