"""Domain events of assessments, received by other apps in their ``AppConfig.ready()``."""

from django.dispatch import Signal

# A learner passed a module's quiz for the first time. sender=Module; kwargs: user, module, attempt.
module_quiz_passed = Signal()
