"""研判预警 and 研判报告 pages (mounted at /analysis/ by DisputesConfig.url_mounts)."""
from django.urls import path

from disputes import warning_views

app_name = "analysis"
urlpatterns = [
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/<int:warning_id>/", warning_views.warning_detail, name="warning"),
    path("warnings/<int:warning_id>/acknowledge/", warning_views.warning_acknowledge, name="warning_acknowledge"),
    path("warnings/<int:warning_id>/assign/", warning_views.warning_assign, name="warning_assign"),
    path("reports/", warning_views.report_list, name="reports"),
    path("reports/<int:report_id>.<str:fmt>", warning_views.report_download, name="report_download"),
]
