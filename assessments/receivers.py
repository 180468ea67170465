"""Tell the catalog about quiz content and passes, however the rows were written.

Connected in ``AssessmentsConfig.ready()``. The services write through these too, and so do the
admin, fixtures and tests that save rows directly: the catalog's quiz columns cannot drift.
"""

from __future__ import annotations

from assessments.models import Quiz, QuizAttempt
from catalog.services import module_quiz_pass_record, module_quiz_question_count_set


def _question_count_refresh(module_id) -> None:
    module_quiz_question_count_set(module_id=module_id, count=Quiz.objects.filter(module_id=module_id).count())


def on_quiz_saved(sender, *, instance: Quiz, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _question_count_refresh(instance.module_id)


def on_quiz_deleted(sender, *, instance: Quiz, **kwargs) -> None:
    _question_count_refresh(instance.module_id)


def on_attempt_saved(sender, *, instance: QuizAttempt, created: bool, raw: bool = False, **kwargs) -> None:
    # The submit service records the pass itself (it needs to know whether it was the first); this
    # covers attempts saved any other way. Idempotent: a recorded pass is never recorded twice.
    # An attempt the submit service judged carries ``first_pass``: its pass is recorded already.
    if created and instance.passed and not raw and not hasattr(instance, "first_pass"):
        module_quiz_pass_record(user=instance.user, module=instance.module, passed_at=instance.created_at)
