"""Case actions: their names and labels (see the action table below)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "register": _("登记"), "accept": _("受理"), "reject": _("不予受理"), "dispatch": _("交办"),
    "sign": _("签收"), "return": _("退回"), "handle": _("先行调解(本中心办理)"), "progress": _("办理进展"),
    "resolve": _("办结"), "callback": _("回访"), "extend": _("申请延期"), "extend_decide": _("延期审批"),
    "supervise": _("督办"), "urge": _("催办"), "instruct": _("批示"), "urgent": _("加急"),
    "mediation": _("调解"), "attachment": _("附件"), "link": _("关联"), "escalate": _("上报"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
