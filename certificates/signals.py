"""Domain events of certificates, received by other apps in their ``AppConfig.ready()``."""

from django.dispatch import Signal

# A certificate was issued (once per learner and course). sender=Certificate; kwargs: certificate.
certificate_issued = Signal()
