"""Domain events of billing. Other apps react with receivers connected in their ``AppConfig.ready()``.

Sent inside the settling transaction, so a receiver's writes commit or roll back with the refund.
"""

from django.dispatch import Signal

# A payment that gave the learner a course was refunded in full, and the enrollment it granted revoked.
# Sent exactly once per payment (the refunded state is final). sender=Payment; kwargs: user, course,
# payment, reason (a sentence for the records, e.g. a certificate's revoke reason).
payment_refunded = Signal()
