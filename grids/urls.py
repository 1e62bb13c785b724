from django.urls import path

from grids import map_views, views

app_name = "grids"
urlpatterns = [
    path("", views.grid_mine, name="mine"),
    path("<int:grid_id>/", views.grid_detail, name="detail"),
]

# The grid map (grids/map_views.py).
urlpatterns += [
    path("map/", map_views.grid_map, name="map"),
    path("map/data/", map_views.grid_map_data, name="map_data"),
]
