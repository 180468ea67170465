"""Domain events of the forum, received by other apps in their ``AppConfig.ready()``."""

from django.dispatch import Signal

# A post was created. sender=Post; kwargs: user, post.
post_created = Signal()

# A reply was marked accepted (first time for that reply). sender=Reply; kwargs: user (the reply's
# author), reply, accepted_by.
reply_accepted = Signal()

# A reply was posted to a question. sender=Reply; kwargs: user (the reply's author), reply, post.
reply_created = Signal()
