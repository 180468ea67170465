"""Django admin for quizzes. Writes go through assessments.services, so positions stay gap-free
exactly as over the API; attempts and results are history and therefore read-only.

``QuizInline`` is meant for catalog's ``ModuleAdmin`` (``inlines = [QuizInline]``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from assessments import services
from assessments.models import ATTEMPT_OUTCOME_FIELDS, QUIZ_CONTENT_FIELDS, Quiz, QuizAttempt, QuizResult
from common.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceRefusalsAsMessages

_CONTENT_FIELDS = QUIZ_CONTENT_FIELDS


def _type_optional(form) -> None:
    # ``type`` may be left out: a question is single choice unless said otherwise (the model's default).
    if "type" in form.fields:
        form.fields["type"].required = False


def _content(form) -> dict:
    data = {field: form.cleaned_data.get(field) for field in _CONTENT_FIELDS}
    data["type"] = data["type"] or Quiz.Type.SINGLE
    data["partial_credit"] = bool(data["partial_credit"])
    return data


class QuizForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _type_optional(self)


class QuizInlineFormSet(BaseInlineFormSet):
    """Saves through the services: new questions are appended, deleted ones close their gap."""

    actor = None  # the signed-in admin, set by QuizInline.get_formset (deletions are audited)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        _type_optional(form)

    def save_new(self, form, commit=True):
        return services.quiz_create(module=self.instance, **_content(form))

    def save_existing(self, form, obj, commit=True):
        return services.quiz_update(quiz=obj, data=_content(form))

    def delete_existing(self, obj, commit=True):
        services.quiz_delete(quiz=obj, actor=self.actor)


class QuizInline(admin.TabularInline):
    model = Quiz
    form = QuizForm
    formset = QuizInlineFormSet
    fields = ("position", *QUIZ_CONTENT_FIELDS)
    readonly_fields = ("position",)
    ordering = ("position",)
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user  # deletions saved by the formset are audited under this admin
        return formset


@admin.register(Quiz)
class QuizAdmin(ServiceRefusalsAsMessages):
    form = QuizForm
    list_display = ("question_short", "type", "module", "course", "position", "option_count", "updated_at")
    list_filter = ("type", "module__course")
    search_fields = ("question", "module__title", "module__course__title")
    list_select_related = ("module__course",)
    raw_id_fields = ("module",)
    readonly_fields = ("position", "created_at", "updated_at")
    fields = ("module", "position", *QUIZ_CONTENT_FIELDS, "created_at", "updated_at")
    ordering = ("module", "position")
    actions = ("delete_selected",)  # delete_queryset deletes through the service

    def get_readonly_fields(self, request, obj=None):
        # A question never moves to another module: its results belong to this one.
        return (*self.readonly_fields, "module") if obj else self.readonly_fields

    @admin.display(description="question")
    def question_short(self, obj: Quiz) -> str:
        return obj.question[:80]

    @admin.display(description="course", ordering="module__course__title")
    def course(self, obj: Quiz):
        return obj.module.course

    @admin.display(description="options")
    def option_count(self, obj: Quiz) -> int:
        return len(obj.options or [])

    def save_model(self, request, obj, form, change):
        data = _content(form)
        if change:
            services.quiz_update(quiz=obj, data=data)
        else:
            created = services.quiz_create(module=form.cleaned_data["module"], **data)
            obj.pk, obj.position = created.pk, created.position

    def delete_model(self, request, obj):
        services.quiz_delete(quiz=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for quiz in queryset.select_related("module"):
            services.quiz_delete(quiz=quiz, actor=request.user)


class QuizResultInline(ReadOnlyInline):
    model = QuizResult
    fields = (
        "position",
        "question",
        "selected_options",
        "correct_options",
        "credit",
        "is_correct",
        "quiz",
        "timestamp",
    )
    readonly_fields = fields
    ordering = ("position",)


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ("user", "module", "status", "score", "total", "percentage", "passed", "created_at")
    list_filter = ("status", "passed", "created_at", "module__course")
    search_fields = ("user__email", "user__full_name", "module__title", "module__course__title")
    list_select_related = ("user", "module__course")
    date_hierarchy = "created_at"
    readonly_fields = ("user", "module", *ATTEMPT_OUTCOME_FIELDS, "draw", "saved_answers")
    fields = readonly_fields
    inlines = [QuizResultInline]
