"""Printed documents of a case: HTML for the print view and the same HTML as PDF.

| document | when | states the parties' identity |
| --- | --- | --- |
| 受理回执 (receipt) | any case: given to the visitor at the window | no (names only) |
| 不予受理告知书 (rejection notice) | a rejected case: the reason and the routes left | no (names only) |
| 人民调解协议书 (agreement) | a mediation that reached an agreement | yes |
| 调解笔录 (mediation record) | any mediation | yes |
| 卷宗 (dossier) | a filed (closed or rejected) case: everything, with its timeline | yes |

The agreement carries what 人民调解法 art. 29 requires: the parties' basic details (a
person's gender, 民族, birth date, occupation or work unit, address, identity document; an
organisation's name, credit code, legal representative and seat); the main facts, the
disputed matters and each party's responsibility; the agreed content; the manner and time
limit of performance; a signature line for every party and for every mediator, and the seal
of the 人民调解委员会 (`Mediation.committee_name`); one copy per party plus one kept.

Documents that state identity print full ID numbers, phones and birth dates only for users
the "reveal" rule allows (the caller passes `details` from
`services.party_details_for_print`, which audits the print); for anyone else they print the
masked values and say so on the page. Either way the document names who printed it, when.

Legal documents are issued in Chinese, whatever the reader's interface language: they render
under the site language (settings.LANGUAGE_CODE), and their templates hold Chinese text.
WeasyPrint lays them out in "Noto Sans CJK SC" (Debian fonts-noto-cjk) and embeds a subset of
it, so a PDF prints the same on any machine.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from disputes.actions import EVENT_LABELS
from disputes.models import Case, CaseEvent, CaseParty, CaseState, Mediation, PartyKind
from disputes.selectors import Dossier
from disputes.services import PartySecrets
from governance.models import Region

# The public progress page (built by the public app: no URL name to reverse yet).
PUBLIC_TRACK_PATH = "/public/track/"
TEMPLATES = {
    "receipt": "disputes/documents/receipt.html",
    "rejection_notice": "disputes/documents/rejection_notice.html",
    "agreement": "disputes/documents/agreement.html",
    "mediation_record": "disputes/documents/mediation_record.html",
    "dossier": "disputes/documents/dossier.html",
}
TITLES = {
    "receipt": "受理回执",
    "rejection_notice": "不予受理告知书",
    "agreement": "人民调解协议书",
    "mediation_record": "调解笔录",
    "dossier": "案件卷宗",
}


@dataclass(frozen=True)
class Printing:
    """Who prints, when, and whether the parties' details are in full; `links` holds the
    print view's PDF and back links (None in the PDF itself)."""

    by: str
    at: dt.datetime
    full: bool = False
    links: Mapping[str, str] | None = None
    nonce: str = ""  # the page's CSP nonce for the inline style sheet (print view only)


@dataclass(frozen=True)
class PrintedParty:
    role: str
    kind: str
    organisation: bool
    name: str
    id_type: str
    id_number: str
    phone: str
    gender: str
    ethnicity: str
    birth: str
    occupation: str
    legal_representative: str
    address: str


def _birth(day: dt.date | None, *, full: bool) -> str:
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日" if full else f"{day.year}年**月**日"


def printed_parties(parties: Sequence[CaseParty], details: Mapping[int, PartySecrets] | None) -> list[PrintedParty]:
    """The parties as a document prints them: full numbers from `details` (already revealed
    and audited), masked ones when `details` is None."""
    printed = []
    for party in parties:
        secrets = details.get(party.pk) if details is not None else None
        printed.append(PrintedParty(
            role=party.get_role_display(),
            kind=party.get_kind_display(),
            organisation=party.kind == PartyKind.ORGANISATION,
            name=party.name,
            id_type=party.get_id_type_display(),
            id_number=secrets.id_number if secrets else party.id_number_masked,
            phone=secrets.phone if secrets else party.phone_masked,
            gender=party.get_gender_display() if party.gender else "",
            ethnicity=party.ethnicity,
            birth=_birth(party.birth_date, full=secrets is not None),
            occupation=party.occupation,
            legal_representative=party.legal_representative,
            address=party.address,
        ))
    return printed


def center_name(region: Region | None) -> str:
    return f"{region.name}综治中心" if region is not None else ""


def _render(document: str, printing: Printing, context: dict[str, Any]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATES[document], {
            "title": TITLES[document], "printing": printing, "printed_at": timezone.localtime(printing.at),
            **context,
        })


def receipt_html(*, case: Case, parties: Sequence[CaseParty], printing: Printing, track_url: str) -> str:
    """受理回执: the case number, the date, the center, the deadline of the acceptance decision
    (while it is pending), and how to follow the case (the public progress page, the window)."""
    return _render("receipt", printing, {
        "case": case,
        "applicants": [p.name for p in parties if p.role == "applicant"] or [p.name for p in parties],
        "center": center_name(case.owning_region),
        "decision_due": case.due_at if case.state == CaseState.REGISTERED else None,
        "track_url": track_url,
    })


def rejection_notice_html(*, case: Case, event: CaseEvent, parties: Sequence[CaseParty], printing: Printing) -> str:
    """不予受理告知书: the reason, the route the party was told, and the other routes the law
    leaves open (mediation, the competent department, a court or arbitration, 信访)."""
    return _render("rejection_notice", printing, {
        "case": case,
        "applicants": [p.name for p in parties if p.role == "applicant"] or [p.name for p in parties],
        "center": center_name(case.owning_region),
        "reason": event.note,
        "referral": (event.data or {}).get("referral", ""),
        "decided_at": timezone.localtime(event.created_at),
    })


def _mediation_context(case: Case, mediation: Mediation, parties: Sequence[CaseParty],
                       details: Mapping[int, PartySecrets] | None) -> dict[str, Any]:
    printed = printed_parties(parties, details)
    return {
        "case": case,
        "mediation": mediation,
        "parties": printed,
        "mediators": mediation.mediator_names() or [""],
        "committee": mediation.committee_name,
        "copies": len(printed) + 1,
    }


def agreement_html(*, case: Case, mediation: Mediation, parties: Sequence[CaseParty],
                   details: Mapping[int, PartySecrets] | None, printing: Printing) -> str:
    """人民调解协议书 (see the module docstring for what art. 29 asks and what is printed)."""
    return _render("agreement", printing, _mediation_context(case, mediation, parties, details))


def mediation_record_html(*, case: Case, mediation: Mediation, parties: Sequence[CaseParty],
                          details: Mapping[int, PartySecrets] | None, printing: Printing) -> str:
    """调解笔录: when, where, who mediated and for which committee, the parties, what was said
    and the outcome, with lines for the parties, the mediators and the recorder to sign."""
    return _render("mediation_record", printing, _mediation_context(case, mediation, parties, details))


def dossier_html(*, dossier: Dossier, details: Mapping[int, PartySecrets] | None, printing: Printing) -> str:
    """案件卷宗: cover and contents, then registration, parties, dispatches, mediations,
    supervision, extensions, the attachment list and the whole timeline."""
    case = dossier.case
    states = dict(CaseState.choices)
    timeline = [
        {"event": event, "at": timezone.localtime(event.created_at),
         "label": EVENT_LABELS.get(event.action, event.action),
         "from": states.get(event.from_state, ""), "to": states.get(event.to_state, "")}
        for event in dossier.events
    ]
    filed = case.closed_at or next((e.created_at for e in reversed(dossier.events) if e.action == "reject"), None)
    return _render("dossier", printing, {
        "case": case,
        "dossier": dossier,
        "parties": printed_parties(dossier.parties, details),
        "center": center_name(case.owning_region),
        "timeline": timeline,
        "filed_at": timezone.localtime(filed) if filed else None,
    })


def pdf(html: str) -> bytes:
    """PDF bytes of a document's HTML."""
    from weasyprint import HTML  # imported here: loading it costs ~0.5 s, only PDFs need it

    return HTML(string=html).write_pdf()
