"""Error codes of the forum (the ``code`` of its error bodies), in one place."""

from common.errors import ErrorCode


class ForumErrorCode(ErrorCode):
    FORUM_ACCESS_DENIED = "forum_access_denied", "403: the course forum is for its learners and staff"
    FORUM_NOT_AUTHOR = "forum_not_author", "403: only the author (or an admin) may change this"
    FORUM_NOT_ALLOWED = "forum_not_allowed", "403: only the author, course staff or an admin may do this"
    FORUM_MODULE_NOT_IN_COURSE = (
        "forum_module_not_in_course",
        "400 field error on `module`: not a module of this course",
    )
    FORUM_DELETED = "forum_deleted", "409: the post or reply was deleted"
    FORUM_REPLY_UNAVAILABLE = "forum_reply_unavailable", "409: the reply can no longer be accepted (deleted or hidden)"
    FORUM_VOTE_OWN_POST = "forum_vote_own_post", "403: nobody votes on their own post"
    FORUM_FLAG_OWN_CONTENT = "forum_flag_own_content", "403: nobody flags their own content"
    FORUM_ALREADY_FLAGGED = "forum_already_flagged", "409: the user already flagged this item"
    FLAG_ALREADY_RESOLVED = "flag_already_resolved", "409: the flag was already resolved"
