"""The residents' pages (mounted at /public/ by the kernel: DisputesConfig.url_mounts). The
paths /public/, /public/report/ and /public/track/ are a published contract (posters, QR codes)."""
from django.urls import path

from disputes import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.public_home, name="home"),
    path("report/", public_views.public_report, name="report"),
    path("report/done/", public_views.public_receipt, name="receipt"),
    path("report/regions/", public_views.public_region_options, name="regions"),
    path("track/", public_views.public_track, name="track"),
    path("track/rate/", public_views.public_rate, name="rate"),
]
