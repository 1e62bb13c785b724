from django.urls import path

from governance import auth, notification_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    # Notification inbox (issue 5)
    path("notifications/", notification_views.notification_list_view, name="notifications"),
    path("notifications/<int:pk>/read/", notification_views.notification_read_view, name="notification-read"),
    path("notifications/read-all/", notification_views.notification_read_all_view, name="notifications-read-all"),
    path("favicon.ico", views.favicon, name="favicon"),
]
