"""Printed documents of a case: the mediation agreement (调解协议书) as PDF.

The agreement carries what 人民调解法 art. 29 requires: the parties' basic information; the
main facts, the disputed matters and each party's responsibility; the agreed content; the
manner and deadline of performance; signature lines for every party and the mediator and the
committee's seal; one copy per party plus one kept by the committee (本协议一式N份).

Rendered by WeasyPrint from an HTML template in "Noto Sans CJK SC" (Debian fonts-noto-cjk),
which WeasyPrint embeds as a subset, so the PDF prints the same on any machine.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from disputes.models import Case, CaseParty, Mediation

AGREEMENT_TEMPLATE = "disputes/documents/agreement.html"


@dataclass(frozen=True)
class PrintedParty:
    role: str
    kind: str
    name: str
    id_number: str
    phone: str
    address: str


def _committee(case: Case, mediation: Mediation) -> str:
    if mediation.organisation:
        return mediation.organisation
    place = case.village or case.township or case.owning_region
    return _("%(place)s人民调解委员会") % {"place": place.name if place else ""}


def agreement_html(*, case: Case, mediation: Mediation, parties: Sequence[CaseParty],
                   id_numbers: Mapping[int, str]) -> str:
    """The agreement as HTML. `id_numbers` holds the full numbers the caller may print
    (already revealed and audited); other parties get their masked number."""
    printed = [
        PrintedParty(
            role=party.get_role_display(),
            kind=party.get_kind_display(),
            name=party.name,
            id_number=id_numbers.get(party.pk, party.id_number_masked),
            phone=party.phone_masked,
            address=party.address,
        )
        for party in parties
    ]
    context = {
        "case": case,
        "mediation": mediation,
        "parties": printed,
        "committee": _committee(case, mediation),
        "copies": len(printed) + 1,
    }
    return render_to_string(AGREEMENT_TEMPLATE, context)


def agreement_pdf(*, case: Case, mediation: Mediation, parties: Sequence[CaseParty],
                  id_numbers: Mapping[int, str]) -> bytes:
    """The agreement as PDF bytes (see agreement_html for what is printed)."""
    from weasyprint import HTML  # imported here: loading it costs ~0.5 s, only PDFs need it

    html = agreement_html(case=case, mediation=mediation, parties=parties, id_numbers=id_numbers)
    return HTML(string=html).write_pdf()
