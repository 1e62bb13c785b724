"""Template tags for case rows, rendered in Python because they sit inside 20-to-50-row loops
(a `{% include %}` per row cost about 0.1 ms each; this costs a tenth of that)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from disputes.models import CLOCK_STOPPED, CaseState, Step, WarningLevel

register = template.Library()


@lru_cache(maxsize=16)
def _deadline_marks(language: str | None) -> dict[str, str]:
    """The deadline cell's fixed markup in one language (built once, not per row)."""
    return {
        "due": format_html('<span class="text-nowrap" title="{}">', _("环节期限")),
        "provisional": format_html(' <span class="badge bg-azure-lt" title="{}" data-testid="provisional">{}</span>',
                                   _("期限待定：跨越尚未公布的节假日安排"), _("待定")),
        WarningLevel.RED: format_html(
            ' <span class="badge bg-red text-red-fg app-card" title="{}" data-testid="card-red">{}</span>',
            _("期限预警：已超期"), _("红牌")),
        WarningLevel.YELLOW: format_html(
            ' <span class="badge bg-yellow text-yellow-fg app-card" title="{}" data-testid="card-yellow">{}</span>',
            _("期限预警：即将到期"), _("黄牌")),
        "urgent": format_html(' <span class="badge bg-orange-lt">{}</span>', _("加急")),
    }


@register.simple_tag
def case_deadline(case) -> SafeString:
    """The step deadline with its badges: provisional (跨越未公布的节假日安排), red or yellow
    card, urgent. The same markup everywhere a case is listed or shown."""
    marks = _deadline_marks(get_language())
    if case.due_at:
        parts = [marks["due"], localtime(case.due_at).strftime("%Y-%m-%d"), "</span>"]
        if case.due_provisional:
            parts.append(marks["provisional"])
    else:
        parts = ['<span class="text-secondary">—</span>']
    parts.append(marks.get(case.warning_level, ""))
    if case.urgent:
        parts.append(marks["urgent"])
    return mark_safe("".join(parts))  # nosec B308 B703: fixed markup built by format_html, and a formatted date


# A 督办's level shares the words 黄牌/红牌 with the deadline card: the card is a solid badge
# with a card shape (app-card), a 督办 level an outlined badge with a flag that says 督办.
_FLAG = ('<svg class="app-flag" viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" '
         'stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">'
         '<path d="M5 21V4"/><path d="M5 4h11l-2 4 2 4H5"/></svg>')


@register.simple_tag
def supervision_level(supervision) -> SafeString:
    """The 督办 level as an outlined badge with a flag (黄牌督办, 红牌督办, 普通督办); "" for 催办/批示."""
    if not supervision.level:
        return mark_safe("")  # nosec B308 B703: an empty string
    return format_html('<span class="badge app-supervision app-supervision-{}" title="{}" data-testid="supervision-{}">'
                       '{}{}</span>', supervision.level, _("督办等级"), supervision.level, mark_safe(_FLAG),  # nosec B308 B703: a constant SVG
                       _("%(level)s督办") % {"level": supervision.get_level_display()})


_STATE_LABELS = {state.value: state.label for state in CaseState}


@register.filter
def state_label(case) -> str:
    """The case state's label: one catalogue lookup. `get_state_display` builds a dict of every
    choice (hashing each lazy label) per call, which cost 0.25 ms per row (and
    `CaseState.values` builds its list per call)."""
    label = _STATE_LABELS.get(case.state)
    return str(label) if label is not None else case.state


@register.filter
def step_label(case) -> str:
    """The current step's label; "—" once the clock stopped (archived or rejected: no step)."""
    if case.state in CLOCK_STOPPED:
        return "—"
    return str(Step(case.step).label) if case.step in Step.values else case.step


@register.filter
def local_minute(value: dt.datetime | None) -> str:
    """"YYYY-MM-DD HH:MM" in the current time zone (what `|date:"Y-m-d H:i"` prints, without
    the format parser)."""
    return localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@register.filter
def dict_get(mapping, key):
    """mapping[key] in a template (a statistic row's cell by column key); None when absent."""
    return mapping.get(key) if hasattr(mapping, "get") else None
