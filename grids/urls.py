from django.urls import path

from grids import views

app_name = "grids"
urlpatterns = [
    path("", views.grid_mine, name="mine"),
    path("<int:grid_id>/", views.grid_detail, name="detail"),
]
