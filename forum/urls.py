"""Forum routes (under /api/), flagging a course review, and the admin moderation queue for flags."""

from django.urls import path

from forum import views

urlpatterns = [
    path("forum/posts/", views.PostListCreateView.as_view(), name="forum-post-list"),
    path("forum/posts/<uuid:pk>/", views.PostDetailView.as_view(), name="forum-post-detail"),
    path("forum/posts/<uuid:pk>/vote/", views.PostVoteView.as_view(), name="forum-post-vote"),
    path("forum/posts/<uuid:pk>/replies/", views.ReplyListCreateView.as_view(), name="forum-post-replies"),
    path("forum/posts/<uuid:pk>/flag/", views.PostFlagView.as_view(), name="forum-post-flag"),
    path("forum/replies/<uuid:pk>/", views.ReplyDetailView.as_view(), name="forum-reply-detail"),
    path("forum/replies/<uuid:pk>/accept/", views.ReplyAcceptView.as_view(), name="forum-reply-accept"),
    path("forum/replies/<uuid:pk>/flag/", views.ReplyFlagView.as_view(), name="forum-reply-flag"),
    path("reviews/<uuid:pk>/flag/", views.ReviewFlagView.as_view(), name="review-flag"),
    path("admin/flags/", views.AdminFlagListView.as_view(), name="admin-flag-list"),
    path("admin/flags/<uuid:pk>/resolve/", views.AdminFlagResolveView.as_view(), name="admin-flag-resolve"),
]
