"""Django admin of the catalog. Review actions and curriculum edits go through catalog.services, so the
audit log, positions and learners' progress are kept exactly as over the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from catalog import services
from catalog.models import Course, Domain, Enrollment, Lesson, LessonProgress, Module
from common.exceptions import ApplicationError


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ModuleInline(admin.TabularInline):
    """Read-only here: order changes go through the module page, which renumbers the siblings."""

    model = Module
    fields = ["position", "title", "pass_mark"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["position"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "instructor", "domain", "status", "price", "learner_count", "submitted_at", "published_at"]
    list_filter = ["status", "domain"]
    search_fields = ["title", "slug", "instructor__email", "instructor__full_name"]
    list_select_related = ["instructor", "domain"]
    autocomplete_fields = ["domain"]
    raw_id_fields = ["instructor"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "rejection_reason", "submitted_at", "published_at", "learner_count", "created_at"]
    date_hierarchy = "created_at"
    inlines = [ModuleInline]
    actions = ["approve_courses", "reject_courses", "unarchive_courses"]

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

    def delete_model(self, request, obj):
        services.course_delete(course=obj)


class PositionedForm(forms.ModelForm):
    """Inserting at a taken position is a move the service makes room for, so the model-level
    (parent, position) uniqueness check must not refuse it; the form field still checks position >= 1."""

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "position"}


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["position", "title", "duration_seconds", "is_preview"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["position"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    form = PositionedForm
    list_display = ["title", "course", "position", "pass_mark"]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    autocomplete_fields = ["course"]
    inlines = [LessonInline]

    def get_readonly_fields(self, request, obj=None):
        return ["course"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("title", "description", "position", "pass_mark")}
        if change:
            services.module_update(module=obj, data=data)
        else:
            obj.pk = services.module_create(course=form.cleaned_data["course"], **data).pk

    def delete_model(self, request, obj):
        services.module_delete(module=obj)

    def delete_queryset(self, request, queryset):
        for module in queryset.select_related("course"):
            services.module_delete(module=module)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = PositionedForm
    list_display = ["title", "module", "position", "duration_seconds", "is_preview"]
    list_filter = ["is_preview"]
    list_select_related = ["module", "module__course"]
    search_fields = ["title", "module__title", "module__course__title"]
    autocomplete_fields = ["module"]

    def get_readonly_fields(self, request, obj=None):
        return ["module"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in (*services.LESSON_EDITABLE_FIELDS, "position")}
        if change:
            services.lesson_update(lesson=obj, data=data)
        else:
            obj.pk = services.lesson_create(module=form.cleaned_data["module"], **data).pk

    def delete_model(self, request, obj):
        services.lesson_delete(lesson=obj)

    def delete_queryset(self, request, queryset):
        for lesson in queryset.select_related("module"):
            services.lesson_delete(lesson=lesson)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "source", "status", "progress_percent", "completed_at", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["user", "course"]
    search_fields = ["user__email", "user__full_name", "course__title"]
    raw_id_fields = ["user", "last_lesson"]
    autocomplete_fields = ["course"]
    readonly_fields = ["progress_percent", "completed_lessons", "completed_at", "revoked_at", "created_at"]
    date_hierarchy = "created_at"


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "course", "completed_at"]
    list_select_related = ["user", "lesson", "course"]
    search_fields = ["user__email", "lesson__title", "course__title"]
    raw_id_fields = ["user", "lesson", "course"]
    date_hierarchy = "completed_at"
