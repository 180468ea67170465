"""HTTP layer of the catalog: parse, check role and ownership, call a service or selector, serialize."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors, services
from catalog.cache import CATALOGUE_CACHE_SECONDS, CATALOGUE_SCOPE
from catalog.filters import CatalogueFilter, CourseStatusFilter, LessonFilter, ModuleFilter
from catalog.models import Course, Lesson, Module
from catalog.permissions import course_staff_require
from catalog.representations import enrollment_instance_representation, enrollment_representation
from catalog.serializers import (
    AdminCourseSerializer,
    ContinueSerializer,
    CourseFacetsSerializer,
    CourseInputSerializer,
    CourseSerializer,
    CourseSuggestionSerializer,
    CurriculumSerializer,
    DomainSerializer,
    EnrollmentDetailSerializer,
    EnrollmentSerializer,
    LessonCreateSerializer,
    LessonPositionInputSerializer,
    LessonPositionSerializer,
    LessonSerializer,
    LessonUpdateSerializer,
    ModuleCreateSerializer,
    ModuleSerializer,
    ModuleUpdateSerializer,
    RejectSerializer,
    SuggestParamsSerializer,
    WishlistAddSerializer,
    WishlistItemSerializer,
)
from common.db_router import lag_tolerant
from common.http_cache import ConditionalReadMixin, cached_read, viewer_is_anonymous
from common.permissions import IsAdmin, IsInstructorOrAdmin, IsStudent
from common.ratelimit import enforce_rate_limit
from common.serializers import ErrorSerializer
from common.timeutils import display_zone

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

_CONFLICT = OpenApiResponse(ErrorSerializer, description="Conflict: the course's state does not allow this.")
_HAS_LEARNERS = OpenApiResponse(
    ErrorSerializer,
    description="`course_has_learners`: learners' history depends on it; edit it, or archive the course.",
)


def _filtered(filterset_class, request: Request, queryset):
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


class DomainListView(ConditionalReadMixin, generics.ListAPIView):
    """Learning domains, by name."""

    permission_classes = [AllowAny]
    serializer_class = DomainSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.domain_list()

    @extend_schema(
        tags=["catalog"], auth=[], summary="Learning domains", description="Anyone: `id, name, slug`, by name."
    )
    @lag_tolerant
    def get(self, request, *args, **kwargs):
        # The same bytes for every viewer.
        return cached_read(
            self,
            request,
            scope=CATALOGUE_SCOPE,
            variants=("domains",),
            timeout=CATALOGUE_CACHE_SECONDS,
            build=lambda: super(DomainListView, self).get(request, *args, **kwargs),
            public_data=lambda data: ("domains", data),
        )


def _is_staff(user) -> bool:
    return user.is_authenticated and (user.is_admin or user.is_instructor)


def _is_published(course_data: dict) -> bool:
    return course_data["status"] == Course.Status.PUBLISHED


def _catalogue_public(data: dict) -> tuple[str, dict]:
    """A viewer's catalogue page as an anonymous viewer sees it."""
    return "catalogue", {**data, "results": [{**course, "in_wishlist": False} for course in data["results"]]}


def _course_public(data: dict) -> tuple[str, dict] | None:
    return ("course", {**data, "in_wishlist": False}) if _is_published(data) else None


def _curriculum_public(data: dict) -> tuple[str, dict] | None:
    """A published curriculum is the same for every viewer with (or without) access to its content."""
    if not _is_published(data):
        return None
    return ("curriculum:open" if data["has_access"] else "curriculum:locked"), data


@extend_schema_view(
    list=extend_schema(
        summary="Published catalogue",
        description=(
            "Anyone. Published courses only, each with its rating figures and `in_wishlist` (whether the "
            "signed-in viewer saved it). `ordering`: `newest` (default), `oldest`, `price`, `-price`, "
            "`popularity` (most learners), `title`, `relevance` (the default with `search`), `popular` (most "
            "learners enrolled in the last 30 days). An unknown `domain` slug or `ordering` is a 400."
        ),
        auth=[],
        parameters=[OpenApiParameter("is_free", bool, description="true: free courses; false: paid.")],
    ),
    retrieve=extend_schema(
        summary="One course (drafts only for their owner and admins)",
        description=(
            "Anyone, for a published course; in any other status its instructor, admins and its active "
            "learners (404 for anyone else)."
        ),
    ),
    create=extend_schema(
        summary="Create a course (a draft)",
        description="Instructors and admins. The course starts as a `draft` (201); the caller is its instructor.",
        request=CourseInputSerializer,
        responses={201: CourseSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a course",
        description=(
            "The course's staff (its instructor, admins): the fields of create; `slug` and `status` are "
            "read-only. Others who can see the course get 403 `not_course_staff`."
        ),
        request=CourseInputSerializer,
        responses={200: CourseSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a course",
        description=(
            "The course's staff. A course with enrollments or payments is 409 `course_has_learners`: archive it."
        ),
        responses={
            204: None,
            409: OpenApiResponse(ErrorSerializer, description="The course has learners or payments: archive it."),
        },
    ),
)
@extend_schema(tags=["catalog"])
class CourseViewSet(ConditionalReadMixin, viewsets.GenericViewSet):
    serializer_class = CourseSerializer
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CatalogueFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve", "curriculum", "suggest", "facets"):
            return [AllowAny()]
        if self.action == "enroll":
            return [IsStudent()]
        return [IsInstructorOrAdmin()]

    def get_queryset(self):
        return selectors.course_catalogue(user=self.request.user)

    def _course_for_write(self, pk) -> Course:
        # Resolved among the courses the caller may see: someone else's draft is 404, not 403.
        course = get_object_or_404(selectors.course_list_visible(user=self.request.user), pk=pk)
        course_staff_require(user=self.request.user, course=course)
        return course

    def _respond(self, course: Course, status_code: int = status.HTTP_200_OK) -> Response:
        course = selectors.courses_with_figures().get(pk=course.pk)
        return Response(CourseSerializer(course).data, status=status_code)

    @lag_tolerant
    def list(self, request: Request) -> Response:
        # Every viewer sees the same published courses; only in_wishlist is theirs.
        return cached_read(
            self,
            request,
            scope=CATALOGUE_SCOPE,
            variants=("catalogue",),
            timeout=CATALOGUE_CACHE_SECONDS,
            build=self._catalogue_page,
            public_data=_catalogue_public,
            overlay=None if viewer_is_anonymous(request) else self._catalogue_overlay,
        )

    def _catalogue_page(self) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CourseSerializer(page, many=True).data)

    def _catalogue_overlay(self, data: dict) -> dict:
        saved = selectors.wishlist_course_ids(user=self.request.user, course_ids=[c["id"] for c in data["results"]])
        for course in data["results"]:
            course["in_wishlist"] = course["id"] in saved
        return data

    def retrieve(self, request: Request, pk=None) -> Response:
        # Staff may see drafts: uncached. Anyone else sees a published course alike, but for in_wishlist.
        return cached_read(
            self,
            request,
            scope=CATALOGUE_SCOPE,
            variants=("course",),
            timeout=CATALOGUE_CACHE_SECONDS,
            build=lambda: self._course_detail(pk),
            public_data=_course_public,
            overlay=None if viewer_is_anonymous(request) else self._course_overlay,
            enabled=not _is_staff(request.user),
        )

    def _course_detail(self, pk) -> Response:
        course = selectors.course_visible_get(user=self.request.user, course_id=pk)
        if course is None:
            raise Http404
        return Response(CourseSerializer(course).data)

    def _course_overlay(self, data: dict) -> dict:
        data["in_wishlist"] = bool(selectors.wishlist_course_ids(user=self.request.user, course_ids=[data["id"]]))
        return data

    def create(self, request: Request) -> Response:
        serializer = CourseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_create(instructor=request.user, **serializer.validated_data)
        return self._respond(course, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None) -> Response:
        course = self._course_for_write(pk)
        serializer = CourseInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = services.course_update(course=course, data=serializer.validated_data)
        return self._respond(course)

    def destroy(self, request: Request, pk=None) -> Response:
        services.course_delete(course=self._course_for_write(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Catalogue facets: counts per domain, free/paid, price, rating and duration band",
        description="Takes the catalogue's filters (`domain`, `is_free`, `search`) and counts what they match.",
        auth=[],
        parameters=[
            OpenApiParameter("domain", str, description="A domain's slug; an unknown slug is a 400."),
            OpenApiParameter("is_free", bool, description="true: free courses; false: paid."),
            OpenApiParameter("search", str, description="As on the catalogue (at most 200 characters)."),
        ],
        responses={200: CourseFacetsSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def facets(self, request: Request) -> Response:
        return Response(CourseFacetsSerializer(selectors.course_facets(self.filter_queryset(self.get_queryset()))).data)

    @extend_schema(
        summary="Title completions for a search box",
        description="Up to 8 published courses whose title starts with, contains or (PostgreSQL) resembles `q`.",
        auth=[],
        parameters=[SuggestParamsSerializer],
        responses={200: CourseSuggestionSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def suggest(self, request: Request) -> Response:
        params = SuggestParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        courses = selectors.course_title_suggestions(text=params.validated_data["q"])
        return Response(CourseSuggestionSerializer(courses, many=True).data)

    @extend_schema(
        summary="My courses in every status",
        description="Instructors and admins: the courses they teach, in every status, filtered by `status`.",
        parameters=[OpenApiParameter("status", enum=Course.Status.values)],
        responses={200: CourseSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def mine(self, request: Request) -> Response:
        queryset = _filtered(CourseStatusFilter, request, selectors.course_list_for_instructor(user=request.user))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CourseSerializer(page, many=True).data)

    @extend_schema(
        summary="Submit for review (draft or rejected)",
        description=(
            "The course's staff: `draft` or `rejected` → `pending_review`, else 409 `course_status_conflict`; "
            "a course without a module holding a lesson is 409 `course_incomplete`."
        ),
        request=None,
        responses={200: CourseSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        return self._respond(services.course_submit(course=self._course_for_write(pk)))

    @extend_schema(
        summary="Withdraw from the catalogue (learners keep access)",
        description=(
            "The course's staff, from any status but `archived` (409 `course_status_conflict`); recorded in the "
            "audit log (`course.archive`)."
        ),
        request=None,
        responses={200: CourseSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk=None) -> Response:
        return self._respond(services.course_archive(course=self._course_for_write(pk), actor=request.user))

    @extend_schema(
        summary="Undo an archive",
        description=(
            "An admin puts a course that had been published back in the catalogue (`published`); the "
            "instructor gets it back as a `draft` to edit and submit again (as does an admin for a course "
            "that was never published). Learners keep access throughout. Both are recorded in the audit log."
        ),
        request=None,
        responses={
            200: CourseSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`course_status_conflict` (not archived) or `course_incomplete` (no lesson left).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def unarchive(self, request: Request, pk=None) -> Response:
        return self._respond(services.course_unarchive(course=self._course_for_write(pk), actor=request.user))

    @extend_schema(
        summary="Modules and lessons in order",
        description=(
            "Anyone who can see the course. Content URLs are filled for active learners, the course's staff and "
            "preview lessons; otherwise they are `null` with `is_locked: true`. No quiz answers appear here."
        ),
        responses={200: CurriculumSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def curriculum(self, request: Request, pk=None) -> Response:
        # One stored body per published course and kind of viewer: without access (anonymous, not enrolled)
        # and with it (active learners). Staff may see drafts: uncached.
        return cached_read(
            self,
            request,
            scope=CATALOGUE_SCOPE,
            variants=("curriculum:open", "curriculum:locked"),
            pick=lambda: "curriculum:open" if self._learns_in(pk) else "curriculum:locked",
            timeout=CATALOGUE_CACHE_SECONDS,
            build=lambda: self._curriculum(pk),
            public_data=_curriculum_public,
            enabled=not _is_staff(request.user),
        )

    def _learns_in(self, pk) -> bool:
        user = self.request.user
        return user.is_authenticated and selectors.has_active_enrollment(user=user, course_id=pk)

    def _curriculum(self, pk) -> Response:
        course = selectors.course_curriculum_get(user=self.request.user, course_id=pk)
        if course is None:
            raise Http404
        return Response(CurriculumSerializer(course, context={"has_access": course.viewer_has_access}).data)

    @extend_schema(
        summary="Enroll in a free course",
        description=(
            "Students. A free course → 201 the enrollment; a paid one → 402 `payment_required` (buy it through "
            "`POST /api/payments/order/`); enrolled already → 409 `already_enrolled`."
        ),
        request=None,
        responses={
            201: EnrollmentSerializer,
            402: OpenApiResponse(ErrorSerializer, description="`payment_required`: the course is paid."),
            409: OpenApiResponse(ErrorSerializer, description="`already_enrolled` or `course_not_published`."),
        },
    )
    @action(detail=True, methods=["post"])
    def enroll(self, request: Request, pk=None) -> Response:
        course = get_object_or_404(selectors.course_list_visible(user=request.user), pk=pk)
        enrollment = services.enrollment_create(user=request.user, course=course)
        enrollment = selectors.enrollment_list_for_user(user=request.user).get(pk=enrollment.pk)
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["catalog"])
@extend_schema_view(
    list=extend_schema(summary="A course's modules", description="Anyone who can see the course; by `position`."),
    retrieve=extend_schema(summary="One module", description="Anyone who can see its course."),
    create=extend_schema(
        summary="Add a module",
        description="The course's staff (its instructor, admins); a `position` past the end appends.",
        request=ModuleCreateSerializer,
        responses={201: ModuleSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a module",
        description="The course's staff; `course` cannot change.",
        request=ModuleUpdateSerializer,
        responses={200: ModuleSerializer},
    ),
)
class ModuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Modules of a course. Anyone who can see the course reads them; its instructor and admins write."""

    serializer_class = ModuleSerializer
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ModuleFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsInstructorOrAdmin()]

    def get_queryset(self):
        return selectors.module_list_visible(user=self.request.user)

    def _module_for_write(self, pk) -> Module:
        module = get_object_or_404(selectors.module_structure_visible(user=self.request.user), pk=pk)
        course_staff_require(user=self.request.user, course=module.course)
        return module

    def _respond(self, module: Module, status_code: int = status.HTTP_200_OK) -> Response:
        module = selectors.module_list_visible(user=self.request.user).get(pk=module.pk)
        return Response(ModuleSerializer(module).data, status=status_code)

    def create(self, request: Request) -> Response:
        serializer = ModuleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        course_staff_require(user=request.user, course=data["course"])
        return self._respond(services.module_create(**data), status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None) -> Response:
        module = self._module_for_write(pk)
        serializer = ModuleUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._respond(services.module_update(module=module, data=serializer.validated_data))

    @extend_schema(
        summary="Delete a module",
        description="The course's staff; 409 `course_has_learners` once the course has learners.",
        responses={204: None, 409: _HAS_LEARNERS},
    )
    def destroy(self, request: Request, pk=None) -> Response:
        services.module_delete(module=self._module_for_write(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["catalog"])
@extend_schema_view(
    list=extend_schema(
        summary="A module's (or course's) lessons",
        description=(
            "Filtered by `module` or `course`. The course's staff, admins and active learners get every lesson "
            "with its content; anyone else who can see the course gets its preview lessons."
        ),
    ),
    retrieve=extend_schema(
        summary="One lesson",
        description="The course's staff and active learners; anyone who can see the course for a preview lesson.",
    ),
    create=extend_schema(
        summary="Add a lesson",
        description="The course's staff (its instructor, admins); a `position` past the end appends.",
        request=LessonCreateSerializer,
        responses={201: LessonSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a lesson",
        description="The course's staff; `module` cannot change.",
        request=LessonUpdateSerializer,
        responses={200: LessonSerializer},
    ),
)
class LessonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Lessons with their content: the course's instructor, admins, active learners, and previews for anyone."""

    serializer_class = LessonSerializer
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    filterset_class = LessonFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        if self.action in ("complete", "position"):
            return [IsStudent()]
        return [IsInstructorOrAdmin()]

    def get_queryset(self):
        return selectors.lesson_list_visible(user=self.request.user)

    def _lesson_for_write(self, pk) -> Lesson:
        lesson = get_object_or_404(selectors.lesson_structure_visible(user=self.request.user), pk=pk)
        course_staff_require(user=self.request.user, course=lesson.module.course)
        return lesson

    def create(self, request: Request) -> Response:
        serializer = LessonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        course_staff_require(user=request.user, course=data["module"].course)
        lesson = services.lesson_create(**data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None) -> Response:
        lesson = self._lesson_for_write(pk)
        serializer = LessonUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lesson = services.lesson_update(lesson=lesson, data=serializer.validated_data)
        return Response(LessonSerializer(lesson).data)

    @extend_schema(
        summary="Delete a lesson",
        description="The course's staff; 409 `course_has_learners` once the course has learners.",
        responses={204: None, 409: _HAS_LEARNERS},
    )
    def destroy(self, request: Request, pk=None) -> Response:
        services.lesson_delete(lesson=self._lesson_for_write(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Save where I stopped in the lesson's video (a player calls it every ~15 s)",
        description=(
            "Students with an active enrollment; the latest report wins. `position_seconds` is at most the "
            "lesson's `duration_seconds` when known (400 `position_beyond_duration`); not enrolled is 403 "
            "`not_enrolled`. Rate-limited by `LESSON_POSITION_RATE`."
        ),
        request=LessonPositionInputSerializer,
        responses={
            200: LessonPositionSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`position_beyond_duration` or invalid fields."),
            403: OpenApiResponse(ErrorSerializer, description="`not_enrolled`."),
        },
    )
    @action(detail=True, methods=["put"], filter_backends=[], url_path="position")
    def position(self, request: Request, pk=None) -> Response:
        enforce_rate_limit(request, group="catalog.lesson_position", rate=settings.LESSON_POSITION_RATE)
        data = LessonPositionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = selectors.lesson_for_position(user=request.user, lesson_id=pk)
        if lesson is None:
            raise Http404
        position = services.lesson_position_save(
            user=request.user, lesson=lesson, enrolled=lesson.enrolled, **data.validated_data
        )
        return Response(LessonPositionSerializer(position).data)

    @extend_schema(
        summary="Mark a lesson done (idempotent); returns the course progress",
        description="Students with an active enrollment in the lesson's course; others 403 `not_enrolled`.",
        request=None,
        responses={200: EnrollmentSerializer, 403: OpenApiResponse(ErrorSerializer, description="`not_enrolled`.")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request: Request, pk=None) -> Response:
        try:
            lesson = selectors.lesson_structure_visible_get(user=request.user, lesson_id=pk)
        except Lesson.DoesNotExist:
            raise Http404 from None
        enrollment = services.lesson_complete(user=request.user, lesson=lesson)
        # EnrollmentSerializer's bytes (the documented answer) without its field tree (catalog.representations).
        return Response(enrollment_instance_representation(enrollment))


@extend_schema(tags=["catalog"])
class EnrollmentViewSet(viewsets.GenericViewSet):
    """The learner's own enrollments (revoked ones stay listed with their history)."""

    permission_classes = [IsStudent]
    serializer_class = EnrollmentSerializer
    lookup_field = "course_id"
    lookup_value_regex = UUID_PATTERN
    filter_backends: list = []

    def get_queryset(self):
        return selectors.enrollment_list_for_user(user=self.request.user)

    @extend_schema(
        summary="My enrollments with their progress",
        description='Students: every course they joined; revoked ones stay listed with `status: "revoked"`.',
    )
    def list(self, request: Request) -> Response:
        # Flat rows shaped by a function: the same bytes as EnrollmentSerializer (the documented response,
        # serializer_class above), without building its field tree per row (catalog.representations).
        page = self.paginate_queryset(selectors.enrollment_rows_for_user(user=request.user))
        zone = display_zone()
        return self.get_paginated_response([enrollment_representation(row, zone=zone) for row in page])

    @extend_schema(
        summary="One course's progress, lesson by lesson",
        description=(
            "Students: their enrollment in the course with its modules and lessons ticked; 404 if never enrolled."
        ),
        responses={200: EnrollmentDetailSerializer},
    )
    def retrieve(self, request: Request, course_id=None) -> Response:
        found = selectors.enrollment_progress_get(user=request.user, course_id=course_id)
        if found is None:
            raise Http404
        enrollment, ticks = found
        return Response(EnrollmentDetailSerializer(enrollment, context={"ticks": ticks}).data)


@extend_schema(tags=["catalog"])
class WishlistViewSet(viewsets.GenericViewSet):
    """Courses the learner saved for later; a course leaves the list once they enroll."""

    permission_classes = [IsStudent]
    serializer_class = WishlistItemSerializer
    lookup_field = "course_id"
    lookup_value_regex = UUID_PATTERN
    filter_backends: list = []

    def get_queryset(self):
        return selectors.wishlist_list(user=self.request.user)

    @extend_schema(
        summary="My saved courses",
        description="Students: newest first, without the courses they have since enrolled in.",
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WishlistItemSerializer(page, many=True).data)

    @extend_schema(
        summary="Save a course (idempotent: 201 new, 200 already saved)",
        description=(
            "Students, for a published course: enrolled already → 409 `already_enrolled`; a course they cannot "
            "see → 400 `errors.course`. Rate-limited by `WISHLIST_WRITE_RATE`."
        ),
        request=WishlistAddSerializer,
        responses={
            200: WishlistItemSerializer,
            201: WishlistItemSerializer,
            409: OpenApiResponse(ErrorSerializer, description="`already_enrolled` or `course_not_published`."),
        },
    )
    def create(self, request: Request) -> Response:
        enforce_rate_limit(request, group="catalog.wishlist", rate=settings.WISHLIST_WRITE_RATE)
        data = WishlistAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = selectors.course_list_visible(user=request.user).filter(pk=data.validated_data["course"]).first()
        if course is None:
            raise ValidationError({"course": ["There is no course with this id."]})
        item, created = services.wishlist_add(user=request.user, course=course)
        item = selectors.wishlist_list(user=request.user).get(pk=item.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(WishlistItemSerializer(item).data, status=code)

    @extend_schema(
        summary="Remove a saved course",
        description=(
            "Students; 404 if it is not in their wishlist. Enrolling takes a course off the list by itself "
            "(it comes back if the enrollment is revoked)."
        ),
        responses={204: None, 404: ErrorSerializer},
    )
    def destroy(self, request: Request, course_id=None) -> Response:
        enforce_rate_limit(request, group="catalog.wishlist", rate=settings.WISHLIST_WRITE_RATE)
        services.wishlist_remove(user=request.user, course_id=course_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContinueView(generics.GenericAPIView):
    """Continue where you left off: per active enrollment, the lesson to resume and the position in it."""

    permission_classes = [IsStudent]
    serializer_class = ContinueSerializer
    filter_backends: list = []

    @extend_schema(responses=ContinueSerializer(many=True), summary="My courses, each with the lesson to resume")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.continue_list(user=request.user))
        lessons = selectors.lessons_by_id(lesson_ids=[row.resume_lesson_id for row in page if row.resume_lesson_id])
        return self.get_paginated_response(ContinueSerializer(page, many=True, context={"lessons": lessons}).data)


@extend_schema(tags=["admin"])
class AdminCourseViewSet(viewsets.GenericViewSet):
    """Course review for admins: list by status, approve, reject with a reason."""

    permission_classes = [IsAdmin]
    serializer_class = AdminCourseSerializer
    lookup_value_regex = UUID_PATTERN
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseStatusFilter

    def get_queryset(self):
        return selectors.course_review_queue()

    @extend_schema(
        summary="Course review queue",
        description="Admins: courses by `status`, oldest submission first, with the instructor's email.",
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AdminCourseSerializer(page, many=True).data)

    def _respond(self, course: Course) -> Response:
        return Response(AdminCourseSerializer(self.get_queryset().get(pk=course.pk)).data)

    @extend_schema(
        summary="Approve a course",
        description="Admins: `pending_review` → `published`; any other status is 409 `course_status_conflict`.",
        request=None,
        responses={200: AdminCourseSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request: Request, pk=None) -> Response:
        course = get_object_or_404(Course, pk=pk)
        return self._respond(services.course_approve(course=course, actor=request.user))

    @extend_schema(
        summary="Reject a course, with the reason",
        description=(
            "Admins: `pending_review` → `rejected` with `reason` (required, 3–2000 characters), which its "
            "instructor sees; any other status is 409 `course_status_conflict`."
        ),
        request=RejectSerializer,
        responses={200: AdminCourseSerializer, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request: Request, pk=None) -> Response:
        course = get_object_or_404(Course, pk=pk)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.course_reject(course=course, actor=request.user, reason=serializer.validated_data["reason"])
        )
