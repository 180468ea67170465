"""Django admin of the catalog. Review actions, course and curriculum edits, enrollments go through
catalog.services, so the audit log, positions, ``learner_count`` and learners' progress are kept exactly
as over the API. Lesson progress is history written by ``lesson_complete`` (XP, completion,
certificates follow from it), so it is read-only here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.timesince import timesince

from catalog import services
from catalog.models import (
    MODULE_QUIZ_SETTINGS,
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
from common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceRefusalsAsMessages
from common.exceptions import ApplicationError


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Reference data without rules of its own; a domain with courses is protected by its foreign key.
    actions = ["delete_selected"]


class ModuleInline(ReadOnlyInline):
    """Read-only here: order changes go through the module page, which renumbers the siblings."""

    model = Module
    fields = ["position", "title", "pass_mark"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["position"]


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, min_length=3, max_length=2000)


def _run(modeladmin, request, queryset, verb: str, call) -> None:
    done = 0
    for course in queryset:
        try:
            call(course)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{course}: {exc.message}", level=messages.WARNING)
    if done:
        modeladmin.message_user(request, f"{done} course(s) {verb}.", level=messages.SUCCESS)


class HttpsUrlFields:
    """URLs typed without a scheme are https (Django 6's default; silences its deprecation warning)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class PendingReviewFirst(admin.SimpleListFilter):
    """ "Waiting for review" lists the oldest submission first: that is the order staff work in."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for review (oldest first)")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(status=Course.Status.PENDING_REVIEW)
        return queryset


@admin.register(Course)
class CourseAdmin(HttpsUrlFields, ServiceRefusalsAsMessages):
    list_display = [
        "title",
        "instructor",
        "domain",
        "status",
        "waiting_for",
        "price",
        "learner_count",
        "submitted_at",
        "published_at",
    ]
    list_filter = [PendingReviewFirst, "status", "domain", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug", "instructor__email", "instructor__full_name"]
    list_select_related = ["instructor", "domain"]
    autocomplete_fields = ["domain", "instructor"]  # pick people by name or email, never by id
    fields = [
        "instructor",
        "title",
        "slug",
        "domain",
        "description",
        "price",
        "thumbnail_url",
        "status",
        "rejection_reason",
        "submitted_at",
        "published_at",
        "learner_count",
        "created_at",
    ]
    # The slug is made from the title by course_create and never changes (shared links keep working).
    readonly_fields = [
        "slug",
        "status",
        "rejection_reason",
        "submitted_at",
        "published_at",
        "learner_count",
        "created_at",
    ]
    date_hierarchy = "created_at"
    inlines = [ModuleInline]
    # "delete_selected" is listed again on purpose: delete_queryset below deletes through the service.
    actions = ["approve_courses", "reject_courses", "unarchive_courses", "delete_selected"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "instructor":
            kwargs["queryset"] = db_field.related_model.objects.course_owners()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_ordering(self, request):
        # The changelist orders after the filters ran, so the review queue's order is set here.
        if request.GET.get(PendingReviewFirst.parameter_name) == "waiting":
            return ["submitted_at", "title"]
        return super().get_ordering(request)

    def get_readonly_fields(self, request, obj=None):
        # A course never changes hands: its learners, payments and certificates name its instructor.
        return [*self.readonly_fields, "instructor"] if obj else self.readonly_fields

    @admin.display(description="waiting for", ordering="submitted_at")
    def waiting_for(self, course: Course) -> str:
        if course.status != Course.Status.PENDING_REVIEW or course.submitted_at is None:
            return "-"
        return timesince(course.submitted_at, timezone.now())

    @admin.action(description="Approve and publish selected courses")
    def approve_courses(self, request, queryset):
        _run(self, request, queryset, "approved", lambda c: services.course_approve(course=c, actor=request.user))

    @admin.action(description="Unarchive selected courses (published ones return to the catalogue)")
    def unarchive_courses(self, request, queryset):
        _run(self, request, queryset, "unarchived", lambda c: services.course_unarchive(course=c, actor=request.user))

    @admin.action(description="Reject selected courses (asks for a reason)")
    def reject_courses(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _run(
                self,
                request,
                queryset,
                "rejected",
                lambda c: services.course_reject(course=c, actor=request.user, reason=reason),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "courses": queryset,
            "form": form,
            "title": "Reject courses",
        }
        return TemplateResponse(request, "admin/catalog/course/reject.html", context)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.COURSE_EDITABLE_FIELDS}
        if change:
            services.course_update(course=obj, data=data)
        else:
            created = services.course_create(instructor=form.cleaned_data["instructor"], **data)
            obj.pk, obj.slug = created.pk, created.slug

    def delete_model(self, request, obj):
        services.course_delete(course=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for course in queryset:
            services.course_delete(course=course, actor=request.user)


class PositionedForm(forms.ModelForm):
    """Inserting at a taken position is a move the service makes room for, so the model-level
    (parent, position) uniqueness check must not refuse it; the form field still checks position >= 1."""

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "position"}


class LessonInline(ReadOnlyInline):
    model = Lesson
    fields = ["position", "title", "duration_seconds", "is_preview"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["position"]


def _nullable(name: str) -> bool:
    return Module._meta.get_field(name).null


class ModuleForm(PositionedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MODULE_QUIZ_SETTINGS:
            if name in self.fields:
                self.fields[name].required = False  # left empty: the model's default


@admin.register(Module)
class ModuleAdmin(ServiceRefusalsAsMessages):
    form = ModuleForm
    list_display = ["title", "course", "position", "pass_mark"]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    autocomplete_fields = ["course"]
    inlines = [LessonInline]
    actions = ["delete_selected"]  # delete_queryset deletes through the service

    def get_readonly_fields(self, request, obj=None):
        return ["course"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("title", "description", "position", "pass_mark")}
        # Quiz settings left empty keep their defaults (the nullable ones: "no draw / limit").
        data |= {
            name: form.cleaned_data[name]
            for name in MODULE_QUIZ_SETTINGS
            if name in form.cleaned_data and (form.cleaned_data[name] not in (None, "") or _nullable(name))
        }
        if change:
            services.module_update(module=obj, data=data)
        else:
            obj.pk = services.module_create(course=form.cleaned_data["course"], **data).pk

    def delete_model(self, request, obj):
        services.module_delete(module=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for module in queryset.select_related("course"):
            services.module_delete(module=module, actor=request.user)


@admin.register(Lesson)
class LessonAdmin(HttpsUrlFields, ServiceRefusalsAsMessages):
    form = PositionedForm
    list_display = ["title", "module", "position", "duration_seconds", "is_preview"]
    list_filter = ["is_preview"]
    list_select_related = ["module", "module__course"]
    search_fields = ["title", "module__title", "module__course__title"]
    autocomplete_fields = ["module"]
    actions = ["delete_selected"]  # delete_queryset deletes through the service

    def get_readonly_fields(self, request, obj=None):
        return ["module"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in (*services.LESSON_EDITABLE_FIELDS, "position")}
        if change:
            services.lesson_update(lesson=obj, data=data)
        else:
            obj.pk = services.lesson_create(module=form.cleaned_data["module"], **data).pk

    def delete_model(self, request, obj):
        services.lesson_delete(lesson=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for lesson in queryset.select_related("module"):
            services.lesson_delete(lesson=lesson, actor=request.user)


class EnrollmentGrantForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["user", "course"]

    def _get_validation_exclusions(self):
        # "One enrollment per user and course" is not an error here: enrollment_grant reactivates a revoked
        # enrollment and leaves an active one as it is.
        return {*super()._get_validation_exclusions(), "user", "course"}


class RevokeEnrollmentForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, min_length=3, max_length=255)


@admin.register(Enrollment)
class EnrollmentAdmin(ServiceRefusalsAsMessages):
    """Adding grants access through ``enrollment_grant`` (source "admin", ``learner_count`` kept);
    access is taken away with the revoke action. Progress fields are the services' to keep."""

    list_display = ["user", "course", "source", "status", "progress_percent", "completed_at", "created_at"]
    list_filter = ["status", "source", ("completed_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["user", "course"]
    search_fields = ["user__email", "user__full_name", "course__title"]
    autocomplete_fields = ["user", "course"]
    fields = [
        "user",
        "course",
        "source",
        "status",
        "progress_percent",
        "completed_lessons",
        "last_lesson",
        "completed_at",
        "revoked_at",
        "revoke_reason",
        "created_at",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"
    actions = ["revoke_enrollments"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EnrollmentGrantForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.fields if obj else ["user", "course"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: progress and history are kept

    def save_model(self, request, obj, form, change):
        enrollment, _ = services.enrollment_grant(
            user=form.cleaned_data["user"], course=form.cleaned_data["course"], source=Enrollment.Source.ADMIN
        )
        obj.pk = enrollment.pk

    @admin.action(description="Revoke access to the course (asks for a reason)")
    def revoke_enrollments(self, request, queryset):
        form = RevokeEnrollmentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            revoked = 0
            for enrollment in queryset.filter(status=Enrollment.Status.ACTIVE):
                services.enrollment_revoke(enrollment=enrollment, reason=form.cleaned_data["reason"])
                revoked += 1
            self.message_user(request, f"{revoked} enrollment(s) revoked.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke enrollments",
            "objects": queryset.select_related("user", "course"),
            "form": form,
            "action": "revoke_enrollments",
            "submit_label": "Revoke",
        }
        return TemplateResponse(request, "admin/action_with_reason.html", context)


@admin.register(LessonProgress)
class LessonProgressAdmin(ReadOnlyAdmin):
    """History written by ``lesson_complete`` (XP, course completion, certificates follow from it)."""

    list_display = ["user", "lesson", "course", "completed_at"]
    list_filter = ["completed_at"]
    list_select_related = ["user", "lesson", "course"]
    search_fields = ["user__email", "user__full_name", "lesson__title", "course__title"]
    date_hierarchy = "completed_at"
    fields = readonly_fields = ["user", "lesson", "course", "completed_at"]


@admin.register(WishlistItem)
class WishlistItemAdmin(ReadOnlyAdmin):
    """Learners' saved courses, for support questions; learners manage them themselves."""

    list_display = ["user", "course", "created_at"]
    search_fields = ["user__email", "course__title"]
    list_select_related = ["user", "course"]
    raw_id_fields = ["user", "course"]


@admin.register(ModuleQuizPass)
class ModuleQuizPassAdmin(ReadOnlyAdmin):
    """History written when a learner first passes a module's quiz (course completion reads it)."""

    list_display = ["user", "module", "course", "passed_at"]
    list_filter = ["passed_at"]
    list_select_related = ["user", "module", "course"]
    search_fields = ["user__email", "user__full_name", "module__title", "course__title"]
    date_hierarchy = "passed_at"
    fields = readonly_fields = ["user", "module", "course", "passed_at"]


@admin.register(LessonPosition)
class LessonPositionAdmin(ReadOnlyAdmin):
    """Where learners stopped in lesson videos (written only by the player's position reports)."""

    list_display = ["updated_at", "user", "course", "lesson", "position_seconds"]
    search_fields = ["user__email", "course__title", "lesson__title"]
    list_select_related = ["user", "course", "lesson"]
    date_hierarchy = "updated_at"
    show_full_result_count = False
