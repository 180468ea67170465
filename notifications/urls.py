"""Routes of notifications (the inbox, preferences, unsubscribe) and course announcements (under /api/)."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/unread-count/", views.UnreadCountView.as_view(), name="notification-unread-count"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/preferences/", views.PreferencesView.as_view(), name="notification-preferences"),
    path("notifications/unsubscribe/", views.UnsubscribeView.as_view(), name="notification-unsubscribe"),
    path("notifications/<uuid:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path("courses/<uuid:pk>/announcements/", views.AnnouncementListCreateView.as_view(), name="course-announcements"),
    path("announcements/<uuid:pk>/", views.AnnouncementDetailView.as_view(), name="announcement-detail"),
]
