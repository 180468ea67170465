"""Reviews routes, relative to /api/."""

from django.urls import path

from reviews import views

urlpatterns = [
    path("courses/<uuid:pk>/reviews/", views.CourseReviewListCreateView.as_view(), name="course-reviews"),
    path("reviews/<uuid:pk>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("reviews/<uuid:pk>/reply/", views.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<uuid:pk>/helpful/", views.ReviewHelpfulView.as_view(), name="review-helpful"),
]
