from django.urls import path

from governance import account_views, audit_views, auth, export_views, notification_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    # Every user's own account security (issue 15): password, second factor.
    path("account/password/", account_views.password_change_view, name="password-change"),
    path("account/otp/setup/", account_views.otp_setup_view, name="otp-setup"),
    path("account/otp/verify/", account_views.otp_verify_view, name="otp-verify"),
    # The audit administrator's audit log (三员分立).
    path("audit/", audit_views.audit_list_view, name="audit-log"),
    path("audit/export/", audit_views.audit_export_view, name="audit-export"),
    # Notification inbox (issue 5)
    path("notifications/", notification_views.notification_list_view, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.notification_read_view, name="notification-read"),
    path("notifications/read-all/", notification_views.notification_read_all_view, name="notifications-read-all"),
    # Background Excel exports (governance/exports.py): owner only.
    path("exports/<int:pk>/", export_views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export-download"),
    path("favicon.ico", views.favicon, name="favicon"),
]
