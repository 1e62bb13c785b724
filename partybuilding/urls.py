from django.urls import path

from partybuilding import views

app_name = "partybuilding"
urlpatterns = [
    path("", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:group_id>/", views.group_detail, name="group"),
    path("groups/<int:group_id>/change/", views.group_change, name="group_change"),
    path("groups/<int:group_id>/members/new/", views.member_add, name="member_add"),
    path("groups/<int:group_id>/activities/new/", views.activity_log, name="activity_log"),
    path("members/import/", views.member_import, name="member_import"),
    path("units/", views.units, name="units"),
    path("funds/", views.funds, name="funds"),
    path("funds/expenses/<int:expense_id>/decide/", views.expense_decide, name="expense_decide"),
    path("stats/", views.stats_page, name="stats"),
    path("stars/", views.stars, name="stars"),
]
