"""Partybuilding admin. Not jurisdiction-scoped: the admin site is for platform administrators
only. Rows that change through services (groups and their history, members, activities, funds
and expenses) are view-only here (the role-permissions migration grants only "view"); members'
phones stay out (encrypted columns are not shown)."""
from django.contrib import admin

from governance.admin import ReadOnlyAdmin
from partybuilding.models import (
    Activity,
    FundExpense,
    JointAgreement,
    JointMeeting,
    PartTimeMember,
    PartyFund,
    PartyGroup,
    PartyGroupChange,
    PartyMember,
    PartyOrganisation,
    ResidentUnit,
    RhythmRule,
    StarCriterion,
    StarRating,
)

PATH_FIELDS = ("city", "county", "township", "village")


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "region", "parent", "is_active")
    list_select_related = ("region", "parent")
    list_filter = ("level", "is_active")
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region", "parent", "grids")
    readonly_fields = PATH_FIELDS


@admin.register(PartyGroup)
class PartyGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "region", "organisation", "established_on", "is_active")
    list_select_related = ("region", "organisation")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__name")


@admin.register(PartyGroupChange)
class PartyGroupChangeAdmin(ReadOnlyAdmin):
    list_display = ("group", "created_at", "actor", "leader_name", "note")
    list_select_related = ("group", "actor")


@admin.register(PartyMember)
class PartyMemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "phone_masked", "region", "grid", "group", "is_active")
    list_select_related = ("region", "grid", "group")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    exclude = ("phone_enc", "phone_hash")


@admin.register(ResidentUnit)
class ResidentUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "head_name", "is_active")
    list_select_related = ("region",)
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region",)
    readonly_fields = PATH_FIELDS


@admin.register(PartTimeMember)
class PartTimeMemberAdmin(ReadOnlyAdmin):
    list_display = ("person_name", "unit", "organisation", "term_start", "term_end")
    list_select_related = ("unit", "organisation")


@admin.register(JointAgreement)
class JointAgreementAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "signed_on")
    list_select_related = ("organisation",)


@admin.register(JointMeeting)
class JointMeetingAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "held_on")
    list_select_related = ("organisation",)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("topic", "kind", "group", "held_on", "hours")
    list_select_related = ("group",)
    list_filter = ("kind",)
    date_hierarchy = "held_on"


@admin.register(RhythmRule)
class RhythmRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "period", "min_count")


@admin.register(PartyFund)
class PartyFundAdmin(ReadOnlyAdmin):
    list_display = ("region", "year", "amount", "committed")
    list_select_related = ("region",)
    list_filter = ("year",)


@admin.register(FundExpense)
class FundExpenseAdmin(ReadOnlyAdmin):
    list_display = ("purpose", "fund", "amount", "spent_on", "state", "submitted_by", "decided_by")
    list_select_related = ("fund__region", "submitted_by", "decided_by")
    list_filter = ("state",)


@admin.register(StarCriterion)
class StarCriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "applies_to", "max_points", "position", "is_active")
    list_filter = ("applies_to", "is_active")


@admin.register(StarRating)
class StarRatingAdmin(ReadOnlyAdmin):
    list_display = ("year", "organisation", "unit", "total", "stars", "previous_stars")
    list_select_related = ("organisation", "unit")
    list_filter = ("year", "stars")
