"""HTTP endpoints of assessments. Thin: parse, check access on the module's course, call a service."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.models import Quiz
from assessments.permissions import quiz_reader_is_staff
from assessments.representations import attempt_result_representation, attempt_submitted_representation
from assessments.serializers import (
    ModuleQuerySerializer,
    OptionalModuleQuerySerializer,
    QuizAttemptAnswersSerializer,
    QuizAttemptCreateSerializer,
    QuizAttemptDetailSerializer,
    QuizAttemptResultSerializer,
    QuizAttemptSerializer,
    QuizAttemptSubmitSerializer,
    QuizAttemptSubmittedSerializer,
    QuizCreateSerializer,
    QuizImportResultSerializer,
    QuizImportSerializer,
    QuizLearnerSerializer,
    QuizReorderSerializer,
    QuizStaffSerializer,
    QuizStatsSerializer,
    QuizUpdateSerializer,
)
from catalog.models import Module
from catalog.permissions import course_staff_require
from catalog.selectors import course_list_visible, module_structure_visible, module_structure_visible_get
from common.ratelimit import enforce_rate_limit, rate_limit
from common.serializers import ErrorSerializer

QUIZ_RESPONSE = PolymorphicProxySerializer(
    component_name="QuizForReader",
    serializers=[QuizStaffSerializer, QuizLearnerSerializer],
    resource_type_field_name=None,
)
MODULE_PARAM = OpenApiParameter("module", OpenApiTypes.UUID, required=True, description="Module id (UUID).")


def _module_from_query(request) -> Module:
    params = ModuleQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return get_object_or_404(module_structure_visible(user=request.user), pk=params.validated_data["module"])


class QuizListCreateView(generics.GenericAPIView):
    """A module's questions: learners read them without answers, course staff manage them."""

    queryset = Quiz.objects.none()
    serializer_class = QuizStaffSerializer
    filter_backends: list = []

    @extend_schema(
        tags=["quizzes"],
        parameters=[MODULE_PARAM],
        responses={
            200: PolymorphicProxySerializer(
                component_name="QuizForReader",
                serializers=[QuizStaffSerializer, QuizLearnerSerializer],
                resource_type_field_name=None,
                many=True,
            )
        },
        summary="A module's quiz questions",
        description="Enrolled learners get questions without `correct_option`/`explanation`; the course's "
        "instructor and admins get them. Paginated, ordered by position. Others who can see the course get 403 "
        "`not_enrolled`.",
    )
    def get(self, request):
        module = _module_from_query(request)
        is_staff = quiz_reader_is_staff(user=request.user, course=module.course)
        page = self.paginate_queryset(selectors.module_quizzes(module_id=module.pk))
        serializer_class = QuizStaffSerializer if is_staff else QuizLearnerSerializer
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(
        tags=["quizzes"],
        summary="Add a question",
        description="The course's instructor and admins (others 403 `not_course_staff`); a `position` past the "
        "end appends.",
        request=QuizCreateSerializer,
        responses={201: QuizStaffSerializer},
    )
    def post(self, request):
        serializer = QuizCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        course_staff_require(user=request.user, course=data["module"].course)
        quiz = services.quiz_create(**data)
        return Response(QuizStaffSerializer(quiz).data, status=status.HTTP_201_CREATED)


class QuizDetailView(APIView):
    def _quiz(self, pk) -> Quiz:
        # Questions of a course the caller cannot see do not exist for them (404, not 403).
        visible = Quiz.objects.select_related("module__course").filter(
            module__course__in=course_list_visible(user=self.request.user)
        )
        return get_object_or_404(visible, pk=pk)

    @extend_schema(
        tags=["quizzes"],
        summary="One question",
        description="Enrolled learners (without the answer), the course's instructor and admins (with it).",
        responses={200: QUIZ_RESPONSE},
    )
    def get(self, request, pk):
        quiz = self._quiz(pk)
        is_staff = quiz_reader_is_staff(user=request.user, course=quiz.module.course)
        serializer_class = QuizStaffSerializer if is_staff else QuizLearnerSerializer
        return Response(serializer_class(quiz).data)

    @extend_schema(
        tags=["quizzes"],
        summary="Edit a question",
        description="The course's instructor and admins: any of the question's fields.",
        request=QuizUpdateSerializer,
        responses={200: QuizStaffSerializer},
    )
    def patch(self, request, pk):
        quiz = self._quiz(pk)
        course_staff_require(user=request.user, course=quiz.module.course)
        serializer = QuizUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        quiz = services.quiz_update(quiz=quiz, data=serializer.validated_data)
        return Response(QuizStaffSerializer(quiz).data)

    @extend_schema(
        tags=["quizzes"],
        summary="Delete a question",
        description="The course's instructor and admins; later questions move up; past results are kept.",
        responses={
            204: None,
            409: OpenApiResponse(
                ErrorSerializer,
                description="`course_has_learners`: the course has learners; edit the question instead.",
            ),
        },
    )
    def delete(self, request, pk):
        quiz = self._quiz(pk)
        course_staff_require(user=request.user, course=quiz.module.course)
        services.quiz_delete(quiz=quiz, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuizReorderView(APIView):
    @extend_schema(
        tags=["quizzes"],
        request=QuizReorderSerializer,
        responses={200: QuizStaffSerializer(many=True)},
        summary="Reorder a module's questions",
        description="Reorder all of a module's questions at once; `order` lists every question id exactly once. "
        "The course's instructor and admins; answers the reordered list.",
    )
    def post(self, request):
        serializer = QuizReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        module = serializer.validated_data["module"]
        course_staff_require(user=request.user, course=module.course)
        quizzes = services.quiz_reorder(module=module, quiz_ids=serializer.validated_data["order"])
        return Response(QuizStaffSerializer(quizzes, many=True).data)


class QuizStatsView(generics.GenericAPIView):
    queryset = Quiz.objects.none()
    serializer_class = QuizStatsSerializer
    filter_backends: list = []

    @extend_schema(
        tags=["quizzes"],
        parameters=[MODULE_PARAM],
        responses={200: QuizStatsSerializer(many=True)},
        summary="Per-question statistics of a module's quiz",
        description="Per question of the module: learners who attempted it and the share who answered correctly, "
        "its difficulty (share of right answers) and discrimination (best 27% of attempts minus worst 27%). "
        "Course instructor and admins only.",
    )
    def get(self, request):
        module = _module_from_query(request)
        course_staff_require(user=request.user, course=module.course)
        page = self.paginate_queryset(selectors.module_quiz_stats(module_id=module.pk))
        analysis = selectors.quiz_item_analysis(module_id=module.pk, quiz_ids=[quiz.pk for quiz in page])
        for quiz in page:
            quiz.difficulty = analysis[quiz.pk]["difficulty"]
            quiz.discrimination = analysis[quiz.pk]["discrimination"]
        return self.get_paginated_response(QuizStatsSerializer(page, many=True).data)


def _module_visible(request, pk) -> Module:
    """The module (with its course) a learner acts on, or 404; its SQL is compiled once for learners."""
    try:
        return module_structure_visible_get(user=request.user, module_id=pk)
    except Module.DoesNotExist:
        raise Http404 from None


class QuizAttemptCreateView(APIView):
    @extend_schema(
        tags=["quizzes"],
        request=QuizAttemptCreateSerializer,
        responses={
            201: QuizAttemptResultSerializer,
            429: OpenApiResponse(
                ErrorSerializer, description="Daily attempt limit for this module reached; see `Retry-After`."
            ),
        },
        summary="Answer a module's quiz in one call",
        description="Enrolled learners (others 403 `not_enrolled`). "
        "Submit one answer per question of the module in one call (modules whose settings draw, "
        "shuffle or time the quiz answer 409 `quiz_requires_start`: use `quiz-attempts/start/`). A module "
        "without questions answers 400 `quiz_empty` (it already counts as passed for course completion). "
        "Results show correctness and explanations only as the module's `reveal` allows.",
    )
    def post(self, request, pk):
        module = _module_visible(request, pk)
        serializer = QuizAttemptCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.quiz_attempt_submit(
            user=request.user, module=module, answers=serializer.validated_data["answers"]
        )
        # QuizAttemptResultSerializer's bytes without its field tree (assessments.representations).
        return Response(attempt_result_representation(attempt), status=status.HTTP_201_CREATED)


class QuizResultListView(generics.ListAPIView):
    serializer_class = QuizAttemptSerializer
    filter_backends: list = []

    @extend_schema(
        tags=["quizzes"],
        summary="My quiz attempts with their results",
        description="Any signed-in user: the caller's own attempts, newest first, optionally of one `module`.",
        parameters=[OptionalModuleQuerySerializer],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = OptionalModuleQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.user_quiz_attempts(user=self.request.user, module_id=params.validated_data.get("module"))


_ATTEMPT_REFUSALS = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="`attempts_exhausted`: the module's max_attempts is used up; `attempt_closed`: the attempt "
        "was already submitted or closed at its deadline.",
    ),
    429: OpenApiResponse(
        ErrorSerializer, description="Daily limit (`rate_limited`) or cooldown (`quiz_cooldown`); see `Retry-After`."
    ),
}


def _attempt_detail(request, attempt_id, status_code: int = status.HTTP_200_OK) -> Response:
    attempt = selectors.quiz_attempt_get(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    return Response(QuizAttemptDetailSerializer(attempt).data, status=status_code)


class QuizAttemptStartView(APIView):
    @extend_schema(
        tags=["quizzes"],
        request=None,
        responses={201: QuizAttemptDetailSerializer, 200: QuizAttemptDetailSerializer, **_ATTEMPT_REFUSALS},
        summary="Start an attempt at a module's quiz",
        description="Enrolled learners (others 403 `not_enrolled`). "
        "Start an attempt: its questions are drawn (`questions_per_attempt`) and their options "
        "shuffled (`shuffle_options`) per the module's settings, fixed for the attempt. While one is open it is "
        "returned again (200) instead. `deadline` is null without a time limit.",
    )
    def post(self, request, pk):
        module = _module_visible(request, pk)
        attempt, created = services.quiz_attempt_start(user=request.user, module=module)
        return _attempt_detail(request, attempt.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuizAttemptDetailView(APIView):
    @extend_schema(
        tags=["quizzes"],
        responses={200: QuizAttemptDetailSerializer},
        summary="One of my attempts",
        description="Only the attempt's learner (404 for anyone else). "
        "One of the caller's attempts: its questions as shown and the saved answers while open; "
        "afterwards the review, under the module's `reveal` policy. An open attempt past its deadline is "
        "closed first (scored on its saved answers).",
    )
    def get(self, request, pk):
        services.quiz_attempt_close_if_overdue(user=request.user, attempt_id=pk)
        return _attempt_detail(request, pk)

    @extend_schema(
        tags=["quizzes"],
        request=QuizAttemptAnswersSerializer,
        responses={200: QuizAttemptDetailSerializer, **_ATTEMPT_REFUSALS},
        summary="Save answers of my open attempt",
        description="Only the attempt's learner (404 for anyone else). "
        "Save answers of an open attempt (positions as the attempt shows the options); each listed "
        "question's answer replaces the saved one.",
    )
    @rate_limit(group="assessments.answers_save", rate=settings.QUIZ_ANSWER_SAVE_RATE)
    def patch(self, request, pk):
        serializer = QuizAttemptAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.quiz_attempt_answers_save(
            user=request.user, attempt_id=pk, answers=serializer.validated_data["answers"]
        )
        return _attempt_detail(request, pk)


class QuizAttemptSubmitView(APIView):
    @extend_schema(
        tags=["quizzes"],
        request=QuizAttemptSubmitSerializer,
        responses={200: QuizAttemptSubmittedSerializer, **_ATTEMPT_REFUSALS},
        summary="Submit my attempt to be judged",
        description="Only the attempt's learner (404 for anyone else). "
        "Submit an open attempt. After its deadline (plus a 30-second grace) only the answers saved "
        "before count. Unanswered questions score 0.",
    )
    def post(self, request, pk):
        serializer = QuizAttemptSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.quiz_attempt_finish(
            user=request.user, attempt_id=pk, answers=serializer.validated_data["answers"]
        )
        # The attempt as judged, with its results and questions: what reading it back would give.
        return Response(attempt_submitted_representation(attempt))


class QuizImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["quizzes"],
        request={"multipart/form-data": QuizImportSerializer},
        responses={201: QuizImportResultSerializer},
        summary="Import questions from CSV",
        description="Append questions to the module from a CSV file, all or nothing: a faulty row answers 400 "
        "with its errors under `rows.N.column` (N = 1-based row after the header) and nothing is created. "
        "At most 500 rows and 1 MB. Course instructor and admins only; `QUIZ_IMPORT_RATE` imports per user "
        "(default 20 an hour), then 429 `rate_limited` with `Retry-After`.",
    )
    def post(self, request, pk):
        module = get_object_or_404(module_structure_visible(user=request.user).select_related("course"), pk=pk)
        course_staff_require(user=request.user, course=module.course)
        enforce_rate_limit(request, group="assessments.import", rate=settings.QUIZ_IMPORT_RATE)
        serializer = QuizImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = services.quiz_csv_rows(content=serializer.validated_data["file"].read())
        quizzes = services.quiz_import(module=module, rows=rows)
        body = {"created": len(quizzes), "questions": QuizStaffSerializer(quizzes, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)
