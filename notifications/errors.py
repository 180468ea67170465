"""Error codes of notifications and announcements (the ``code`` of their error bodies), in one place."""

UNSUBSCRIBE_LINK_INVALID = "unsubscribe_link_invalid"
ANNOUNCEMENT_NOT_ALLOWED = "announcement_not_allowed"
