"""Partybuilding API v1 routes (under /api/v1/). The paths are a published contract."""
from django.urls import path

from partybuilding import api

app_name = "partybuilding_api"

urlpatterns = [
    path("party-groups/", api.PartyGroupListCreateApi.as_view(), name="party-group-list"),
    path("party-members/", api.PartyMemberListCreateApi.as_view(), name="party-member-list"),
    path("party-members/import/", api.PartyMemberImportApi.as_view(), name="party-member-import"),
    path("party-activities/", api.PartyActivityListCreateApi.as_view(), name="party-activity-list"),
    path("party-stats/", api.PartyStatsApi.as_view(), name="party-stats"),
    path("resident-units/", api.ResidentUnitListApi.as_view(), name="resident-unit-list"),
]
