"""Catalog routes, relative to /api/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog import views

router = SimpleRouter(trailing_slash=True)
router.register("courses", views.CourseViewSet, basename="course")
router.register("modules", views.ModuleViewSet, basename="module")
router.register("lessons", views.LessonViewSet, basename="lesson")
router.register("enrollments", views.EnrollmentViewSet, basename="enrollment")
router.register("wishlist", views.WishlistViewSet, basename="wishlist")
router.register("admin/courses", views.AdminCourseViewSet, basename="admin-course")

urlpatterns = [
    path("domains/", views.DomainListView.as_view(), name="domain-list"),
    path("me/continue/", views.ContinueView.as_view(), name="me-continue"),
    *router.urls,
]
