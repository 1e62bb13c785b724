from django.urls import path

from grids import fieldwork_views, manage_views, map_views, people_views, transfer_views, views

app_name = "grids"
urlpatterns = [
    path("", views.grid_mine, name="mine"),
    path("<int:grid_id>/", views.grid_detail, name="detail"),
]

# Grid management (grids/manage_views.py, grids/people_views.py) and the grid worker's
# field work (grids/fieldwork_views.py).
urlpatterns += [
    path("manage/", manage_views.grid_manage_list, name="manage_list"),
    path("manage/new/", manage_views.grid_manage_new, name="manage_new"),
    path("manage/<int:grid_id>/", manage_views.grid_manage_detail, name="manage_detail"),
    path("manage/<int:grid_id>/edit/", manage_views.grid_manage_edit, name="manage_edit"),
    path("manage/<int:grid_id>/split/", manage_views.grid_manage_split, name="manage_split"),
    path("manage/<int:grid_id>/merge/", manage_views.grid_manage_merge, name="manage_merge"),
    path("manage/<int:grid_id>/workers/new/", manage_views.tenure_new, name="tenure_new"),
    path("manage/tenures/<int:tenure_id>/end/", manage_views.tenure_end, name="tenure_end"),
    path("workers/", people_views.worker_list, name="workers"),
    path("workers/<int:worker_id>/", people_views.worker_detail, name="worker_detail"),
    path("screening/", people_views.screening_overview, name="screening_overview"),
    path("stats/", people_views.grid_stats, name="stats"),
    path("field/", fieldwork_views.fieldwork_home, name="fieldwork"),
    path("field/patrol/", fieldwork_views.patrol_new, name="patrol_new"),
    path("field/screening/", fieldwork_views.screening_new, name="screening_new"),
    path("field/hazard/", fieldwork_views.hazard_new, name="hazard_new"),
    path("field/hazard/<int:hazard_id>/", fieldwork_views.hazard_follow_up, name="hazard_follow_up"),
]
urlpatterns += [
    path("transfer/", transfer_views.transfer, name="transfer"),
    path("transfer/apply/", transfer_views.transfer_apply, name="transfer_apply"),
    path("transfer/export/<str:kind>.<str:fmt>", transfer_views.transfer_export, name="transfer_export"),
]
# The grid map (grids/map_views.py).
urlpatterns += [
    path("map/", map_views.grid_map, name="map"),
    path("map/data/", map_views.grid_map_data, name="map_data"),
]
