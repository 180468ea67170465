"""Reads of the catalog: who sees which course, the catalogue with its figures, curricula and progress.

Every list is built so its query count does not grow with the number of rows: per-course figures are
correlated subqueries (no JOIN fan-out), children come from ``prefetch_related``.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import router
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Least
from django.db.models.query import MAX_GET_RESULTS

from catalog.models import (
    Course,
    Domain,
    Enrollment,
    Lesson,
    LessonPosition,
    LessonProgress,
    Module,
    ModuleQuizPass,
    WishlistItem,
)
from catalog.permissions import course_staff_q, course_visibility_q, is_course_staff
from catalog.representations import ENROLLMENT_ROW_FIELDS
from catalog.search import title_suggestions
from common.pagination import DefaultPagination
from common.precompiled import PrecompiledQuery, PrecompiledRows, get_one
from common.rows import instance_with_related, select_related_values


def active_enrollment_get(*, user, course_id: UUID) -> Enrollment | None:
    """``Enrollment.objects.filter(user=user, course_id=course_id, status=ACTIVE).first()``, compiled once."""
    if not user.is_authenticated:
        return None
    found = _ACTIVE_ENROLLMENT.instances(user.pk, course_id, using=_ACTIVE_ENROLLMENT.db_for_read(), limit=1)
    return found[0] if found else None


# first()'s SQL: the model's ordering, one row.
_ACTIVE_ENROLLMENT = PrecompiledQuery(
    lambda user_id, course_id: Enrollment.objects.filter(
        user_id=user_id, course_id=course_id, status=Enrollment.Status.ACTIVE
    ),
    placeholder=UUID(int=0),
    field=Enrollment._meta.get_field("user"),
    also=((UUID(int=1), Enrollment._meta.get_field("course")),),
)


def has_active_enrollment(*, user, course_id) -> bool:
    """Whether a signed-in ``user`` learns in the course now (one query, compiled once)."""
    return active_enrollment_get(user=user, course_id=course_id) is not None


def has_content_access(*, user, course: Course) -> bool:
    """Who may see lesson content and quizzes: active learners, the course's instructor and admins."""
    if is_course_staff(user=user, course=course):
        return True
    return active_enrollment_get(user=user, course_id=course.pk) is not None


# --- building blocks ----------------------------------------------------------------------------


def _int_subquery(queryset: QuerySet, aggregate) -> Coalesce:
    return Coalesce(Subquery(queryset.annotate(v=aggregate).values("v")[:1], output_field=IntegerField()), Value(0))


def _active_enrollment_exists(user_id: UUID, course_ref: str = "pk") -> Exists:
    return Exists(
        Enrollment.objects.filter(user_id=user_id, course_id=OuterRef(course_ref), status=Enrollment.Status.ACTIVE)
    )


def courses_with_figures(queryset: QuerySet[Course] | None = None) -> QuerySet[Course]:
    """Courses with domain, instructor and their module/lesson counts, total duration, in one query."""
    queryset = Course.objects.all() if queryset is None else queryset
    lessons = Lesson.objects.filter(module__course_id=OuterRef("pk")).order_by().values("module__course_id")
    modules = Module.objects.filter(course_id=OuterRef("pk")).order_by().values("course_id")
    return queryset.select_related("domain", "instructor").annotate(
        module_count=_int_subquery(modules, Count("pk")),
        lesson_count=_int_subquery(lessons, Count("pk")),
        total_duration_seconds=_int_subquery(lessons, Sum("duration_seconds")),
    )


# --- courses --------------------------------------------------------------------------------------


def course_list_visible(*, user) -> QuerySet[Course]:
    """Every course ``user`` may see, in any status (catalog.permissions.course_visibility_q)."""
    return Course.objects.filter(course_visibility_q(user))


def module_structure_visible(*, user) -> QuerySet[Module]:
    """Modules of the courses ``user`` may see, with their course, for routes that act on one module."""
    return Module.objects.select_related("course").filter(course__in=course_list_visible(user=user))


def lesson_structure_visible(*, user) -> QuerySet[Lesson]:
    """Lessons of the courses ``user`` may see (the lesson exists for them; its content may still be closed)."""
    return Lesson.objects.select_related("module__course").filter(module__course__in=course_list_visible(user=user))


def domain_list() -> QuerySet[Domain]:
    return Domain.objects.order_by("name")


def _wishlist_items(user_id: UUID) -> QuerySet[WishlistItem]:
    """The viewer's saved courses they are not enrolled in: enrolling takes a course off the wishlist (a row is
    kept, so the course comes back if the enrollment is revoked) without another write in enrollment_grant."""
    return WishlistItem.objects.filter(~_active_enrollment_exists(user_id, "course_id"), user_id=user_id)


def _wishlisted(user_id: UUID, *course_ids: UUID) -> QuerySet[WishlistItem]:
    return _wishlist_items(user_id).filter(course_id__in=course_ids).values("course_id")


# Which of a page's courses are on the viewer's wishlist (a signed-in catalogue page or course page), compiled once
# per number of courses (common.precompiled); a page holds at most max_page_size, a longer list takes the ORM.
_WISHLISTED: dict[int, PrecompiledQuery] = {}


def _wishlisted_query(count: int) -> PrecompiledQuery:
    query = _WISHLISTED.get(count)
    if query is None:
        course = WishlistItem._meta.get_field("course")
        query = _WISHLISTED.setdefault(
            count,
            PrecompiledQuery(
                _wishlisted,
                placeholder=UUID(int=0),
                field=WishlistItem._meta.get_field("user"),
                also=tuple((UUID(int=2 * index), course) for index in range(1, count + 1)),  # distinct, even
            ),
        )
    return query


def _with_wishlist(queryset: QuerySet[Course], user) -> QuerySet[Course]:
    """``in_wishlist`` for a signed-in viewer, as one ``EXISTS`` in the same query (no query per course)."""
    if not user.is_authenticated:
        return queryset
    return queryset.annotate(in_wishlist=Exists(_wishlist_items(user.pk).filter(course_id=OuterRef("pk"))))


def wishlist_course_ids(*, user, course_ids: list[str]) -> set[str]:
    """Which of ``course_ids`` the signed-in viewer has saved: ``in_wishlist`` laid over a cached page (one
    query, none for an empty page)."""
    if not course_ids:
        return set()
    if len(course_ids) <= DefaultPagination.max_page_size:
        query = _wishlisted_query(len(course_ids))
        saved = [row[0] for row in query.rows(user.pk, *course_ids, using=query.db_for_read())]
    else:
        saved = _wishlisted(user.pk, *course_ids).values_list("course_id", flat=True)
    return {str(course_id) for course_id in saved}


def course_catalogue(*, user) -> QuerySet[Course]:
    """The public catalogue: published courses, newest first (filters and ordering come from the API)."""
    courses = courses_with_figures(Course.objects.published()).order_by("-published_at", "-created_at", "pk")
    return _with_wishlist(courses, user)


def wishlist_list(*, user) -> QuerySet[WishlistItem]:
    """The learner's saved courses, newest first, without those they have since enrolled in (one query per page)."""
    return (
        _wishlist_items(user.pk)
        .select_related("course", "course__domain", "course__instructor")
        .order_by("-created_at", "pk")
    )


# Facet bands of the catalogue: (key, lower bound inclusive, upper bound exclusive or None).
PRICE_BANDS = [("free", 0, 1), ("under_500", 1, 500), ("500_to_1999", 500, 2000), ("2000_plus", 2000, None)]
# Cumulative, as shoppers read them: "4 & up" includes 4.5.
RATING_BANDS = [("4.5_plus", "4.5"), ("4_plus", "4.0"), ("3.5_plus", "3.5"), ("3_plus", "3.0")]
HOUR = 3600
DURATION_BANDS = [
    ("under_1h", 0, HOUR),
    ("1_to_3h", HOUR, 3 * HOUR),
    ("3_to_6h", 3 * HOUR, 6 * HOUR),
    ("6_to_17h", 6 * HOUR, 17 * HOUR),
    ("17h_plus", 17 * HOUR, None),
]


def _band_q(field: str, low, high) -> Q:
    condition = Q(**{f"{field}__gte": low})
    return condition & Q(**{f"{field}__lt": high}) if high is not None else condition


def course_facets(queryset: QuerySet[Course]) -> dict:
    """Counts of the (already filtered) catalogue per domain, free/paid, price, rating and duration band, in
    two queries: one aggregate with a filtered COUNT per band, one GROUP BY domain."""
    queryset = queryset.order_by()
    aggregates = {
        "total": Count("pk"),
        "free": Count("pk", filter=Q(price=0)),
        "paid": Count("pk", filter=Q(price__gt=0)),
    }
    for key, low, high in PRICE_BANDS:
        aggregates[f"price:{key}"] = Count("pk", filter=_band_q("price", low, high))
    for key, low in RATING_BANDS:
        aggregates[f"rating:{key}"] = Count("pk", filter=Q(rating_count__gt=0, rating_average__gte=low))
    for key, low, high in DURATION_BANDS:
        aggregates[f"duration:{key}"] = Count("pk", filter=_band_q("total_duration_seconds", low, high))
    counts = queryset.aggregate(**aggregates)
    domains = (
        queryset.values("domain__slug", "domain__name").annotate(count=Count("pk")).order_by("-count", "domain__name")
    )
    return {
        "total": counts["total"],
        "domains": [{"slug": d["domain__slug"], "name": d["domain__name"], "count": d["count"]} for d in domains],
        "is_free": {"free": counts["free"], "paid": counts["paid"]},
        "price_bands": [{"key": key, "count": counts[f"price:{key}"]} for key, *_ in PRICE_BANDS],
        "rating_bands": [{"key": key, "count": counts[f"rating:{key}"]} for key, _ in RATING_BANDS],
        "duration_bands": [{"key": key, "count": counts[f"duration:{key}"]} for key, *_ in DURATION_BANDS],
    }


def course_title_suggestions(*, text: str) -> QuerySet[Course]:
    """Up to 8 published courses completing ``text`` for a search box (one query; catalog.search)."""
    return title_suggestions(Course.objects.published().only("pk", "title", "slug"), text)


def course_visible_get(*, user, course_id: UUID) -> Course | None:
    """A course with its figures if ``user`` may see it; ``viewer_has_access`` says whether they may open
    the content (owner, admin or active learner), computed in the same query."""
    queryset = courses_with_figures(Course.objects.filter(course_visibility_q(user), pk=course_id))
    if user.is_authenticated:
        queryset = _with_wishlist(queryset, user).annotate(viewer_enrolled=_active_enrollment_exists(user.pk))
    course = queryset.first()
    if course is not None:
        course.viewer_has_access = is_course_staff(user=user, course=course) or getattr(
            course, "viewer_enrolled", False
        )
    return course


def course_list_for_instructor(*, user) -> QuerySet[Course]:
    """The caller's own courses while they are course staff of them (nothing once demoted)."""
    own = Course.objects.filter(course_staff_q(user), instructor_id=user.pk)
    return courses_with_figures(own).order_by("-created_at", "pk")


def course_review_queue() -> QuerySet[Course]:
    """Every course for the admin review, oldest submission first."""
    return courses_with_figures().order_by("submitted_at", "created_at", "pk")


def _modules_with_lessons(course_ref: str = "course") -> Prefetch:
    modules = Module.objects.order_by("position")
    return Prefetch(
        "modules",
        queryset=modules.prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("position"))),
    )


def course_curriculum_get(*, user, course_id: UUID) -> Course | None:
    """A visible course with its modules and lessons in order (3 queries), or None."""
    course = course_visible_get(user=user, course_id=course_id)
    if course is None:
        return None
    prefetch_related_objects([course], _modules_with_lessons())
    return course


# --- modules and lessons ---------------------------------------------------------------------------


def module_list_visible(*, user) -> QuerySet[Module]:
    """Modules of courses the user may see (titles and order only, no content)."""
    lessons = Lesson.objects.filter(module_id=OuterRef("pk")).order_by().values("module_id")
    return (
        Module.objects.filter(course__in=course_list_visible(user=user))
        .annotate(lesson_count=_int_subquery(lessons, Count("pk")))
        .order_by("course_id", "position")
    )


def lesson_list_visible(*, user) -> QuerySet[Lesson]:
    """Lessons whose content the user may open: owner and admins, active learners, and previews of
    published courses for anyone."""
    queryset = Lesson.objects.select_related("module").order_by("module__course_id", "module__position", "position")
    preview = Q(is_preview=True, module__course__status=Course.Status.PUBLISHED)
    if not user.is_authenticated:
        return queryset.filter(preview)
    learner = Exists(
        Enrollment.objects.filter(
            user_id=user.pk, course_id=OuterRef("module__course_id"), status=Enrollment.Status.ACTIVE
        )
    )
    return queryset.filter(preview | course_staff_q(user, "module__course__") | learner)


# --- enrollments and progress ----------------------------------------------------------------------


def _enrollments_with_total_lessons(*, user) -> QuerySet[Enrollment]:
    return _enrollments_with_total_lessons_of(user.pk)


def _enrollments_with_total_lessons_of(user_id: UUID) -> QuerySet[Enrollment]:
    lessons = Lesson.objects.filter(module__course_id=OuterRef("course_id")).order_by().values("module__course_id")
    return (
        Enrollment.objects.filter(user_id=user_id)
        .annotate(total_lessons=_int_subquery(lessons, Count("pk")))
        .order_by("-created_at", "pk")
    )


def enrollment_list_for_user(*, user) -> QuerySet[Enrollment]:
    """The learner's courses with progress figures, newest enrollment first (one query per page)."""
    return _enrollments_with_total_lessons(user=user).select_related(
        "course", "course__domain", "course__instructor", "last_lesson", "last_lesson__module"
    )


_ENROLLMENT_ROWS = PrecompiledQuery(
    lambda user_id: _enrollments_with_total_lessons_of(user_id).values(*ENROLLMENT_ROW_FIELDS),
    placeholder=UUID(int=0),
    field=Enrollment._meta.get_field("user"),
)


def enrollment_rows_for_user(*, user) -> PrecompiledRows:
    """``enrollment_list_for_user`` as flat rows of only the columns the list shows (one query per page):
    no instructor row (password hash and all), no join to the last lesson's module (its id is on the
    lesson), no model instances. Shaped by ``catalog.representations.enrollment_representation``; the first
    page's SQL is compiled once (``common.precompiled``)."""
    return PrecompiledRows(_ENROLLMENT_ROWS, user.pk)


@dataclass(frozen=True)
class _LearnerViewer:
    """Stands for any signed-in user who is neither admin nor instructor when a visibility filter is compiled:
    ``course_visibility_q`` has one shape for all of them, with their id as its only value."""

    pk: UUID
    is_authenticated: bool = True
    is_admin: bool = False
    is_instructor: bool = False


def _is_learner_viewer(user) -> bool:
    return user.is_authenticated and not user.is_admin and not user.is_instructor


LESSON_STRUCTURE_RELATED = ("module", "module__course")
MODULE_STRUCTURE_RELATED = ("course",)

# lesson_structure_visible(user).get(pk=lesson_id) for a learner, compiled once: get()'s SQL (no ordering,
# at most MAX_GET_RESULTS rows). The same for modules.
_LESSON_FOR_LEARNER = PrecompiledQuery(
    lambda lesson_id, user_id: (
        Lesson.objects.filter(module__course__in=course_list_visible(user=_LearnerViewer(pk=user_id)), pk=lesson_id)
        .order_by()
        .values(*select_related_values(Lesson, LESSON_STRUCTURE_RELATED))
    ),
    placeholder=UUID(int=0),
    field=Lesson._meta.pk,
    also=((UUID(int=1), Enrollment._meta.get_field("user")),),
)
_MODULE_FOR_LEARNER = PrecompiledQuery(
    lambda module_id, user_id: (
        Module.objects.filter(course__in=course_list_visible(user=_LearnerViewer(pk=user_id)), pk=module_id)
        .order_by()
        .values(*select_related_values(Module, MODULE_STRUCTURE_RELATED))
    ),
    placeholder=UUID(int=0),
    field=Module._meta.pk,
    also=((UUID(int=1), Enrollment._meta.get_field("user")),),
)


def _learner_get(query: PrecompiledQuery, related: tuple[str, ...], pk, user):
    using = query.db_for_read()
    found = get_one(query.dicts(pk, user.pk, using=using, limit=MAX_GET_RESULTS), query.model)
    return instance_with_related(found, query.model, related, using)


def lesson_structure_visible_get(*, user, lesson_id) -> Lesson:
    """``lesson_structure_visible(user=user).get(pk=lesson_id)`` (its module and course loaded, the same
    exceptions); for learners the SQL is compiled once per process (``common.precompiled``)."""
    if not _is_learner_viewer(user):
        return lesson_structure_visible(user=user).get(pk=lesson_id)
    return _learner_get(_LESSON_FOR_LEARNER, LESSON_STRUCTURE_RELATED, lesson_id, user)


def module_structure_visible_get(*, user, module_id) -> Module:
    """``module_structure_visible(user=user).get(pk=module_id)`` (its course loaded, the same exceptions); for
    learners the SQL is compiled once per process (``common.precompiled``)."""
    if not _is_learner_viewer(user):
        return module_structure_visible(user=user).get(pk=module_id)
    return _learner_get(_MODULE_FOR_LEARNER, MODULE_STRUCTURE_RELATED, module_id, user)


ENROLLMENT_LIST_RELATED = ("course", "course__domain", "course__instructor", "last_lesson", "last_lesson__module")

# enrollment_list_for_user(user).select_for_update(of=("self",)).filter(course_id=.., status=ACTIVE).first(),
# compiled once.
_ENROLLMENT_FOR_PROGRESS = PrecompiledQuery(
    lambda user_id, course_id: (
        _enrollments_with_total_lessons_of(user_id)
        .select_for_update(of=("self",))
        .filter(course_id=course_id, status=Enrollment.Status.ACTIVE)
        .values(*select_related_values(Enrollment, ENROLLMENT_LIST_RELATED), "total_lessons")
    ),
    placeholder=UUID(int=0),
    field=Enrollment._meta.get_field("user"),
    also=((UUID(int=1), Enrollment._meta.get_field("course")),),
)


def enrollment_lock_for_progress(*, user, course_id: UUID) -> Enrollment | None:
    """``user``'s active enrollment in the course, row-locked (only the enrollment's row), loaded as
    ``enrollment_list_for_user`` loads it (course, its domain and instructor, last lesson and its module,
    ``total_lessons``): what a progress write changes and answers with. One statement, compiled once."""
    using = router.db_for_write(Enrollment)
    rows = _ENROLLMENT_FOR_PROGRESS.dicts(user.pk, course_id, using=using, limit=1)
    if not rows:
        return None
    enrollment = instance_with_related(rows[0], Enrollment, ENROLLMENT_LIST_RELATED, using)
    enrollment.total_lessons = rows[0]["total_lessons"]
    return enrollment


# How many lessons of a course a learner has done (lesson_complete counts them under the enrollment lock).
_LESSONS_DONE = PrecompiledQuery(
    lambda user_id, course_id: (
        LessonProgress.objects.filter(user_id=user_id, course_id=course_id)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    placeholder=UUID(int=0),
    field=LessonProgress._meta.get_field("user"),
    also=((UUID(int=1), LessonProgress._meta.get_field("course")),),
)


def lessons_done_count(*, user, course_id: UUID) -> int:
    """``LessonProgress.objects.filter(user=user, course_id=course_id).count()``, compiled once."""
    rows = _LESSONS_DONE.rows(user.pk, course_id, using=_LESSONS_DONE.db_for_read())
    return rows[0][0] if rows else 0


def enrollment_lock_with_lessons_values(*, user_id, course_id) -> QuerySet:
    """``user_id``'s active enrollment in ``course_id`` row-locked (only its row), as ``.values()`` of its columns
    and the course's ``total_lessons``: for another app's precompiled lock whose course is an expression (the
    course of an attempt's module). Rebuilt by ``enrollment_from_lock_row``."""
    return (
        _enrollments_with_total_lessons_of(user_id)
        .select_for_update(of=("self",))
        .filter(course_id=course_id, status=Enrollment.Status.ACTIVE)
        .order_by("pk")
        .values(*select_related_values(Enrollment, ()), "total_lessons")
    )


def enrollment_from_lock_row(row: dict, using: str) -> Enrollment:
    """The enrollment of a row of ``enrollment_lock_with_lessons_values``, ``total_lessons`` set on it."""
    enrollment = instance_with_related(row, Enrollment, (), using)
    enrollment.total_lessons = row["total_lessons"]
    return enrollment


# A learner's active enrollment in a course, row-locked (catalog.services.enrollment_lock), compiled once:
# first()'s SQL (ordered by primary key, one row), with the course's lesson count completion compares with.
_ENROLLMENT_LOCK = PrecompiledQuery(
    lambda user_id, course_id: enrollment_lock_with_lessons_values(user_id=user_id, course_id=course_id),
    placeholder=UUID(int=0),
    field=Enrollment._meta.get_field("user"),
    also=((UUID(int=1), Enrollment._meta.get_field("course")),),
)


def enrollment_locked_get(*, user, course_id: UUID) -> Enrollment | None:
    """``Enrollment.objects.select_for_update().filter(user=user, course_id=course_id, status=ACTIVE).first()``,
    ``total_lessons`` set on it."""
    using = router.db_for_write(Enrollment)
    rows = _ENROLLMENT_LOCK.dicts(user.pk, course_id, using=using, limit=1)
    return enrollment_from_lock_row(rows[0], using) if rows else None


# A learner's enrollment in a course in any status, row-locked (catalog.services.enrollment_grant), compiled once:
# first()'s SQL (the model's ordering, one row).
_ENROLLMENT_ANY_LOCK = PrecompiledQuery(
    lambda user_id, course_id: Enrollment.objects.select_for_update().filter(user_id=user_id, course_id=course_id),
    placeholder=UUID(int=0),
    field=Enrollment._meta.get_field("user"),
    also=((UUID(int=1), Enrollment._meta.get_field("course")),),
)


def enrollment_any_locked_get(*, user, course_id: UUID) -> Enrollment | None:
    """``Enrollment.objects.select_for_update().filter(user=user, course_id=course_id).first()``."""
    found = _ENROLLMENT_ANY_LOCK.instances(user.pk, course_id, using=router.db_for_write(Enrollment), limit=1)
    return found[0] if found else None


# How many lessons a course has (completion compares it with the lessons done).
_COURSE_LESSON_COUNT = PrecompiledQuery(
    lambda course_id: (
        Lesson.objects.filter(module__course_id=course_id)
        .order_by()
        .values("module__course_id")
        .annotate(n=Count("pk"))
        .values("n")
    ),
    placeholder=UUID(int=0),
    field=Lesson._meta.pk,  # the course's id is a UUID prepared like any (the field must be the lesson's model's)
)


def course_lesson_count(*, course_id: UUID) -> int:
    """``Lesson.objects.filter(module__course_id=course_id).count()``, compiled once."""
    rows = _COURSE_LESSON_COUNT.rows(course_id, using=_COURSE_LESSON_COUNT.db_for_read())
    return rows[0][0] if rows else 0


def enrollment_progress_get(*, user, course_id: UUID) -> tuple[Enrollment, dict[UUID, LessonProgress]] | None:
    """One enrollment with its course's modules and lessons in order, and the learner's ticks (4 queries)."""
    enrollment = (
        enrollment_list_for_user(user=user)
        .filter(course_id=course_id)
        .prefetch_related(
            Prefetch("course__modules", queryset=Module.objects.order_by("position")),
            Prefetch("course__modules__lessons", queryset=Lesson.objects.order_by("position")),
        )
        .first()
    )
    if enrollment is None:
        return None
    ticks = {p.lesson_id: p for p in LessonProgress.objects.filter(user_id=user.pk, course_id=course_id)}
    return enrollment, ticks


def courses_with_stale_progress(*, limit: int = 200) -> list[UUID]:
    """Courses where an enrollment's progress figures disagree with its progress rows or the lesson count:
    a recount (``course_progress_recompute``) that was lost with the broker. One query."""
    done = (
        LessonProgress.objects.filter(user=OuterRef("user"), course=OuterRef("course"))
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    total = (
        Lesson.objects.filter(module__course=OuterRef("course"))
        .order_by()
        .values("module__course")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    stale = (
        Enrollment.objects.annotate(
            done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
            total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        )
        .filter(
            ~Q(completed_lessons=F("done"))
            | (Q(total=0) & ~Q(progress_percent=0))
            | (Q(total__gt=0) & ~Q(progress_percent=Least(Value(100), F("completed_lessons") * 100 / F("total"))))
        )
        .order_by()
        .values_list("course_id", flat=True)
        .distinct()
    )
    return list(stale[:limit])


def unpassed_quiz_module_ids(*, user, course_id: UUID) -> set[UUID]:
    """Modules of the course that have quiz questions and that ``user`` has not yet passed.

    A module without questions counts as passed, so it never appears here.
    """
    passed = ModuleQuizPass.objects.filter(user_id=user.pk, course_id=course_id).values("module_id")
    return set(
        Module.objects.filter(course_id=course_id, quiz_question_count__gt=0)
        .exclude(pk__in=passed)
        .values_list("pk", flat=True)
    )


# --- continue where you left off ---------------------------------------------------------------


def lesson_for_position(*, user, lesson_id: UUID) -> Lesson | None:
    """The lesson (if ``user`` may see it) with ``enrolled``: whether they learn in its course. One query."""
    active = Enrollment.objects.filter(
        user=user, course_id=OuterRef("module__course_id"), status=Enrollment.Status.ACTIVE
    )
    return lesson_structure_visible(user=user).annotate(enrolled=Exists(active)).filter(pk=lesson_id).first()


def continue_list(*, user) -> QuerySet[Enrollment]:
    """Per active enrollment, the lesson to resume (``resume_lesson_id``) and where (``resume_seconds``),
    most recently watched course first. One query (subqueries per row, each an index lookup).

    The lesson is the one last watched (its saved position), unless it has been completed since: then the
    first lesson not yet completed in curriculum order, at its saved position or 0. None when every lesson
    is done.
    """
    positions = LessonPosition.objects.filter(user=user)
    latest = positions.filter(course_id=OuterRef("course_id")).order_by("-updated_at")
    done = LessonProgress.objects.filter(user=user)
    first_open = (
        Lesson.objects.filter(module__course_id=OuterRef("course_id"))
        .exclude(Exists(done.filter(lesson_id=OuterRef("pk"))))
        .order_by("module__position", "position")
    )
    watched_done = Exists(done.filter(lesson_id=OuterRef("watched_lesson_id")))
    return (
        Enrollment.objects.filter(user=user, status=Enrollment.Status.ACTIVE)
        .select_related("course")
        .annotate(
            watched_lesson_id=Subquery(latest.values("lesson_id")[:1], output_field=UUIDField()),
            watched_seconds=Subquery(latest.values("position_seconds")[:1]),
            last_watched_at=Subquery(latest.values("updated_at")[:1]),
            next_lesson_id=Subquery(first_open.values("pk")[:1], output_field=UUIDField()),
        )
        .annotate(
            resume_lesson_id=Case(
                When(Q(watched_lesson_id__isnull=False) & ~watched_done, then=F("watched_lesson_id")),
                default=F("next_lesson_id"),
                output_field=UUIDField(),
            ),
        )
        .annotate(
            resume_seconds=Case(
                When(Q(watched_lesson_id__isnull=False) & ~watched_done, then=F("watched_seconds")),
                default=Coalesce(
                    Subquery(positions.filter(lesson_id=OuterRef("next_lesson_id")).values("position_seconds")[:1]),
                    Value(0),
                ),
            ),
        )
        .order_by(F("last_watched_at").desc(nulls_last=True), "-created_at", "pk")
    )


def lessons_by_id(*, lesson_ids: list[UUID]) -> dict[UUID, Lesson]:
    return {lesson.pk: lesson for lesson in Lesson.objects.select_related("module").filter(pk__in=lesson_ids)}
