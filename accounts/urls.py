from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("auth/onboarding/", views.OnboardingView.as_view(), name="auth-onboarding"),
    path("admin/users/", views.AdminUserListView.as_view(), name="admin-users"),
    path("admin/users/<uuid:pk>/suspend/", views.AdminUserSuspendView.as_view(), name="admin-user-suspend"),
    path("admin/users/<uuid:pk>/unsuspend/", views.AdminUserUnsuspendView.as_view(), name="admin-user-unsuspend"),
    path("admin/users/<uuid:pk>/promote/", views.AdminUserPromoteView.as_view(), name="admin-user-promote"),
]
