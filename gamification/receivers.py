"""XP for the other apps' domain events. Connected in ``GamificationConfig.ready()``.

Every event is sent inside its sender's transaction, so the award commits or rolls back with it.
"""

from __future__ import annotations

from gamification.models import XPEvent
from gamification.services import xp_award, xp_reverse_course


def on_lesson_completed(sender, *, user, lesson, **kwargs) -> None:
    xp_award(user=user, type=XPEvent.Type.LESSON_COMPLETE, source=lesson)


def on_module_quiz_passed(sender, *, user, module, **kwargs) -> None:
    # The module is the source, not the attempt: a module's quiz pays once however often it is passed.
    xp_award(user=user, type=XPEvent.Type.QUIZ_PASS, source=module)


def on_course_completed(sender, *, user, course, **kwargs) -> None:
    xp_award(user=user, type=XPEvent.Type.COURSE_COMPLETE, source=course)


def on_post_created(sender, *, user, post, **kwargs) -> None:
    xp_award(user=user, type=XPEvent.Type.FORUM_POST, source=post)


def on_reply_accepted(sender, *, user, reply, **kwargs) -> None:
    xp_award(user=user, type=XPEvent.Type.ANSWER_ACCEPTED, source=reply)


def on_payment_refunded(sender, *, user, course, **kwargs) -> None:
    # What the refunded purchase earned is taken back; the ledger keeps both the awards and the reversals.
    xp_reverse_course(user=user, course=course)
