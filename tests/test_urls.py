"""The URL map is a published contract: every named page and API route keeps its path and view.

Captured from the URLconf before the apps registered their own URLs (they were included by
dotted string in governance/urls.py); the kernel now mounts what each AppConfig declares
(governance/routing.py) and the result must be the same map, in the same order.
"""
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# (namespaced name, route, view) of every pattern outside the Django admin, in resolution order.
EXPECTED = [
    ("schema", "api/schema/", "drf_spectacular.views.SpectacularAPIView"),
    ("api-docs", "api/docs/", "drf_spectacular.views.SpectacularSwaggerView"),
    ("api-token", "api/v1/auth/token/", "governance.api.TokenObtainApi"),
    ("api-me", "api/v1/me/", "governance.api.MeApi"),
    ("api-regions", "api/v1/regions/", "governance.api.RegionListApi"),
    ("api-departments", "api/v1/departments/", "governance.api.DepartmentListApi"),
    ("grids_api:grid-list", "api/v1/grids/", "grids.api.GridListApi"),
    ("grids_api:grid-worker-list", "api/v1/grid-workers/", "grids.api.GridWorkerListApi"),
    ("grids_api:patrol-list", "api/v1/patrols/", "grids.api.PatrolListCreateApi"),
    ("disputes_api:case-list", "api/v1/cases/", "disputes.api.CaseListCreateApi"),
    ("disputes_api:case-detail", "api/v1/cases/<int:id>/", "disputes.api.CaseDetailApi"),
    ("disputes_api:case-events", "api/v1/cases/<int:id>/events/", "disputes.api.CaseEventListApi"),
    ("disputes_api:party-reveal", "api/v1/cases/<int:id>/parties/<int:party_id>/reveal/", "disputes.api.PartyRevealApi"),
    ("disputes_api:case-hints", "api/v1/case-hints/", "disputes.api.CaseHintListApi"),
    ("disputes_api:category-list", "api/v1/categories/", "disputes.api_reference.CategoryListApi"),
    ("disputes_api:risk-grade-list", "api/v1/risk-grades/", "disputes.api_reference.RiskGradeListApi"),
    ("disputes_api:case-accept", "api/v1/cases/<int:id>/accept/", "disputes.api.CaseAcceptApi"),
    ("disputes_api:case-reject", "api/v1/cases/<int:id>/reject/", "disputes.api.CaseRejectApi"),
    ("disputes_api:case-dispatch", "api/v1/cases/<int:id>/dispatch/", "disputes.api.CaseDispatchApi"),
    ("disputes_api:case-sign", "api/v1/cases/<int:id>/sign/", "disputes.api.CaseSignApi"),
    ("disputes_api:case-return", "api/v1/cases/<int:id>/return/", "disputes.api.CaseReturnApi"),
    ("disputes_api:case-assist_sign", "api/v1/cases/<int:id>/assist_sign/", "disputes.api.CaseAssistSignApi"),
    ("disputes_api:case-assist_report", "api/v1/cases/<int:id>/assist_report/", "disputes.api.CaseAssistReportApi"),
    ("disputes_api:case-assist_withdraw", "api/v1/cases/<int:id>/assist_withdraw/", "disputes.api.CaseAssistWithdrawApi"),
    ("disputes_api:case-handle", "api/v1/cases/<int:id>/handle/", "disputes.api.CaseHandleApi"),
    ("disputes_api:case-progress", "api/v1/cases/<int:id>/progress/", "disputes.api.CaseProgressApi"),
    ("disputes_api:case-resolve", "api/v1/cases/<int:id>/resolve/", "disputes.api.CaseResolveApi"),
    ("disputes_api:case-callback", "api/v1/cases/<int:id>/callback/", "disputes.api.CaseCallbackApi"),
    ("disputes_api:case-escalate", "api/v1/cases/<int:id>/escalate/", "disputes.api.CaseEscalateApi"),
    ("disputes_api:case-extend", "api/v1/cases/<int:id>/extend/", "disputes.api.CaseExtendApi"),
    ("disputes_api:case-extend_decide", "api/v1/cases/<int:id>/extend_decide/", "disputes.api.CaseExtendDecideApi"),
    ("disputes_api:case-supervise", "api/v1/cases/<int:id>/supervise/", "disputes.api.CaseSuperviseApi"),
    ("disputes_api:case-supervise_withdraw", "api/v1/cases/<int:id>/supervise_withdraw/", "disputes.api.CaseSuperviseWithdrawApi"),
    ("disputes_api:case-urge", "api/v1/cases/<int:id>/urge/", "disputes.api.CaseUrgeApi"),
    ("disputes_api:case-instruct", "api/v1/cases/<int:id>/instruct/", "disputes.api.CaseInstructApi"),
    ("disputes_api:case-urgent", "api/v1/cases/<int:id>/urgent/", "disputes.api.CaseUrgentApi"),
    ("disputes_api:case-link", "api/v1/cases/<int:id>/link/", "disputes.api.CaseLinkApi"),
    ("disputes_api:case-mediation", "api/v1/cases/<int:id>/mediation/", "disputes.api.CaseMediationApi"),
    ("disputes_api:case-refer", "api/v1/cases/<int:id>/refer/", "disputes.api.CaseReferApi"),
    ("disputes_api:case-confirm_request", "api/v1/cases/<int:id>/confirm_request/", "disputes.api.CaseConfirmRequestApi"),
    ("disputes_api:case-referral_result", "api/v1/cases/<int:id>/referral_result/", "disputes.api.CaseReferralResultApi"),
    ("disputes_api:case-attachments", "api/v1/cases/<int:id>/attachments/", "disputes.api.CaseAttachmentApi"),
    ("partybuilding_api:party-group-list", "api/v1/party-groups/", "partybuilding.api.PartyGroupListCreateApi"),
    ("partybuilding_api:party-member-list", "api/v1/party-members/", "partybuilding.api.PartyMemberListCreateApi"),
    ("partybuilding_api:party-member-import", "api/v1/party-members/import/", "partybuilding.api.PartyMemberImportApi"),
    ("partybuilding_api:party-activity-list", "api/v1/party-activities/", "partybuilding.api.PartyActivityListCreateApi"),
    ("partybuilding_api:party-stats", "api/v1/party-stats/", "partybuilding.api.PartyStatsApi"),
    ("partybuilding_api:resident-unit-list", "api/v1/resident-units/", "partybuilding.api.ResidentUnitListApi"),
    ("assessment_api:period-list", "api/v1/assessment-periods/", "assessment.api.AssessmentPeriodListApi"),
    ("assessment_api:ranking", "api/v1/rankings/", "assessment.api.RankingApi"),
    ("assessment_api:ranking-detail", "api/v1/rankings/<int:period>/<int:region>/", "assessment.api.RankingDetailApi"),
    ("assessment_api:indicator-list", "api/v1/indicators/", "assessment.api.IndicatorListApi"),
    ("assessment_api:veto-list", "api/v1/vetoes/", "assessment.api.VetoListCreateApi"),
    ("assessment_api:veto-decide", "api/v1/vetoes/<int:id>/decide/", "assessment.api.VetoDecideApi"),
    ("set_language", "i18n/setlang/", "django.views.i18n.set_language"),
    # assessment/ (11 characters) is a longer prefix than public/: mounted before it.
    ("assessment:rankings", "assessment/", "assessment.views.rankings"),
    ("assessment:rankings_export", "assessment/export/", "assessment.views.rankings_export"),
    ("assessment:periods", "assessment/periods/", "assessment.views.periods"),
    ("assessment:period_progress", "assessment/periods/<int:period_id>/progress/", "assessment.views.period_progress"),
    ("assessment:period_action", "assessment/periods/<int:period_id>/<str:action>/", "assessment.views.period_action"),
    ("assessment:vetoes", "assessment/vetoes/", "assessment.work_views.vetoes"),
    ("assessment:veto_decide", "assessment/vetoes/<int:veto_id>/decide/", "assessment.work_views.veto_decision"),
    ("assessment:scoring", "assessment/scores/", "assessment.work_views.scoring"),
    ("assessment:letters", "assessment/letters/", "assessment.work_views.letters"),
    ("assessment:scoring_decide", "assessment/scores/<int:manual_id>/decide/", "assessment.work_views.scoring_decision"),
    ("assessment:unit", "assessment/<int:period_id>/<int:unit_id>/", "assessment.views.unit_detail"),
    ("assessment:adjust", "assessment/<int:period_id>/<int:unit_id>/adjust/", "assessment.work_views.adjustment_propose_page"),
    ("assessment:adjustment_decide", "assessment/adjustments/<int:adjustment_id>/decide/", "assessment.work_views.adjustment_decision"),
    ("assessment:unit_export", "assessment/<int:period_id>/<int:unit_id>/export/", "assessment.views.unit_export"),
    ("assessment:unit_print", "assessment/<int:period_id>/<int:unit_id>/print/", "assessment.views.unit_print"),
    # The residents' pages (no sign-in; disputes' url_mounts): public/ is the longest prefix.
    ("public:report", "public/report/", "disputes.public_views.public_report"),
    ("public:receipt", "public/report/done/", "disputes.public_views.public_receipt"),
    ("public:regions", "public/report/regions/", "disputes.public_views.public_region_options"),
    ("public:track", "public/track/", "disputes.public_views.public_track"),
    ("public:rate", "public/track/rate/", "disputes.public_views.public_rate"),
    ("disputes:list", "cases/", "disputes.views.case_list"),
    ("disputes:intake", "cases/new/", "disputes.views.case_intake"),
    ("disputes:intake_grids", "cases/new/grids/", "disputes.views.intake_grid_options"),
    ("disputes:hints", "cases/new/hints/", "disputes.views.intake_hints"),
    ("disputes:field_report", "cases/field-report/", "disputes.field_views.field_report"),
    ("disputes:field_reports", "cases/field-report/mine/", "disputes.field_views.field_reports"),
    ("disputes:inbox", "cases/inbox/", "disputes.views.case_inbox"),
    ("disputes:dashboard", "cases/dashboard/", "disputes.views.dashboard"),
    ("disputes:dashboard_data", "cases/dashboard/data/", "disputes.views.dashboard_data"),
    ("disputes:detail", "cases/<int:case_id>/", "disputes.views.case_detail"),
    ("disputes:party_reveal", "cases/<int:case_id>/parties/<int:party_id>/<str:field>/reveal/", "disputes.views.party_reveal"),
    ("disputes:attachment", "cases/<int:case_id>/attachments/<int:attachment_id>/", "disputes.views.attachment_download"),
    ("disputes:agreement_pdf", "cases/<int:case_id>/mediations/<int:mediation_id>/agreement.pdf", "disputes.views.agreement_pdf"),
    ("disputes:agreement", "cases/<int:case_id>/mediations/<int:mediation_id>/agreement/", "disputes.views.agreement_print"),
    ("disputes:mediation_record", "cases/<int:case_id>/mediations/<int:mediation_id>/record/", "disputes.views.mediation_record_print"),
    ("disputes:mediation_record_pdf", "cases/<int:case_id>/mediations/<int:mediation_id>/record.pdf", "disputes.views.mediation_record_pdf"),
    ("disputes:receipt", "cases/<int:case_id>/receipt/", "disputes.views.receipt_print"),
    ("disputes:receipt_pdf", "cases/<int:case_id>/receipt.pdf", "disputes.views.receipt_pdf"),
    ("disputes:rejection_notice", "cases/<int:case_id>/rejection-notice/", "disputes.views.rejection_notice_print"),
    ("disputes:rejection_notice_pdf", "cases/<int:case_id>/rejection-notice.pdf", "disputes.views.rejection_notice_pdf"),
    ("disputes:dossier", "cases/<int:case_id>/dossier/", "disputes.views.dossier_print"),
    ("disputes:dossier_pdf", "cases/<int:case_id>/dossier.pdf", "disputes.views.dossier_pdf"),
    ("disputes:action", "cases/<int:case_id>/<str:action>/", "disputes.views.case_action"),
    ("grids:mine", "grids/", "grids.views.grid_mine"),
    ("grids:detail", "grids/<int:grid_id>/", "grids.views.grid_detail"),
    ("grids:manage_list", "grids/manage/", "grids.manage_views.grid_manage_list"),
    ("grids:manage_new", "grids/manage/new/", "grids.manage_views.grid_manage_new"),
    ("grids:manage_detail", "grids/manage/<int:grid_id>/", "grids.manage_views.grid_manage_detail"),
    ("grids:manage_edit", "grids/manage/<int:grid_id>/edit/", "grids.manage_views.grid_manage_edit"),
    ("grids:manage_split", "grids/manage/<int:grid_id>/split/", "grids.manage_views.grid_manage_split"),
    ("grids:manage_merge", "grids/manage/<int:grid_id>/merge/", "grids.manage_views.grid_manage_merge"),
    ("grids:tenure_new", "grids/manage/<int:grid_id>/workers/new/", "grids.manage_views.tenure_new"),
    ("grids:tenure_end", "grids/manage/tenures/<int:tenure_id>/end/", "grids.manage_views.tenure_end"),
    ("grids:workers", "grids/workers/", "grids.people_views.worker_list"),
    ("grids:worker_detail", "grids/workers/<int:worker_id>/", "grids.people_views.worker_detail"),
    ("grids:screening_overview", "grids/screening/", "grids.people_views.screening_overview"),
    ("grids:stats", "grids/stats/", "grids.people_views.grid_stats"),
    ("grids:fieldwork", "grids/field/", "grids.fieldwork_views.fieldwork_home"),
    ("grids:patrol_new", "grids/field/patrol/", "grids.fieldwork_views.patrol_new"),
    ("grids:screening_new", "grids/field/screening/", "grids.fieldwork_views.screening_new"),
    ("grids:hazard_new", "grids/field/hazard/", "grids.fieldwork_views.hazard_new"),
    ("grids:hazard_follow_up", "grids/field/hazard/<int:hazard_id>/", "grids.fieldwork_views.hazard_follow_up"),
    ("grids:transfer", "grids/transfer/", "grids.transfer_views.transfer"),
    ("grids:transfer_apply", "grids/transfer/apply/", "grids.transfer_views.transfer_apply"),
    ("grids:transfer_export", "grids/transfer/export/<str:kind>.<str:fmt>", "grids.transfer_views.transfer_export"),
    ("grids:map", "grids/map/", "grids.map_views.grid_map"),
    ("grids:map_data", "grids/map/data/", "grids.map_views.grid_map_data"),
    ("partybuilding:groups", "party/", "partybuilding.views.group_list"),
    ("partybuilding:group_create", "party/groups/new/", "partybuilding.views.group_create"),
    ("partybuilding:group", "party/groups/<int:group_id>/", "partybuilding.views.group_detail"),
    ("partybuilding:group_change", "party/groups/<int:group_id>/change/", "partybuilding.views.group_change"),
    ("partybuilding:member_add", "party/groups/<int:group_id>/members/new/", "partybuilding.views.member_add"),
    ("partybuilding:activity_log", "party/groups/<int:group_id>/activities/new/", "partybuilding.views.activity_log"),
    ("partybuilding:member_import", "party/members/import/", "partybuilding.views.member_import"),
    ("partybuilding:units", "party/units/", "partybuilding.views.units"),
    ("partybuilding:funds", "party/funds/", "partybuilding.views.funds"),
    ("partybuilding:expense_decide", "party/funds/expenses/<int:expense_id>/decide/", "partybuilding.views.expense_decide"),
    ("partybuilding:stats", "party/stats/", "partybuilding.views.stats_page"),
    ("partybuilding:stars", "party/stars/", "partybuilding.views.stars"),
    ("home", "", "governance.views.home"),
    ("login", "login/", "governance.auth.LoginView"),
    ("logout", "logout/", "governance.auth.LogoutView"),
    ("notifications", "notifications/", "governance.notification_views.notification_list_view"),
    ("notification-read", "notifications/<int:pk>/read/", "governance.notification_views.notification_read_view"),
    ("notifications-read-all", "notifications/read-all/", "governance.notification_views.notification_read_all_view"),
    ("favicon", "favicon.ico", "governance.views.favicon"),
]


def _walk(patterns, prefix="", namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield name, prefix + str(pattern.pattern), f"{view.__module__}.{view.__qualname__}"


def test_every_page_and_api_route_keeps_its_name_path_and_view():
    rows = list(_walk(get_resolver().url_patterns))

    # Then outside the admin the map is exactly the captured one, order included
    assert [row for row in rows if not row[1].startswith("admin/")] == [tuple(row) for row in EXPECTED]
    # and the admin (its model pages follow the registered models) stays mounted at admin/
    assert reverse("admin:index") == "/admin/"
    assert all(row[1].startswith("admin/") for row in rows if (row[0] or "").startswith("admin:"))
