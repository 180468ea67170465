from django.urls import path

from gamification import views

urlpatterns = [
    path("leaderboard/", views.LeaderboardView.as_view(), name="leaderboard"),
    path("gamification/xp/", views.MyXPView.as_view(), name="gamification-xp"),
    path("gamification/badges/", views.MyBadgesView.as_view(), name="gamification-badges"),
    path("gamification/streak/", views.MyStreakView.as_view(), name="gamification-streak"),
]
