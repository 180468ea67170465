"""HTTP layer of the forum and of the moderation queue for flags. Rules live in services and selectors."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.exceptions import NotFoundError
from common.permissions import IsAdmin
from common.ratelimit import enforce_rate_limit
from common.serializers import ErrorSerializer
from forum import selectors, services
from forum.representations import post_representation
from forum.serializers import (
    AdminFlagSerializer,
    FlagCreateSerializer,
    FlagListParamsSerializer,
    FlagResolveSerializer,
    FlagSerializer,
    PostCreateSerializer,
    PostListParamsSerializer,
    PostSerializer,
    PostUpdateSerializer,
    ReplySerializer,
    ReplyWriteSerializer,
    VoteResultSerializer,
    VoteSerializer,
)
from reviews.selectors import review_get_for_user

# Who may use a course's forum, said once for every route's description.
READERS = (
    "The course's active learners, its instructor and admins (anyone else who can see the course: 403 "
    "`forum_access_denied`). "
)
AUTHOR_EDITS = "Its author only (403 `forum_not_author`); sets `edited_at`. A deleted one is 409 `forum_deleted`."
FLAGGING = (
    READERS + "`reason` 3–500 characters; the same reader again is 409 `forum_already_flagged`, one's own writing "
    "403 `forum_flag_own_content`. Enough open flags hide the item at once (`FORUM_AUTO_HIDE_FLAGS`). "
    "Rate-limited by `FORUM_FLAG_RATE`."
)
CONFLICT = OpenApiResponse(ErrorSerializer, description="Conflict (deleted item, already flagged, already resolved).")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="`forum_flag_own_content`: nobody flags their own writing.")


class ForumView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    # Listing parameters are validated by serializers here, not by the global filter backends.
    filter_backends: list = []


class PostListCreateView(ForumView):
    serializer_class = PostSerializer

    @extend_schema(
        tags=["forum"],
        summary="A course's questions",
        description=READERS
        + "`course` is required; `ordering` = `newest` (default), `votes`, `unanswered` (no accepted reply "
        "first, fewest replies first, then newest); `search` matches title and body, case-insensitive.",
        parameters=[PostListParamsSerializer],
        responses=PostSerializer(many=True),
    )
    def get(self, request):
        params = PostListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        course = selectors.forum_course_get(user=request.user, course_id=params.validated_data["course"])
        posts = selectors.post_list(
            user=request.user,
            course=course,
            module_id=params.validated_data.get("module"),
            search=params.validated_data.get("search", "").strip(),
            ordering=params.validated_data["ordering"],
        )
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        tags=["forum"],
        summary="Ask a question",
        description=READERS
        + "`module`, if given, must be a module of the course (400 `forum_module_not_in_course`). Rate-limited "
        "by `FORUM_POST_RATE`.",
        request=PostCreateSerializer,
        responses={201: PostSerializer},
    )
    def post(self, request):
        enforce_rate_limit(request, group="forum.post", rate=settings.FORUM_POST_RATE)
        data = PostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = selectors.forum_course_get(user=request.user, course_id=data.validated_data["course"])
        post = services.post_create(
            user=request.user,
            course=course,
            module_id=data.validated_data.get("module"),
            title=data.validated_data["title"],
            body=data.validated_data["body"],
        )
        # PostSerializer's bytes without its field tree (forum.representations).
        return Response(post_representation(post), status=status.HTTP_201_CREATED)


class PostDetailView(ForumView):
    serializer_class = PostSerializer

    @extend_schema(tags=["forum"], summary="One question", description=READERS, responses=PostSerializer)
    def get(self, request, pk):
        return Response(PostSerializer(selectors.post_get(user=request.user, post_id=pk)).data)

    @extend_schema(
        tags=["forum"],
        summary="Edit my question",
        description=AUTHOR_EDITS,
        request=PostUpdateSerializer,
        responses={200: PostSerializer, 409: CONFLICT},
    )
    def patch(self, request, pk):
        post = selectors.post_get(user=request.user, post_id=pk)
        data = PostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_update(user=request.user, post=post, **data.validated_data)
        return Response(PostSerializer(selectors.post_get(user=request.user, post_id=pk)).data)

    @extend_schema(
        tags=["forum"],
        summary="Delete a question (soft)",
        description="Its author, the course's instructor or an admin (others 403 `forum_not_allowed`); deleting "
        "again is a no-op. Someone else's deletion is in the audit log (`post.delete`).",
        responses={204: None},
    )
    def delete(self, request, pk):
        services.post_delete(user=request.user, post=selectors.post_get(user=request.user, post_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostVoteView(ForumView):
    serializer_class = VoteSerializer

    @extend_schema(
        tags=["forum"],
        summary="Vote on a question",
        description=READERS
        + "`value` 1, -1, or 0 to withdraw; nobody votes on their own question (403 `forum_vote_own_post`). "
        "Rate-limited by `FORUM_VOTE_RATE`.",
        request=VoteSerializer,
        responses={200: VoteResultSerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        enforce_rate_limit(request, group="forum.vote", rate=settings.FORUM_VOTE_RATE)
        post = selectors.post_get(user=request.user, post_id=pk)
        data = VoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post, my_vote = services.post_vote(user=request.user, post=post, value=data.validated_data["value"])
        return Response(VoteResultSerializer({"post": post.pk, "votes": post.votes, "my_vote": my_vote}).data)


class ReplyListCreateView(ForumView):
    serializer_class = ReplySerializer

    @extend_schema(
        tags=["forum"],
        summary="A question's replies",
        description=READERS + "Oldest first; a deleted reply stays in its thread as `[deleted]`.",
        responses=ReplySerializer(many=True),
    )
    def get(self, request, pk):
        post = selectors.post_get(user=request.user, post_id=pk)
        page = self.paginate_queryset(selectors.reply_list(user=request.user, post=post))
        context = {"accepted_reply_id": post.accepted_reply_id}
        return self.get_paginated_response(ReplySerializer(page, many=True, context=context).data)

    @extend_schema(
        tags=["forum"],
        summary="Reply to a question",
        description=READERS + "A deleted question is 409 `forum_deleted`. Rate-limited by `FORUM_REPLY_RATE`.",
        request=ReplyWriteSerializer,
        responses={201: ReplySerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        enforce_rate_limit(request, group="forum.reply", rate=settings.FORUM_REPLY_RATE)
        post = selectors.post_get(user=request.user, post_id=pk)
        data = ReplyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.reply_create(user=request.user, post=post, body=data.validated_data["body"])
        context = {"accepted_reply_id": post.accepted_reply_id}
        return Response(ReplySerializer(reply, context=context).data, status=status.HTTP_201_CREATED)


class ReplyDetailView(ForumView):
    serializer_class = ReplySerializer

    @extend_schema(
        tags=["forum"],
        summary="Edit my reply",
        description=AUTHOR_EDITS,
        request=ReplyWriteSerializer,
        responses={200: ReplySerializer, 409: CONFLICT},
    )
    def patch(self, request, pk):
        reply = selectors.reply_get(user=request.user, reply_id=pk)
        data = ReplyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reply_update(user=request.user, reply=reply, body=data.validated_data["body"])
        return Response(ReplySerializer(selectors.reply_get(user=request.user, reply_id=pk)).data)

    @extend_schema(
        tags=["forum"],
        summary="Delete a reply (soft)",
        description="Its author, the course's instructor or an admin (others 403 `forum_not_allowed`); an "
        "accepted reply stops being accepted. Someone else's deletion is in the audit log (`reply.delete`).",
        responses={204: None},
    )
    def delete(self, request, pk):
        services.reply_delete(user=request.user, reply=selectors.reply_get(user=request.user, reply_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReplyAcceptView(ForumView):
    serializer_class = ReplySerializer

    @extend_schema(
        tags=["forum"],
        summary="Accept a reply as the answer",
        description="The question's author or the course's instructor (an admin only on their own question; others "
        "403 `forum_not_allowed`). Accepting another reply replaces it; a deleted or hidden reply is 409 "
        "`forum_reply_unavailable`.",
        request=None,
        responses={200: ReplySerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        reply = selectors.reply_get(user=request.user, reply_id=pk)
        services.reply_accept(user=request.user, reply=reply)
        return Response(ReplySerializer(selectors.reply_get(user=request.user, reply_id=pk)).data)


class _FlagView(ForumView):
    serializer_class = FlagCreateSerializer

    def flag(self, request, **item) -> Response:
        enforce_rate_limit(request, group="forum.flag", rate=settings.FORUM_FLAG_RATE)
        data = FlagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.flag_create(user=request.user, reason=data.validated_data["reason"], **item)
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class PostFlagView(_FlagView):
    @extend_schema(
        tags=["forum"],
        summary="Flag a question for moderators",
        description=FLAGGING,
        request=FlagCreateSerializer,
        responses={201: FlagSerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        return self.flag(request, post=selectors.post_get(user=request.user, post_id=pk))


class ReplyFlagView(_FlagView):
    @extend_schema(
        tags=["forum"],
        summary="Flag a reply for moderators",
        description=FLAGGING,
        request=FlagCreateSerializer,
        responses={201: FlagSerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        return self.flag(request, reply=selectors.reply_get(user=request.user, reply_id=pk))


class ReviewFlagView(_FlagView):
    @extend_schema(
        tags=["reviews"],
        summary="Flag a course review for moderation (once; not your own)",
        description="The review goes to the admin moderation queue (`item_type: review`) under the forum's rules: "
        "enough distinct open flags hide it (out of the listing and the course's rating) until a moderator decides.",
        request=FlagCreateSerializer,
        responses={201: FlagSerializer, 403: FORBIDDEN, 409: CONFLICT},
    )
    def post(self, request, pk):
        review = review_get_for_user(user=request.user, review_id=pk)
        if review is None:
            raise NotFoundError("Review not found.")
        return self.flag(request, review=review)


# --- Moderation queue (admins) -------------------------------------------------------------------


class AdminFlagListView(GenericAPIView):
    permission_classes = [IsAuthenticated, IsAdmin]
    filter_backends: list = []
    serializer_class = AdminFlagSerializer

    @extend_schema(
        tags=["admin"],
        summary="Moderation queue",
        description="Admins: flags newest first, of one `status` (`open`, `hidden`, `dismissed`) or all.",
        parameters=[FlagListParamsSerializer],
        responses=AdminFlagSerializer(many=True),
    )
    def get(self, request):
        params = FlagListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.flag_list(status=params.validated_data.get("status")))
        return self.get_paginated_response(AdminFlagSerializer(page, many=True).data)


class AdminFlagResolveView(GenericAPIView):
    permission_classes = [IsAuthenticated, IsAdmin]
    serializer_class = FlagResolveSerializer

    @extend_schema(
        tags=["admin"],
        summary="Resolve a flag: hide the item or dismiss",
        description="Admins: `action` `hide` or `dismiss` resolves every open flag on the item together, with one "
        "audit entry (`flag.hide` / `flag.dismiss`); already resolved → 409 `flag_already_resolved`.",
        request=FlagResolveSerializer,
        responses={200: AdminFlagSerializer, 409: CONFLICT},
    )
    def post(self, request, pk):
        flag = selectors.flag_list().filter(pk=pk).first()
        if flag is None:
            raise NotFoundError("Flag not found.")
        data = FlagResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.flag_resolve(actor=request.user, flag=flag, action=data.validated_data["action"])
        return Response(AdminFlagSerializer(selectors.flag_list().get(pk=pk)).data)
