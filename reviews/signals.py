"""Domain events of reviews, received by other apps in their ``AppConfig.ready()``."""

from django.dispatch import Signal

# A learner reviewed a course (first time; edits send nothing). Sent inside the creating transaction.
# sender=Review; kwargs: review, course_id, user (the reviewer), instructor_id (the course's instructor).
review_created = Signal()
