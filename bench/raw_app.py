"""The physical limit: a framework-free WSGI app serving five hot API routes byte for byte like the real one.

``gunicorn -c config/gunicorn.conf.py bench.raw_app:app`` (same processes, threads and keep-alive as the
Django app). Each gunicorn thread gets its own psycopg 3 connection (autocommit, statements prepared on
first use) and each response is built with ``json.dumps`` from one hand-written SQL query per read. No
Django at import or request time; ``bench/limit.py`` checks the bodies against the API byte for byte
before timing anything.

What it does the same way as the API, so the comparison is fair:

* **Authentication**: the ``Authorization: Bearer`` access token of allauth's app client is verified with
  PyJWT (RS256 signature with the public half of ``JWT_PRIVATE_KEY``, expiry, ``token_use: access``,
  ``jti``/``sub``/``sid`` present) and its user is loaded, refused when inactive or suspended. The one
  step it skips is allauth's *stateful* check (the token's session still exists: in the API, the session's row
  read in the same query as the user's, and its data decoded).
* **Visibility**: published courses for everyone, and the courses a learner is actively enrolled in.
* **Rendering**: DRF's JSONRenderer settings (compact separators, ``ensure_ascii=False``, U+2028/2029
  escaped), datetimes ISO 8601 in ``TIME_ZONE`` ("Z" for UTC), decimals as strings with the column's
  places, UUIDs as strings, and the page-number envelope with absolute links built from the Host header
  (query keys sorted, as DRF's ``replace_query_param`` does).

Only what the benchmark sends is served: page 1 of the catalogue by domain, course detail, curriculum,
my enrollments (page 1), the leaderboard (weekly or monthly, whole platform, top 10) and the domains
(page 1). Each as a learner or anonymous (no ``Authorization``: published courses, no ``me``). Anything else is
a 404 here; students are the only callers of ``/api/enrollments/`` it accepts, like the API.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
import uuid
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import jwt
import psycopg
from cryptography.hazmat.primitives import serialization

TIME_ZONE = ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Kolkata"))
PAGE_SIZE = 20
LEADERBOARD_LIMIT = 10
PERIODS = ("weekly", "monthly")

_local = threading.local()


def _database_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dca_bench")


def _public_key():
    pem = os.environ["JWT_PRIVATE_KEY"].encode()
    return serialization.load_pem_private_key(pem, password=None).public_key()


_PUBLIC_KEY = None


def _connection() -> psycopg.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        # prepare_threshold=0: every query is a server-side prepared statement from its first execution.
        connection = psycopg.connect(_database_url(), autocommit=True, prepare_threshold=0)
        _local.connection = connection
    return connection


def _rows(sql: str, params: tuple = ()) -> list[tuple]:
    return _connection().execute(sql, params, prepare=True).fetchall()


# --- rendering (DRF's field representations and JSONRenderer) ---------------------------------------------


def _dt(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    text = value.astimezone(TIME_ZONE).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _id(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def render(data) -> bytes:
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def _page_link(environ: dict, page: int | None) -> str | None:
    """DRF's next/previous: the request's absolute URL with ``page`` replaced (page 1 drops the key)."""
    if page is None:
        return None
    query = [(k, v) for k, v in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True) if k != "page"]
    if page > 1:
        query.append(("page", str(page)))
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    encoded = urlencode(sorted(query), doseq=True)
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('PATH_INFO', '')}" + (
        f"?{encoded}" if encoded else ""
    )


def _paginated(environ: dict, count: int, results: list) -> dict:
    next_page = 2 if count > PAGE_SIZE else None
    return {"count": count, "next": _page_link(environ, next_page), "previous": None, "results": results}


# --- authentication --------------------------------------------------------------------------------------


class Unauthorized(Exception):
    pass


_USER_SQL = "SELECT id, role, is_active, is_suspended FROM accounts_user WHERE id = %s"


def authenticate(environ: dict) -> tuple | None:
    """The signed-in user (id, role) or None when anonymous; Unauthorized for a bad token."""
    global _PUBLIC_KEY  # loaded once per process
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized
    if _PUBLIC_KEY is None:
        _PUBLIC_KEY = _public_key()
    try:
        payload = jwt.decode(
            token,
            key=_PUBLIC_KEY,
            algorithms=["RS256"],
            options={"verify_signature": True, "verify_iss": False, "verify_aud": False, "verify_exp": True},
        )
    except jwt.PyJWTError:
        raise Unauthorized from None
    if payload.get("token_use") != "access" or not all(isinstance(payload.get(k), str) for k in ("jti", "sub", "sid")):
        raise Unauthorized
    rows = _rows(_USER_SQL, (uuid.UUID(payload["sub"]),))
    if not rows or not rows[0][2] or rows[0][3]:
        raise Unauthorized
    return rows[0][0], rows[0][1]


# --- courses -----------------------------------------------------------------------------------------------

# Courses with domain, instructor and figures, as catalog.selectors.courses_with_figures, and whether the
# viewer (the first parameter; NULL when anonymous) saved it, as catalog.selectors._with_wishlist.
_COURSE_COLUMNS = """
    c.id, c.title, c.slug, c.description, c.thumbnail_url, c.price, c.status,
    d.id, d.name, d.slug, u.id, u.full_name, c.learner_count,
    (SELECT count(*) FROM catalog_module m WHERE m.course_id = c.id),
    (SELECT count(*) FROM catalog_lesson l JOIN catalog_module m ON m.id = l.module_id WHERE m.course_id = c.id),
    COALESCE((SELECT sum(l.duration_seconds) FROM catalog_lesson l JOIN catalog_module m ON m.id = l.module_id
              WHERE m.course_id = c.id), 0),
    c.rejection_reason, c.submitted_at, c.published_at, c.created_at, c.updated_at,
    c.rating_average, c.rating_count, c.rating_1_count, c.rating_2_count, c.rating_3_count, c.rating_4_count,
    c.rating_5_count,
    EXISTS (SELECT 1 FROM catalog_wishlistitem w WHERE w.user_id = %s AND w.course_id = c.id AND NOT EXISTS (
        SELECT 1 FROM catalog_enrollment e WHERE e.user_id = w.user_id AND e.course_id = c.id AND e.status = 'active'))
"""
_COURSE_FROM = """
    FROM catalog_course c
    JOIN catalog_domain d ON d.id = c.domain_id
    JOIN accounts_user u ON u.id = c.instructor_id
"""
_CATALOGUE_COUNT_SQL = "SELECT count(*) FROM catalog_course c WHERE c.status = 'published' AND c.domain_id = %s"
_CATALOGUE_SQL = f"""SELECT {_COURSE_COLUMNS} {_COURSE_FROM}
    WHERE c.status = 'published' AND c.domain_id = %s
    ORDER BY c.published_at DESC, c.created_at DESC, c.id ASC
    LIMIT {PAGE_SIZE}"""
_DOMAIN_SQL = "SELECT id FROM catalog_domain WHERE slug = %s"
# A visible course: published, or one the viewer is an active learner of. The last column is that enrolment.
_VISIBLE_COURSE_SQL = f"""SELECT {_COURSE_COLUMNS},
    EXISTS (SELECT 1 FROM catalog_enrollment e WHERE e.user_id = %s AND e.course_id = c.id AND e.status = 'active')
    {_COURSE_FROM}
    WHERE c.id = %s"""  # noqa: S608 - constants, values are bound parameters
VIEWER_ENROLLED = 29  # the column of _VISIBLE_COURSE_SQL after _COURSE_COLUMNS


def _course(row: tuple) -> dict:
    return {
        "id": str(row[0]),
        "title": row[1],
        "slug": row[2],
        "description": row[3],
        "thumbnail_url": row[4],
        "price": _decimal(row[5]),
        "is_free": row[5] == 0,
        "status": row[6],
        "domain": {"id": str(row[7]), "name": row[8], "slug": row[9]},
        "instructor": {"id": str(row[10]), "full_name": row[11]},
        "learner_count": row[12],
        "module_count": row[13],
        "lesson_count": row[14],
        "total_duration_seconds": row[15],
        "rating_average": _decimal(row[21]),
        "rating_count": row[22],
        "rating_histogram": {str(stars): row[22 + stars] for stars in range(1, 6)},
        "in_wishlist": row[28],
        "rejection_reason": row[16],
        "submitted_at": _dt(row[17]),
        "published_at": _dt(row[18]),
        "created_at": _dt(row[19]),
        "updated_at": _dt(row[20]),
    }


def catalogue(environ: dict, user) -> tuple[int, dict]:
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    domain = _rows(_DOMAIN_SQL, (query.get("domain", ""),))
    if not domain or query.get("page", "1") != "1" or set(query) - {"domain", "page"}:
        return 404, {"detail": "Not served by the raw app.", "code": "not_found"}
    domain_id = domain[0][0]
    count = _rows(_CATALOGUE_COUNT_SQL, (domain_id,))[0][0]
    viewer = user[0] if user else None
    results = [_course(row) for row in _rows(_CATALOGUE_SQL, (viewer, domain_id))] if count else []
    return 200, _paginated(environ, count, results)


def _visible_course(course_id: uuid.UUID, user) -> tuple | None:
    viewer = user[0] if user else None
    rows = _rows(_VISIBLE_COURSE_SQL, (viewer, viewer, course_id))
    if not rows:
        return None
    row = rows[0]
    if row[6] != "published" and not row[VIEWER_ENROLLED]:
        return None  # a student sees other statuses only as an active learner; staff are not served here
    return row


def course_detail(environ: dict, user, course_id: uuid.UUID) -> tuple[int, dict]:
    row = _visible_course(course_id, user)
    if row is None:
        return 404, {"detail": "Not found.", "code": "not_found"}
    return 200, _course(row)


_MODULES_SQL = """SELECT m.id, m.title, m.description, m.position, m.pass_mark,
    (SELECT count(*) FROM assessments_quiz q WHERE q.module_id = m.id)
    FROM catalog_module m WHERE m.course_id = %s ORDER BY m.position"""
_LESSONS_SQL = """SELECT l.module_id, l.id, l.title, l.description, l.position, l.duration_seconds, l.is_preview,
    l.video_url, l.materials_url, l.subtitle_url
    FROM catalog_lesson l JOIN catalog_module m ON m.id = l.module_id
    WHERE m.course_id = %s ORDER BY l.position"""


def curriculum(environ: dict, user, course_id: uuid.UUID) -> tuple[int, dict]:
    row = _visible_course(course_id, user)
    if row is None:
        return 404, {"detail": "Not found.", "code": "not_found"}
    has_access = bool(row[VIEWER_ENROLLED])  # an active learner (course staff are not served here)
    lessons: dict[uuid.UUID, list] = {}
    for lesson in _rows(_LESSONS_SQL, (course_id,)):
        locked = not (lesson[6] or has_access)
        lessons.setdefault(lesson[0], []).append(
            {
                "id": str(lesson[1]),
                "title": lesson[2],
                "description": lesson[3],
                "position": lesson[4],
                "duration_seconds": lesson[5],
                "is_preview": lesson[6],
                "is_locked": locked,
                "video_url": None if locked else lesson[7],
                "materials_url": None if locked else lesson[8],
                "subtitle_url": None if locked else lesson[9],
            }
        )
    modules = [
        {
            "id": str(m[0]),
            "title": m[1],
            "description": m[2],
            "position": m[3],
            "pass_mark": m[4],
            "quiz_question_count": m[5],
            "lessons": lessons.get(m[0], []),
        }
        for m in _rows(_MODULES_SQL, (course_id,))
    ]
    return 200, {
        "id": str(row[0]),
        "title": row[1],
        "slug": row[2],
        "status": row[6],
        "has_access": has_access,
        "modules": modules,
    }


# --- enrollments -------------------------------------------------------------------------------------------

_ENROLLMENT_COUNT_SQL = "SELECT count(*) FROM catalog_enrollment e WHERE e.user_id = %s"
_ENROLLMENTS_SQL = f"""SELECT e.id, c.id, c.title, c.slug, c.thumbnail_url, c.status, d.id, d.name, d.slug,
    u.id, u.full_name, e.source, e.status, e.progress_percent, e.completed_lessons,
    (SELECT count(*) FROM catalog_lesson l JOIN catalog_module m ON m.id = l.module_id WHERE m.course_id = e.course_id),
    ll.id, ll.title, ll.module_id, ll.position, e.completed_at, e.created_at, e.revoked_at
    FROM catalog_enrollment e
    JOIN catalog_course c ON c.id = e.course_id
    JOIN catalog_domain d ON d.id = c.domain_id
    JOIN accounts_user u ON u.id = c.instructor_id
    LEFT JOIN catalog_lesson ll ON ll.id = e.last_lesson_id
    WHERE e.user_id = %s
    ORDER BY e.created_at DESC, e.id ASC
    LIMIT {PAGE_SIZE}"""  # noqa: S608 - constants, values are bound parameters


def _enrollment(row: tuple) -> dict:
    completed_at = row[20]
    return {
        "id": str(row[0]),
        "course": {
            "id": str(row[1]),
            "title": row[2],
            "slug": row[3],
            "thumbnail_url": row[4],
            "status": row[5],
            "domain": {"id": str(row[6]), "name": row[7], "slug": row[8]},
            "instructor": {"id": str(row[9]), "full_name": row[10]},
        },
        "source": row[11],
        "status": row[12],
        "percent": row[13],
        "completed_lessons": row[14],
        "total_lessons": row[15],
        "new_lessons": 0 if completed_at is None else max(row[15] - row[14], 0),
        "last_lesson": None
        if row[16] is None
        else {"id": str(row[16]), "title": row[17], "module": str(row[18]), "position": row[19]},
        "completed_at": _dt(completed_at),
        "enrolled_at": _dt(row[21]),
        "revoked_at": _dt(row[22]),
    }


def enrollments(environ: dict, user) -> tuple[int, dict]:
    if user is None:
        return 401, {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
    if user[1] != "student" or environ.get("QUERY_STRING"):
        return 403 if user[1] != "student" else 404, {"detail": "Not served by the raw app.", "code": "not_served"}
    count = _rows(_ENROLLMENT_COUNT_SQL, (user[0],))[0][0]
    results = [_enrollment(row) for row in _rows(_ENROLLMENTS_SQL, (user[0],))] if count else []
    return 200, _paginated(environ, count, results)


# --- leaderboard ---------------------------------------------------------------------------------------------


def _window(period: str, now: datetime.datetime) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    day = now.astimezone(TIME_ZONE).date()
    if period == "weekly":
        start = day - datetime.timedelta(days=day.weekday())
        end = start + datetime.timedelta(days=7)
    else:
        start = day.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)

    def midnight(d: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(d, datetime.time.min, tzinfo=TIME_ZONE)

    return start, midnight(start), midnight(end)


_BOARD_SQL = f"""SELECT RANK() OVER (ORDER BY t.points DESC), u.id, u.full_name, t.points
    FROM gamification_xptotal t JOIN accounts_user u ON u.id = t.user_id
    WHERE t.period = %s AND t.period_start = %s AND u.role = 'student' AND NOT u.is_suspended
    ORDER BY t.points DESC, t.user_id ASC
    LIMIT {LEADERBOARD_LIMIT}"""  # noqa: S608 - constants, values are bound parameters
# My points and the rows ahead of me minus those of staff and suspended users, as gamification.selectors.
_ME_SQL = """SELECT t.points,
    (SELECT count(*) FROM gamification_xptotal a
      WHERE a.period = t.period AND a.period_start = t.period_start AND a.points > t.points)
    - (SELECT count(*) FROM gamification_xptotal a JOIN accounts_user au ON au.id = a.user_id
      WHERE a.period = t.period AND a.period_start = t.period_start AND a.points > t.points
        AND (au.role IN ('instructor', 'admin') OR au.is_suspended))
    FROM gamification_xptotal t WHERE t.user_id = %s AND t.period = %s AND t.period_start = %s"""
_ON_BOARD_SQL = "SELECT role = 'student' AND NOT is_suspended FROM accounts_user WHERE id = %s"


def leaderboard(environ: dict, user) -> tuple[int, dict]:
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    period = query.get("period", "weekly")
    if period not in PERIODS or set(query) - {"period"}:
        return 404, {"detail": "Not served by the raw app.", "code": "not_served"}
    start, starts_at, ends_at = _window(period, datetime.datetime.now(datetime.UTC))
    results = [
        {"rank": rank, "user": {"id": str(uid), "full_name": name}, "points": points}
        for rank, uid, name, points in _rows(_BOARD_SQL, (period, start))
    ]
    me = None
    if user is not None:
        mine = _rows(_ME_SQL, (user[0], period, start))
        if not mine:
            me = {"rank": None, "points": 0}
        else:
            on_board = user[1] == "student"  # suspended users never get this far (authenticate refuses them)
            me = {"rank": (mine[0][1] or 0) + 1 if on_board else None, "points": mine[0][0]}
    return 200, {"period": period, "starts_at": _dt(starts_at), "ends_at": _dt(ends_at), "results": results, "me": me}


# --- personal reads: me, certificates, payment history, XP (issue #18, item 1) -------------------------------
# Each is the signed-in user's own rows, as the API serves them to a student; any query string is a 404 here.

_NOT_SIGNED_IN = 401, {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
_NOT_SERVED = 404, {"detail": "Not served by the raw app.", "code": "not_served"}
VERIFY_URL = os.environ.get(
    "CERTIFICATES_VERIFY_URL",
    os.environ.get("FRONTEND_URL", "http://localhost:3000").rstrip("/") + "/certificates/verify/{code}",
)
XP_EVENTS_LIMIT = 20

# accounts.serializers.MeOutputSerializer
_ME_USER_SQL = """SELECT u.id, u.email, u.full_name, u.role, d.id, d.name, d.slug, u.branch, u.year, u.created_at,
    u.onboarding_completed_at IS NULL
    FROM accounts_user u LEFT JOIN catalog_domain d ON d.id = u.domain_id WHERE u.id = %s"""


def me(environ: dict, user) -> tuple[int, dict]:
    if user is None:
        return _NOT_SIGNED_IN
    if environ.get("QUERY_STRING"):
        return _NOT_SERVED
    row = _rows(_ME_USER_SQL, (user[0],))[0]
    return 200, {
        "id": str(row[0]),
        "email": row[1],
        "full_name": row[2],
        "role": row[3],
        "domain": None if row[4] is None else {"id": str(row[4]), "name": row[5], "slug": row[6]},
        "branch": row[7],
        "year": row[8],
        "created_at": _dt(row[9]),
        "onboarding_required": row[3] == "student" and row[10],
    }


# certificates.serializers.CertificateSerializer, in the model's order (newest issue date, then number)
_CERTIFICATE_COUNT_SQL = "SELECT count(*) FROM certificates_certificate WHERE user_id = %s"
_CERTIFICATES_SQL = f"""SELECT k.id, c.id, c.title, c.slug, u.full_name, k.certificate_number, k.verification_code,
    k.issue_date, k.file, k.status, k.revoked_at, k.revoke_reason
    FROM certificates_certificate k
    JOIN catalog_course c ON c.id = k.course_id
    JOIN accounts_user u ON u.id = c.instructor_id
    WHERE k.user_id = %s
    ORDER BY k.issue_date DESC, k.certificate_number DESC
    LIMIT {PAGE_SIZE}"""  # noqa: S608 - constants, values are bound parameters


def _origin(environ: dict) -> str:
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def certificates(environ: dict, user) -> tuple[int, dict]:
    if user is None:
        return _NOT_SIGNED_IN
    if environ.get("QUERY_STRING"):
        return _NOT_SERVED
    count = _rows(_CERTIFICATE_COUNT_SQL, (user[0],))[0][0]
    origin = _origin(environ)
    results = [
        {
            "id": str(row[0]),
            "course": {"id": str(row[1]), "title": row[2], "slug": row[3], "instructor_name": row[4]},
            "certificate_number": row[5],
            "verification_code": row[6],
            "verification_url": VERIFY_URL.format(code=row[6]),
            "issue_date": row[7].isoformat(),
            "cert_url": f"{origin}/api/certificates/{row[0]}/download/",
            "file_ready": bool(row[8]),
            "status": row[9],
            "revoked_at": _dt(row[10]),
            "revoke_reason": row[11],
        }
        for row in (_rows(_CERTIFICATES_SQL, (user[0],)) if count else [])
    ]
    return 200, _paginated(environ, count, results)


# billing.serializers.PaymentSerializer, newest first (students only, like the API)
_PAYMENT_COUNT_SQL = "SELECT count(*) FROM billing_payment WHERE user_id = %s"
_PAYMENTS_SQL = f"""SELECT p.id, c.id, c.title, c.slug, p.amount, p.currency, p.status, p.razorpay_order_id,
    p.payment_id, p.created_at, p.paid_at, p.refunded_at
    FROM billing_payment p JOIN catalog_course c ON c.id = p.course_id
    WHERE p.user_id = %s
    ORDER BY p.created_at DESC
    LIMIT {PAGE_SIZE}"""  # noqa: S608 - constants, values are bound parameters


def payment_history(environ: dict, user) -> tuple[int, dict]:
    if user is None:
        return _NOT_SIGNED_IN
    if user[1] != "student":
        return 403, {"detail": "Not served by the raw app.", "code": "not_served"}
    if environ.get("QUERY_STRING"):
        return _NOT_SERVED
    count = _rows(_PAYMENT_COUNT_SQL, (user[0],))[0][0]
    results = [
        {
            "id": str(row[0]),
            "course": {"id": str(row[1]), "title": row[2], "slug": row[3]},
            "amount": row[4],
            "currency": row[5],
            "status": row[6],
            "razorpay_order_id": row[7],
            "payment_id": row[8],
            "created_at": _dt(row[9]),
            "paid_at": _dt(row[10]),
            "refunded_at": _dt(row[11]),
        }
        for row in (_rows(_PAYMENTS_SQL, (user[0],)) if count else [])
    ]
    return 200, _paginated(environ, count, results)


# gamification.serializers.XPSummarySerializer: the current roll-ups and the latest events
_XP_TOTALS_SQL = """SELECT period, points FROM gamification_xptotal WHERE user_id = %s
    AND ((period = 'all_time' AND period_start = %s) OR (period = 'weekly' AND period_start = %s)
      OR (period = 'monthly' AND period_start = %s))"""
_XP_EVENTS_SQL = f"""SELECT id, type, points, timestamp, source_type, source_id FROM gamification_xpevent
    WHERE user_id = %s ORDER BY timestamp DESC LIMIT {XP_EVENTS_LIMIT}"""  # noqa: S608 - constants
ALL_TIME_START = datetime.date(1970, 1, 1)


def my_xp(environ: dict, user) -> tuple[int, dict]:
    if user is None:
        return _NOT_SIGNED_IN
    if environ.get("QUERY_STRING"):
        return _NOT_SERVED
    now = datetime.datetime.now(datetime.UTC)
    week, month = _window("weekly", now)[0], _window("monthly", now)[0]
    points = dict(_rows(_XP_TOTALS_SQL, (user[0], ALL_TIME_START, week, month)))
    return 200, {
        "total": points.get("all_time", 0),
        "this_week": points.get("weekly", 0),
        "this_month": points.get("monthly", 0),
        "events": [
            {
                "id": str(row[0]),
                "type": row[1],
                "points": row[2],
                "timestamp": _dt(row[3]),
                "source_type": row[4],
                "source_id": str(row[5]),
            }
            for row in _rows(_XP_EVENTS_SQL, (user[0],))
        ],
    }


PERSONAL_ROUTES = {
    "/api/auth/me/": me,
    "/api/certificates/": certificates,
    "/api/payments/history/": payment_history,
    "/api/gamification/xp/": my_xp,
}


# --- domains (anonymous public routes, issue #18 item 2) ---------------------------------------------------

_DOMAINS_COUNT_SQL = "SELECT count(*) FROM catalog_domain"
_DOMAINS_SQL = f"SELECT id, name, slug FROM catalog_domain ORDER BY name LIMIT {PAGE_SIZE}"  # noqa: S608 - constant


def domains(environ: dict, user) -> tuple[int, dict]:
    if environ.get("QUERY_STRING"):
        return 404, {"detail": "Not served by the raw app.", "code": "not_found"}
    count = _rows(_DOMAINS_COUNT_SQL)[0][0]
    results = [{"id": str(i), "name": name, "slug": slug} for i, name, slug in _rows(_DOMAINS_SQL)] if count else []
    return 200, _paginated(environ, count, results)


# --- WSGI ----------------------------------------------------------------------------------------------------

_STATUS = {200: "200 OK", 401: "401 Unauthorized", 403: "403 Forbidden", 404: "404 Not Found"}


def _route(path: str):
    """(handler, course id or None) for a path, or None."""
    if path == "/api/courses/":
        return catalogue, None
    if path == "/api/enrollments/":
        return enrollments, None
    if path == "/api/leaderboard/":
        return leaderboard, None
    if path in PERSONAL_ROUTES:
        return PERSONAL_ROUTES[path], None
    if path == "/api/domains/":
        return domains, None
    parts = path.split("/")
    # ['', 'api', 'courses', '<uuid>', ''] or [..., '<uuid>', 'curriculum', '']
    if len(parts) in (5, 6) and parts[1] == "api" and parts[2] == "courses" and parts[-1] == "":
        try:
            course_id = uuid.UUID(parts[3])
        except ValueError:
            return None
        if len(parts) == 5:
            return course_detail, course_id
        if parts[4] == "curriculum":
            return curriculum, course_id
    return None


def app(environ, start_response):
    route = _route(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "GET" else None
    if route is None:
        status, data = 404, {"detail": "Not found.", "code": "not_found"}
    else:
        handler, course_id = route
        try:
            user = authenticate(environ)
        except Unauthorized:
            status, data = 401, {"detail": "The access token is invalid or has expired.", "code": "invalid_token"}
        else:
            status, data = handler(environ, user) if course_id is None else handler(environ, user, course_id)
    body = render(data)
    start_response(_STATUS[status], [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
