"""HTTP layer of reviews: parse, check role, call a service or selector, serialize."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.exceptions import ForbiddenError, NotFoundError
from common.permissions import IsStudent
from common.ratelimit import enforce_rate_limit
from common.serializers import ErrorSerializer
from reviews import selectors, services
from reviews.models import Review
from reviews.serializers import (
    HelpfulSerializer,
    ReviewCreateSerializer,
    ReviewListParamsSerializer,
    ReviewReplyCreateSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)

_CONFLICT = OpenApiResponse(ErrorSerializer, description="`already_reviewed` / `already_replied`.")
_FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="`not_enrolled`, `review_needs_progress`, `not_course_staff` or not the author."
)


class ReviewView(GenericAPIView):
    serializer_class = ReviewSerializer
    # Listing parameters are validated by serializers here, not by the global filter backends.
    filter_backends: list = []

    def _review(self, request: Request, pk) -> Review:
        review = selectors.review_get_for_user(user=request.user, review_id=pk)
        if review is None:
            raise NotFoundError("Review not found.")
        return review

    def _respond(self, request: Request, review: Review, code: int = status.HTTP_200_OK) -> Response:
        return Response(ReviewSerializer(self._review(request, review.pk)).data, status=code)

    def _write_limit(self, request: Request) -> None:
        enforce_rate_limit(request, group="reviews.write", rate=settings.REVIEWS_WRITE_RATE)


class CourseReviewListCreateView(ReviewView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsStudent()]

    def _course(self, request: Request, pk):
        course = selectors.review_course_get(user=request.user, course_id=pk)
        if course is None:
            raise NotFoundError("Course not found.")
        return course

    @extend_schema(
        tags=["reviews"],
        summary="A course's reviews",
        description=(
            "Anyone who can see the course: the reviews that count (not those of revoked enrollments); "
            "`ordering` = `newest` (default), `helpful`, `highest`, `lowest`."
        ),
        auth=[],
        parameters=[ReviewListParamsSerializer],
        responses=ReviewSerializer(many=True),
    )
    def get(self, request: Request, pk) -> Response:
        params = ReviewListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        course = self._course(request, pk)
        reviews = selectors.review_list_for_course(
            user=request.user, course=course, ordering=params.validated_data["ordering"]
        )
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(
        tags=["reviews"],
        summary="Review a course (once; active enrollment with a completed lesson)",
        description=(
            "Students with an active enrollment (403 `not_enrolled`) and a completed lesson (403 "
            "`review_needs_progress`); a second review is 409 `already_reviewed`: edit it instead. Rate-limited "
            "by `REVIEWS_WRITE_RATE`."
        ),
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer, 403: _FORBIDDEN, 409: _CONFLICT},
    )
    def post(self, request: Request, pk) -> Response:
        self._write_limit(request)
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(user=request.user, course=self._course(request, pk), **data.validated_data)
        return self._respond(request, review, status.HTTP_201_CREATED)


class ReviewDetailView(ReviewView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["patch", "delete", "options"]

    @extend_schema(
        tags=["reviews"],
        summary="Edit my review",
        description="Its author only; sets `edited_at`.",
        request=ReviewUpdateSerializer,
        responses={200: ReviewSerializer, 403: _FORBIDDEN},
    )
    def patch(self, request: Request, pk) -> Response:
        self._write_limit(request)
        review = self._review(request, pk)
        if review.user_id != request.user.pk:
            raise ForbiddenError("Only the author can edit a review.")
        data = ReviewUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._respond(request, services.review_update(review=review, data=data.validated_data))

    @extend_schema(
        tags=["reviews"],
        summary="Delete my review (admins: any)",
        description="Its author or an admin; an admin's removal is in the audit log (`review.delete`).",
        responses={204: None, 403: _FORBIDDEN},
    )
    def delete(self, request: Request, pk) -> Response:
        self._write_limit(request)
        review = self._review(request, pk)
        if review.user_id != request.user.pk and not request.user.is_admin:
            raise ForbiddenError("Only the author or an admin can delete a review.")
        services.review_delete(review=review, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewReplyView(ReviewView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["reviews"],
        summary="Reply to a review of my course (once)",
        description=(
            "The course's instructor or an admin (others 403 `not_course_staff`); a second reply is 409 "
            "`already_replied`."
        ),
        request=ReviewReplyCreateSerializer,
        responses={200: ReviewSerializer, 403: _FORBIDDEN, 409: _CONFLICT},
    )
    def post(self, request: Request, pk) -> Response:
        self._write_limit(request)
        review = self._review(request, pk)
        data = ReviewReplyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_reply(actor=request.user, review=review, body=data.validated_data["body"])
        return self._respond(request, review)


class ReviewHelpfulView(ReviewView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["reviews"],
        summary="Mark a review helpful (idempotent; `helpful: false` takes it back)",
        description=(
            "Any signed-in user but its author (403 `review_own_helpful`). Rate-limited by `REVIEWS_HELPFUL_RATE`."
        ),
        request=HelpfulSerializer,
        responses={200: ReviewSerializer, 403: _FORBIDDEN},
    )
    def post(self, request: Request, pk) -> Response:
        enforce_rate_limit(request, group="reviews.helpful", rate=settings.REVIEWS_HELPFUL_RATE)
        review = self._review(request, pk)
        data = HelpfulSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.review_helpful_set(user=request.user, review=review, helpful=data.validated_data["helpful"])
        return self._respond(request, review)
