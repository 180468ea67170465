"""Domain events of the catalog. Other apps react to them with receivers connected in their
``AppConfig.ready()`` (gamification awards XP, certificates issues the certificate).

Events are sent inside the service's transaction, so a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

# A learner completed a lesson for the first time. sender=Lesson; kwargs: user, lesson, enrollment.
lesson_completed = Signal()

# A learner completed a course (all lessons done, every module quiz passed); sent exactly once per
# learner and course. sender=Course; kwargs: user, course, enrollment.
course_completed = Signal()

# A learner's access ended (refund, admin decision): their review stops counting. Sent once per transition.
# sender=Enrollment; kwargs: user_id, course_id, enrollment.
enrollment_revoked = Signal()

# A revoked enrollment became active again (bought again, granted by an admin). sender=Enrollment; kwargs:
# user_id, course_id, enrollment.
enrollment_restored = Signal()
# An instructor submitted a course for review. sender=Course; kwargs: course, submitted_at.
course_submitted = Signal()

# An admin published a course waiting for review. sender=Course; kwargs: course, actor.
course_approved = Signal()

# An admin sent a course back to its instructor. sender=Course; kwargs: course, actor, reason, rejected_at.
course_rejected = Signal()
