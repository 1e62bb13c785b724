"""Partybuilding API v1 routes (under /api/v1/). The paths are a published contract."""


app_name = "partybuilding_api"

urlpatterns = [

]
