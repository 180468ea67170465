"""Error codes of notifications and announcements (the ``code`` of their error bodies), in one place."""

from common.errors import ErrorCode


class NotificationsErrorCode(ErrorCode):
    UNSUBSCRIBE_LINK_INVALID = "unsubscribe_link_invalid", "400: the unsubscribe token is malformed or forged"
    ANNOUNCEMENT_NOT_ALLOWED = "announcement_not_allowed", "403: announcements are for the course's learners and staff"
