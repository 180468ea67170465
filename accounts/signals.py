"""Domain events of accounts, received by other apps in their ``AppConfig.ready()``."""

from django.dispatch import Signal

# An admin suspended an account. sender=User; kwargs: user, actor, reason, suspended_at.
user_suspended = Signal()
