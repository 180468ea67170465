"""Scale data for benchmarks: ``seed_demo --users N`` on PostgreSQL.

At N = 10,000: 10,000 users, 300 courses (6 modules x 4 lessons, 3 questions a module), 100,000
enrollments, 500,000 lesson-progress rows, 1,000,000 XP events with their leaderboard roll-ups, 50,000
forum posts with replies and votes, quiz attempts, payments, certificates, and reviews from about one
learner in six who did a lesson (≈ 10,000, skewed to 4–5 stars as on real course sites) with the courses'
rating figures, and notifications as the events would have delivered them (a certificate issued, each
reply to my question, a course announcement to its learners: ≈ 15 a learner, most older ones read, with
preferences for one learner in ten, honoured by the rows). Counts scale with N.

Rows are generated in memory first (a seeded ``random.Random``, ids derived from row numbers), so every
denormalised figure is known before anything is written: learner counts, progress, reply counts, vote
scores, forum XP after the daily cap, badge dates, certificate numbers. Then each table is streamed in with
``COPY`` (psycopg 3) inside one transaction, and the leaderboard roll-ups are built from the XP ledger
by the gamification app's own ``leaderboards_rebuild``. The histories follow the same rules as the services:
a course is completed when every lesson is done and every module quiz passed; a quiz pays once per
module; forum XP is clipped to ``XP_FORUM_DAILY_CAP`` per local day; paid enrollments have a paid payment.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction
from django.utils.text import slugify
from tqdm import tqdm

from common.timeutils import local_zone
from seed import content

RANDOM_SEED = 10_000
MODULES_PER_COURSE = 6
LESSONS_PER_MODULE = 4
QUESTIONS_PER_MODULE = 3
LESSONS_PER_COURSE = MODULES_PER_COURSE * LESSONS_PER_MODULE
HISTORY_DAYS = 56  # XP spread over the last eight weeks
CHUNK = 20_000
NULL = r"\N"  # COPY text format
EMAIL_DOMAIN = "scale.example.com"


def scale_email(role: str, number: int) -> str:
    """Addresses of scale users: learner00001@scale.example.com, instructor001@..., admin1@..."""
    width = {"learner": 5, "instructor": 3, "admin": 1}[role]
    return f"{role}{number:0{width}d}@{EMAIL_DOMAIN}"


MARKER_EMAIL = scale_email("learner", 1)

# Share of learners with progress who review, and how their stars are spread (5 down to 1).
REVIEW_SHARE = 0.17
REVIEW_STAR_WEIGHTS = {5: 45, 4: 30, 3: 13, 2: 6, 1: 6}

# Courses with an announcement, the learners with notification preferences, and how often a notification is
# read once it is older than READ_AFTER (and younger).
ANNOUNCEMENT_SHARE = 0.4
PREFERENCE_SHARE = 0.1
READ_AFTER = 3 * 86400
READ_SHARE_OLD, READ_SHARE_NEW = 0.85, 0.3

# Table tags in the ids: uuid "5ca1eTTT-0000-4000-8000-<row number>" is readable and never random.
_TAGS = {
    "user": 1,
    "course": 2,
    "module": 3,
    "lesson": 4,
    "quiz": 5,
    "enrollment": 6,
    "progress": 7,
    "payment": 8,
    "attempt": 9,
    "result": 10,
    "xp": 11,
    "badge": 12,
    "post": 13,
    "reply": 14,
    "vote": 15,
    "flag": 16,
    "certificate": 17,
    "review": 18,
    "quizpass": 19,
    "notification": 20,
    "announcement": 21,
    "preference": 22,
}
_ID_PREFIX = {name: f"5ca1e{tag:03x}-0000-4000-8000-" for name, tag in _TAGS.items()}


def sid(kind: str, number: int) -> str:
    return f"{_ID_PREFIX[kind]}{number:012x}"


FIRST_NAMES = (
    "Aarav",
    "Aditi",
    "Akash",
    "Amrita",
    "Ananya",
    "Anil",
    "Arjun",
    "Bhavna",
    "Chetan",
    "Deepa",
    "Dev",
    "Divya",
    "Farhan",
    "Gauri",
    "Harish",
    "Isha",
    "Jaya",
    "Kabir",
    "Kavita",
    "Kiran",
    "Lakshmi",
    "Manoj",
    "Meera",
    "Mohit",
    "Nandini",
    "Naveen",
    "Neha",
    "Nikhil",
    "Pooja",
    "Pranav",
    "Priya",
    "Rahul",
    "Rekha",
    "Rohit",
    "Sahil",
    "Sanjay",
    "Sara",
    "Shreya",
    "Sunil",
    "Tanya",
    "Uday",
    "Varsha",
    "Vikram",
    "Yamini",
    "Zoya",
)
LAST_NAMES = (
    "Agarwal",
    "Banerjee",
    "Bhat",
    "Chopra",
    "Das",
    "Desai",
    "Gill",
    "Gupta",
    "Iyer",
    "Jain",
    "Joshi",
    "Kapoor",
    "Khan",
    "Kulkarni",
    "Kumar",
    "Mehta",
    "Menon",
    "Mishra",
    "Nair",
    "Pandey",
    "Patel",
    "Pillai",
    "Rao",
    "Reddy",
    "Saxena",
    "Sen",
    "Shah",
    "Sharma",
    "Singh",
    "Thakur",
    "Verma",
    "Yadav",
)
TOPICS = {
    "web-development": ("HTML and CSS", "JavaScript", "TypeScript", "React", "Node.js", "Django", "REST APIs"),
    "data-science": ("Python", "Statistics", "pandas", "Machine Learning", "Deep Learning", "SQL", "Tableau"),
    "cloud-devops": ("Linux", "Docker", "Kubernetes", "AWS", "Terraform", "CI/CD", "Observability"),
    "mobile-development": ("Kotlin", "Swift", "Flutter", "React Native", "Jetpack Compose", "SwiftUI"),
    "cybersecurity": ("Network Security", "Web Security", "Cryptography", "Incident Response", "Forensics"),
    "ui-ux-design": ("Figma", "User Research", "Interaction Design", "Design Systems", "Accessibility"),
}
LEVELS = ("Foundations", "in Practice", "Bootcamp", "Masterclass", "for Beginners", "Advanced Techniques")
PRICES = [Decimal(p) for p in ("0.00", "0.00", "0.00", "0.00", "499.00", "799.00", "999.00", "1499.00", "1999.00")]
BRANCHES = ("Computer Science", "Information Technology", "Electronics", "Mechanical Engineering", "Mathematics")


@dataclass
class ScaleReport:
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


# --- COPY -------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


class Copy:
    """Stream rows (already formatted as tab-separated text) into one table with COPY.

    Columns of the model the caller does not give are filled with their model default, so a field another
    app adds later (with a default) does not break the seed; one without a default fails loudly here.
    """

    def __init__(self, model: type[models.Model], columns: list[str], *, progress: bool, total: int) -> None:
        given = set(columns)
        tail_columns, tail_values = [], []
        for f in model._meta.concrete_fields:
            if f.attname in given or isinstance(f, models.AutoField | models.BigAutoField):
                continue
            default = f.get_default()
            if default is None and not f.null:
                raise RuntimeError(f"seed.scale does not know how to fill {model._meta.label}.{f.attname}")
            tail_columns.append(f.column)
            # JSON goes in as its text (the driver's adapter object has no COPY text form).
            value = json.dumps(default) if isinstance(f, models.JSONField) else f.get_db_prep_value(default, connection)
            tail_values.append(_text(value))
        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        names = ", ".join(connection.ops.quote_name(c) for c in [by_attname[a] for a in columns] + tail_columns)
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        self.suffix = ("\t" + "\t".join(tail_values) if tail_values else "") + "\n"
        self.label = model._meta.db_table
        self.progress = progress
        self.total = total

    def write(self, lines: Iterable[str]) -> int:
        written = 0
        suffix = self.suffix
        bar = tqdm(total=self.total, desc=f"{self.label:<28}", unit=" rows", disable=not self.progress, leave=True)
        with connection.cursor() as cursor, cursor.copy(self.sql) as copy:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) == CHUNK:
                    copy.write(suffix.join(batch) + suffix)
                    written += len(batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                copy.write(suffix.join(batch) + suffix)
                written += len(batch)
                bar.update(len(batch))
        bar.close()
        return written


class Clock:
    """Epoch seconds to PostgreSQL text, fast: the day part is cached (a million timestamps to format)."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}
        self.tz = local_zone()

    def ts(self, seconds: int) -> str:
        day, rest = divmod(seconds, 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = datetime.datetime.fromtimestamp(day * 86400, datetime.UTC).strftime("%Y-%m-%d")
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{text} {hours:02d}:{minutes:02d}:{secs:02d}+00"

    def local_date(self, seconds: int) -> datetime.date:
        return datetime.datetime.fromtimestamp(seconds, self.tz).date()


# --- generation -------------------------------------------------------------------------------------


@dataclass
class Enr:
    number: int
    user: int
    course: int
    start: int
    lessons: int = 0  # lessons done, in curriculum order
    quiz_modules: set[int] = field(default_factory=set)  # module positions (0-based) passed
    completed_at: int | None = None
    last_activity: int = 0


class ScaleBuilder:
    def __init__(self, *, users: int, progress: bool, log: Callable[[str], None]) -> None:
        self.n = users
        self.rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible data, not secrets
        self.progress = progress
        self.log = log
        self.now = int(time.time())
        self.clock = Clock()
        self.counts: dict[str, int] = {}
        self.n_instructors = max(5, users // 100)
        self.n_admins = max(1, users // 2000)
        self.n_students = users - self.n_instructors - self.n_admins
        if self.n_students < 10:
            raise ValueError("--users must be at least 20")
        self.n_courses = max(12, round(users * 0.03))
        self.target_enrollments = users * 10
        self.target_progress = users * 50
        self.target_xp = users * 100
        self.target_posts = users * 5

    # ids: users are numbered 1..N (students first, then instructors, then admins)
    def instructor_number(self, index: int) -> int:
        return self.n_students + 1 + index

    def copy(self, model, columns: list[str], lines: Iterable[str], total: int) -> None:
        self.counts[model._meta.db_table] = Copy(model, columns, progress=self.progress, total=total).write(lines)

    # --- users and catalogue ---------------------------------------------------------------------

    def build_users(self) -> None:
        from catalog.models import Domain

        self.domain_ids = {d.slug: str(d.pk) for d in Domain.objects.filter(slug__in=[s for s, *_ in content.DOMAINS])}
        self.domain_slugs = [slug for slug, *_ in content.DOMAINS]
        rng = self.rng
        self.users: list[tuple] = []  # (number, email, name, role, domain slug or "", created)
        for i in range(1, self.n + 1):
            if i <= self.n_students:
                role, email = "student", scale_email("learner", i)
            elif i <= self.n_students + self.n_instructors:
                role, email = "instructor", scale_email("instructor", i - self.n_students)
            else:
                role, email = "admin", scale_email("admin", i - self.n_students - self.n_instructors)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            domain = rng.choice(self.domain_slugs) if role == "student" else ""
            created = self.now - rng.randint(60, 200) * 86400 - rng.randint(0, 86399)
            self.users.append((i, email, name, role, domain, created))

    def build_catalogue(self) -> None:
        rng = self.rng
        self.courses: list[dict] = []
        for c in range(1, self.n_courses + 1):
            domain = self.domain_slugs[(c - 1) % len(self.domain_slugs)]
            title = f"{rng.choice(TOPICS[domain])} {rng.choice(LEVELS)}"
            # Mostly published; the rest show every other state in the admin review queue.
            status = "published" if c % 10 else ("draft", "pending_review", "rejected")[(c // 10) % 3]
            created = self.now - rng.randint(100, 400) * 86400
            published = created + rng.randint(2, 30) * 86400 if status == "published" else None
            self.courses.append(
                {
                    "n": c,
                    "title": title,
                    "slug": f"{slugify(title)}-{c:04d}",
                    "domain": domain,
                    "instructor": self.instructor_number((c - 1) % self.n_instructors),
                    "price": rng.choice(PRICES),
                    "status": status,
                    "created": created,
                    "published": published,
                    "learners": 0,
                }
            )
        self.published = [c["n"] for c in self.courses if c["status"] == "published"]

    @staticmethod
    def module_number(course: int, position: int) -> int:
        return (course - 1) * MODULES_PER_COURSE + position + 1  # position 0-based

    @staticmethod
    def lesson_number(course: int, index: int) -> int:
        return (course - 1) * LESSONS_PER_COURSE + index + 1  # index 0-based within the course

    @staticmethod
    def quiz_number(module: int, position: int) -> int:
        return (module - 1) * QUESTIONS_PER_MODULE + position + 1

    # --- learning ---------------------------------------------------------------------------------

    def build_enrollments(self) -> None:
        rng = self.rng
        published = self.published
        # Popularity follows a long tail: a few courses have most learners.
        weights = [1 / (rank + 8) for rank in range(len(published))]
        total = min(self.target_enrollments, self.n_students * len(published))
        per_student, extra = divmod(total, self.n_students)
        self.enrollments: list[Enr] = []
        number = 0
        for s in range(1, self.n_students + 1):
            want = per_student + (1 if s <= extra else 0)
            chosen: list[int] = []
            seen: set[int] = set()
            while len(chosen) < want:
                for c in rng.choices(published, weights=weights, k=want * 2):
                    if c not in seen:
                        seen.add(c)
                        chosen.append(c)
                        if len(chosen) == want:
                            break
            for c in chosen:
                number += 1
                self.enrollments.append(Enr(number=number, user=s, course=c, start=0))
        # 10% complete their course; the other learners share the remaining lesson completions.
        completed_n = min(len(self.enrollments) // 10, self.target_progress // LESSONS_PER_COURSE)
        order = list(range(len(self.enrollments)))
        rng.shuffle(order)
        completed = set(order[:completed_n])
        partial = [i for i in order[completed_n:]]
        remaining = self.target_progress - completed_n * LESSONS_PER_COURSE
        mean = remaining / max(1, len(partial))
        counts = [min(LESSONS_PER_COURSE - 1, int(rng.expovariate(1 / mean))) if mean else 0 for _ in partial]
        diff = remaining - sum(counts)
        while diff:
            i = rng.randrange(len(partial))
            if diff > 0 and counts[i] < LESSONS_PER_COURSE - 1:
                counts[i] += 1
                diff -= 1
            elif diff < 0 and counts[i] > 0:
                counts[i] -= 1
                diff += 1
        for i in completed:
            e = self.enrollments[i]
            e.lessons = LESSONS_PER_COURSE
            e.quiz_modules = set(range(MODULES_PER_COURSE))
        for i, k in zip(partial, counts, strict=True):
            e = self.enrollments[i]
            e.lessons = k
            e.quiz_modules = set(range(k // LESSONS_PER_MODULE))
        self.completed = completed
        # Quiz passes fill the XP ledger up to its target: learners may take a quiz before its lessons.
        forum_events = self.target_posts + int(self.target_posts * 0.3)
        quiz_target = self.target_xp - self.target_progress - completed_n - forum_events
        have = sum(len(e.quiz_modules) for e in self.enrollments)
        candidates = [
            (i, m) for i in partial for m in range(MODULES_PER_COURSE) if m not in self.enrollments[i].quiz_modules
        ]
        for i, m in rng.sample(candidates, k=max(0, min(len(candidates), quiz_target - have))):
            self.enrollments[i].quiz_modules.add(m)

    def build_history(self) -> None:
        """Times of every step, the events they produce, and the denormalised figures."""
        rng = self.rng
        now = self.now
        self.progress_rows: list[str] = []
        self.attempt_rows: list[tuple] = []  # (number, user, module, passed, time)
        self.xp: list[tuple] = []  # (user, type, points, time, source kind, source id)
        lesson_points = settings.XP_POINTS["lesson_complete"]
        quiz_points = settings.XP_POINTS["quiz_pass"]
        course_points = settings.XP_POINTS["course_complete"]
        by_course = {c["n"]: c for c in self.courses}
        progress_n = 0
        attempt_n = 0
        for index, e in enumerate(self.enrollments):
            complete = index in self.completed
            span_days = rng.uniform(14, HISTORY_DAYS) if complete else rng.uniform(1, HISTORY_DAYS)
            e.start = now - int(span_days * 86400)
            steps: list[tuple[str, int]] = []
            for m in range(MODULES_PER_COURSE):
                for lesson in range(m * LESSONS_PER_MODULE, min(e.lessons, (m + 1) * LESSONS_PER_MODULE)):
                    steps.append(("lesson", lesson))
                if m in e.quiz_modules:
                    steps.append(("quiz", m))
            times = sorted(rng.randint(e.start + 60, now - 60) for _ in steps)
            e.last_activity = times[-1] if times else e.start
            for (kind, what), at in zip(steps, times, strict=True):
                if kind == "lesson":
                    progress_n += 1
                    lesson = self.lesson_number(e.course, what)
                    self.progress_rows.append(
                        f"{sid('progress', progress_n)}\t{sid('user', e.user)}\t{sid('lesson', lesson)}\t"
                        f"{sid('course', e.course)}\t{self.clock.ts(at)}"
                    )
                    self.xp.append(
                        (e.user, "lesson_complete", lesson_points, at, "catalog.lesson", sid("lesson", lesson))
                    )
                else:
                    module = self.module_number(e.course, what)
                    if rng.random() < 0.1:  # a failed try first
                        attempt_n += 1
                        self.attempt_rows.append((attempt_n, e.user, module, False, at - 600))
                    attempt_n += 1
                    self.attempt_rows.append((attempt_n, e.user, module, True, at))
                    self.xp.append((e.user, "quiz_pass", quiz_points, at, "catalog.module", sid("module", module)))
            if complete:
                e.completed_at = e.last_activity + 1
                self.xp.append(
                    (
                        e.user,
                        "course_complete",
                        course_points,
                        e.completed_at,
                        "catalog.course",
                        sid("course", e.course),
                    )
                )
            by_course[e.course]["learners"] += 1

    def build_forum(self) -> None:
        rng = self.rng
        now = self.now
        clock = self.clock
        by_course: dict[int, list[Enr]] = defaultdict(list)
        for e in self.enrollments:
            by_course[e.course].append(e)
        courses = {c["n"]: c for c in self.courses}
        lesson_titles = [
            f"{topic} {part}"
            for topics in TOPICS.values()
            for topic in topics
            for part in ("setup", "basics", "errors", "performance")
        ]
        self.posts: list[str] = []
        self.replies: list[str] = []
        self.votes: list[str] = []
        self.flags: list[str] = []
        # (post author, reply number, time, post title, course, post number), for the notifications
        self.reply_notices: list[tuple[int, int, int, str, int, int]] = []
        forum_events: list[tuple] = []  # (user, type, base points, time, source kind, source id)
        reply_n = vote_n = flag_n = 0
        accept_target = int(self.target_posts * 0.3)
        accepted = 0
        for p in range(1, self.target_posts + 1):
            e = self.enrollments[rng.randrange(len(self.enrollments))]
            course = courses[e.course]
            posted = rng.randint(max(e.start, now - HISTORY_DAYS * 86400) + 60, now - 120)
            module = self.module_number(e.course, rng.randrange(MODULES_PER_COURSE)) if rng.random() < 0.7 else None
            topic = rng.choice(lesson_titles)
            title = f"{rng.choice(('Stuck on', 'Question about', 'Help with', 'Best practice for'))} {topic} (#{p})"
            body = f"I followed the lesson on {topic} but my result differs from the video. What am I missing?"
            forum_events.append(
                (e.user, "forum_post", settings.XP_POINTS["forum_post"], posted, "forum.post", sid("post", p))
            )
            peers = by_course[e.course]
            replies = []
            for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 4))):
                # Mostly fellow learners; now and then the course's instructor.
                author = course["instructor"] if rng.random() < 0.15 else peers[rng.randrange(len(peers))].user
                if author == e.user:
                    continue
                reply_n += 1
                at = min(now - 60, posted + rng.randint(600, 3 * 86400))
                replies.append((reply_n, author, at))
            accepted_reply = ""
            if replies and accepted < accept_target:
                accepted += 1
                number, author, at = replies[0]
                accepted_at = min(now - 30, at + 3600)
                accepted_reply = sid("reply", number)
                forum_events.append(
                    (
                        author,
                        "answer_accepted",
                        settings.XP_POINTS["answer_accepted"],
                        accepted_at,
                        "forum.reply",
                        accepted_reply,
                    )
                )
            for number, author, at in replies:
                # notifications.receivers: every reply notifies the question's author (never their own).
                self.reply_notices.append((e.user, number, at, title, e.course, p))
                first_accepted = clock.ts(min(now - 30, at + 3600)) if sid("reply", number) == accepted_reply else r"\N"
                self.replies.append(
                    f"{sid('reply', number)}\t{clock.ts(at)}\t{clock.ts(at)}\t{sid('post', p)}\t{sid('user', author)}\t"
                    f"Check the {topic} notes: the version in the video is older. Pin it and it works."
                    f"\t{first_accepted}"
                )
            score = 0
            voters = set()
            for _ in range(rng.randint(0, 4)):
                voter = peers[rng.randrange(len(peers))].user
                if voter == e.user or voter in voters:
                    continue
                voters.add(voter)
                value = 1 if rng.random() < 0.85 else -1
                score += value
                vote_n += 1
                at = clock.ts(min(now - 60, posted + rng.randint(60, 5 * 86400)))
                self.votes.append(f"{sid('vote', vote_n)}\t{sid('post', p)}\t{sid('user', voter)}\t{value}\t{at}\t{at}")
            if rng.random() < 0.001:
                reporter = peers[rng.randrange(len(peers))].user
                if reporter != e.user:
                    flag_n += 1
                    at = clock.ts(min(now - 60, posted + 7200))
                    self.flags.append(
                        f"{sid('flag', flag_n)}\t{at}\t{at}\t{sid('user', reporter)}\t{sid('post', p)}"
                        f"\tOff-topic: not about this course."
                    )
            self.posts.append(
                f"{sid('post', p)}\t{clock.ts(posted)}\t{clock.ts(posted)}\t{sid('course', e.course)}\t"
                f"{sid('module', module) if module else NULL}\t{sid('user', e.user)}\t{title}\t{body}\t"
                f"{score}\t{len(replies)}\t{accepted_reply or NULL}"
            )
        # The daily forum cap, applied in time order per user and local day exactly as xp_award does.
        cap = settings.XP_FORUM_DAILY_CAP
        earned: dict[tuple[int, datetime.date], int] = defaultdict(int)
        for user, kind, points, at, source_kind, source in sorted(forum_events, key=lambda ev: (ev[0], ev[3])):
            day = clock.local_date(at)
            allowed = max(0, min(points, cap - earned[(user, day)]))
            earned[(user, day)] += allowed
            self.xp.append((user, kind, allowed, at, source_kind, source))

    def build_badges_and_certificates(self) -> None:
        from certificates.models import NUMBER_PREFIX, CertificateNumberCounter
        from gamification.models import Badge

        badges = list(Badge.objects.values_list("pk", "rule_type", "event_type", "threshold"))
        per_user: dict[int, list[tuple]] = defaultdict(list)
        for event in self.xp:
            per_user[event[0]].append(event)
        self.user_badges: list[str] = []
        number = 0
        for user, events in per_user.items():
            events.sort(key=lambda ev: ev[3])
            counts: dict[str, int] = defaultdict(int)
            total = 0
            pending = list(badges)
            for _, kind, points, at, *_ in events:
                counts[kind] += 1
                total += points
                still = []
                for badge in pending:
                    pk, rule, event_type, threshold = badge
                    reached = (
                        total >= threshold if rule == "xp_total" else (event_type == kind and counts[kind] >= threshold)
                    )
                    if reached:
                        number += 1
                        self.user_badges.append(
                            f"{sid('badge', number)}\t{sid('user', user)}\t{pk}\t{self.clock.ts(at)}"
                        )
                    else:
                        still.append(badge)
                pending = still
                if not pending:
                    break
        # Certificates, numbered per year without gaps after those already issued.
        finished = sorted((e for e in self.enrollments if e.completed_at), key=lambda e: e.completed_at)
        last = dict(CertificateNumberCounter.objects.values_list("year", "last_number"))
        self.certificates: list[str] = []
        cert_rng = random.Random(RANDOM_SEED + 1)  # noqa: S311 - reproducible data
        for n, e in enumerate(finished, start=1):
            issued = self.clock.local_date(e.completed_at)
            last[issued.year] = last.get(issued.year, 0) + 1
            code = f"{cert_rng.getrandbits(128):032x}"[:22]  # deterministic, like everything in the seed
            at = self.clock.ts(e.completed_at)
            self.certificates.append(
                f"{sid('certificate', n)}\t{at}\t{at}\t{sid('user', e.user)}\t{sid('course', e.course)}\t"
                f"{NUMBER_PREFIX}-{issued.year}-{last[issued.year]:06d}\t{code}\t{issued.isoformat()}\t\tvalid"
            )
        self.counters = last

    # --- writing ----------------------------------------------------------------------------------

    def build_reviews(self) -> None:
        """Reviews by learners with at least one lesson done, some hours after their last step."""
        rng = self.rng
        stars, weights = list(REVIEW_STAR_WEIGHTS), list(REVIEW_STAR_WEIGHTS.values())
        texts = [text for _, text in content.REVIEW_TEXTS]
        self.reviews: list[str] = []
        ts = self.clock.ts
        for e in self.enrollments:
            if e.lessons < 1 or rng.random() >= REVIEW_SHARE:
                continue
            at = min(self.now - 60, e.last_activity + rng.randint(600, 3 * 86400))
            rating = rng.choices(stars, weights=weights)[0]
            body = texts[rng.randrange(len(texts))]
            self.reviews.append(
                f"{sid('review', len(self.reviews) + 1)}\t{ts(at)}\t{ts(at)}\t{sid('course', e.course)}\t"
                f"{sid('user', e.user)}\t{rating}\t{body}\tt\t0\t\t{NULL}\t{NULL}"
            )

    def build_notifications(self) -> None:
        """The inbox as delivery would have left it (notifications.services.notifications_deliver): one row per
        recipient and event, the channels of the recipient's preferences, e-mails sent, older ones mostly read."""
        from notifications.models import Kind

        rng = self.rng
        ts = self.clock.ts
        now = self.now
        # Preferences: e-mail off for forum replies, or the inbox off for announcements (e-mail only).
        self.preferences: list[str] = []
        choices: dict[tuple[int, str], tuple[bool, bool]] = {}
        for user in range(1, self.n_students + 1):
            if rng.random() >= PREFERENCE_SHARE:
                continue
            for kind, in_app, email in ((Kind.FORUM_REPLY, True, False), (Kind.ANNOUNCEMENT, False, True)):
                if rng.random() < 0.6:
                    choices[(user, kind)] = (in_app, email)
                    self.preferences.append(
                        f"{sid('preference', len(self.preferences) + 1)}\t{sid('user', user)}\t{kind}"
                        f"\t{_text(in_app)}\t{_text(email)}\t{ts(now - 86400)}"
                    )
        self.notifications: list[str] = []

        def notify(user: int, kind: str, source_key: str, at: int, title: str, link: str) -> None:
            in_app, email = choices.get((user, kind), (True, True))
            read_share = READ_SHARE_OLD if now - at > READ_AFTER else READ_SHARE_NEW
            read = ts(min(now - 1, at + rng.randint(60, 2 * 86400))) if in_app and rng.random() < read_share else NULL
            self.notifications.append(
                f"{sid('notification', len(self.notifications) + 1)}\t{sid('user', user)}\t{kind}\t{source_key}"
                f"\t{title}\t\t{link}\t{ts(at)}\t{read}\t{_text(in_app)}\t{_text(email)}"
                f"\t{ts(min(now, at + 30)) if email else NULL}"
            )

        finished = sorted((e for e in self.enrollments if e.completed_at), key=lambda e: e.completed_at)
        titles = {c["n"]: c["title"] for c in self.courses}
        for n, e in enumerate(finished, start=1):  # numbered as build_badges_and_certificates numbers them
            certificate = sid("certificate", n)
            notify(
                e.user,
                Kind.CERTIFICATE_ISSUED,
                certificate,
                e.completed_at,
                f"Your certificate for “{titles[e.course]}” is ready",
                f"/certificates/{certificate}",
            )
        for author, number, at, title, course, post in self.reply_notices:
            link = f"/courses/{sid('course', course)}/forum/{sid('post', post)}"
            notify(author, Kind.FORUM_REPLY, sid("reply", number), at, f"New reply to “{title}”"[:300], link)
        # Announcements: a share of published courses, to the learners enrolled when it went out.
        self.announcements: list[str] = []
        by_course: dict[int, list[Enr]] = defaultdict(list)
        for e in self.enrollments:
            by_course[e.course].append(e)
        courses = {c["n"]: c for c in self.courses}
        for course in self.published:
            if rng.random() >= ANNOUNCEMENT_SHARE:
                continue
            at = now - rng.randint(3600, HISTORY_DAYS * 86400)
            announcement = sid("announcement", len(self.announcements) + 1)
            self.announcements.append(
                f"{announcement}\t{sid('course', course)}\t{sid('user', courses[course]['instructor'])}"
                f"\tLive doubt-clearing session this Saturday\tBring your questions about the last module.\t{ts(at)}"
            )
            for e in by_course[course]:
                if e.start < at:
                    notify(
                        e.user,
                        Kind.ANNOUNCEMENT,
                        announcement,
                        at,
                        f"{titles[course]}: Live doubt-clearing session this Saturday",
                        f"/courses/{sid('course', course)}/announcements",
                    )

    def write(self) -> None:
        from allauth.account.models import EmailAddress

        from accounts.models import User
        from assessments.models import Quiz, QuizAttempt, QuizResult
        from billing.models import Payment
        from catalog.models import Course, Enrollment, Lesson, LessonProgress, Module, ModuleQuizPass
        from certificates.models import Certificate, CertificateNumberCounter
        from forum.models import Flag, Post, Reply, Vote
        from gamification.models import UserBadge, XPEvent
        from notifications.models import Announcement, Notification, NotificationPreference
        from reviews.models import Review

        ts = self.clock.ts
        password = make_password(content.DEMO_PASSWORD)
        self.copy(
            User,
            [
                "id",
                "email",
                "full_name",
                "role",
                "domain_id",
                "branch",
                "year",
                "is_active",
                "is_staff",
                "is_superuser",
                "is_suspended",
                "suspension_reason",
                "onboarding_completed_at",
                "created_at",
                "password",
            ],
            (
                f"{sid('user', n)}\t{email}\t{name}\t{role}\t{self.domain_ids[domain] if domain else NULL}\t"
                f"{BRANCHES[n % len(BRANCHES)] if role == 'student' else ''}"
                f"\t{(n % 4) + 1 if role == 'student' else NULL}\t"
                f"t\t{'t' if role == 'admin' else 'f'}\t{'t' if role == 'admin' else 'f'}\tf\t"
                f"\t{ts(created + 600)}\t{ts(created)}\t{password}"
                for n, email, name, role, domain, created in self.users
            ),
            len(self.users),
        )
        self.copy(
            EmailAddress,
            ["user_id", "email", "verified", "primary"],
            (f"{sid('user', n)}\t{email}\tt\tt" for n, email, *_ in self.users),
            len(self.users),
        )
        self.copy(
            Course,
            [
                "id",
                "created_at",
                "updated_at",
                "title",
                "slug",
                "description",
                "domain_id",
                "instructor_id",
                "price",
                "thumbnail_url",
                "status",
                "rejection_reason",
                "submitted_at",
                "published_at",
                "learner_count",
            ],
            (
                f"{sid('course', c['n'])}\t{ts(c['created'])}\t{ts(c['published'] or c['created'])}"
                f"\t{c['title']}\t{c['slug']}\t"
                f"Learn {c['title']} step by step with projects and quizzes.\t{self.domain_ids[c['domain']]}\t"
                f"{sid('user', c['instructor'])}\t{c['price']}"
                f"\t{content.CDN_BASE}/thumbnails/{c['slug']}.jpg\t{c['status']}\t"
                f"{'Please add subtitles to every video.' if c['status'] == 'rejected' else ''}\t"
                f"{ts(c['created'] + 86400) if c['status'] != 'draft' else NULL}\t"
                f"{ts(c['published']) if c['published'] else NULL}\t{c['learners']}"
                for c in self.courses
            ),
            len(self.courses),
        )
        modules, lessons, quizzes = [], [], []
        for c in self.courses:
            created = ts(c["created"])
            for m in range(MODULES_PER_COURSE):
                module = self.module_number(c["n"], m)
                modules.append(
                    f"{sid('module', module)}\t{created}\t{created}\t{sid('course', c['n'])}\tModule {m + 1}: "
                    f"{c['title']} part {m + 1}\t\t{m + 1}\t60\t{QUESTIONS_PER_MODULE}"
                )
                for q in range(QUESTIONS_PER_MODULE):
                    quizzes.append(
                        f"{sid('quiz', self.quiz_number(module, q))}\t{created}\t{created}\t{sid('module', module)}\t"
                        f"Question {q + 1} of module {m + 1}: which statement is true?\t"
                        f'["The first statement", "The second statement", "The third statement", "None of them"]\t'
                        f"{(module + q) % 4}\t[{(module + q) % 4}]\t{q + 1}\tSee lesson {q + 1} of this module."
                    )
                for p in range(LESSONS_PER_MODULE):
                    index = m * LESSONS_PER_MODULE + p
                    urls = content.lesson_urls(c["slug"], m + 1, p + 1, index)
                    lessons.append(
                        f"{sid('lesson', self.lesson_number(c['n'], index))}\t{created}\t{created}"
                        f"\t{sid('module', module)}\t"
                        f"Lesson {p + 1}: {c['title']} in action\t\t{p + 1}"
                        f"\t{urls['video_url']}\t{urls['materials_url']}\t"
                        f"{urls['subtitle_url']}\t{300 + 30 * (index % 20)}\t{'t' if index == 0 else 'f'}"
                    )
        self.copy(
            Module,
            [
                "id",
                "created_at",
                "updated_at",
                "course_id",
                "title",
                "description",
                "position",
                "pass_mark",
                "quiz_question_count",
            ],
            modules,
            len(modules),
        )
        self.copy(
            Lesson,
            [
                "id",
                "created_at",
                "updated_at",
                "module_id",
                "title",
                "description",
                "position",
                "video_url",
                "materials_url",
                "subtitle_url",
                "duration_seconds",
                "is_preview",
            ],
            lessons,
            len(lessons),
        )
        self.copy(
            Quiz,
            [
                "id",
                "created_at",
                "updated_at",
                "module_id",
                "question",
                "options",
                "correct_option",
                "correct_options",
                "position",
                "explanation",
            ],
            quizzes,
            len(quizzes),
        )
        prices = {c["n"]: c["price"] for c in self.courses}
        paid = [e for e in self.enrollments if prices[e.course] > 0]
        self.copy(
            Payment,
            [
                "id",
                "created_at",
                "updated_at",
                "user_id",
                "course_id",
                "amount",
                "currency",
                "status",
                "razorpay_order_id",
                "payment_id",
                "receipt",
                "signature",
                "paid_at",
            ],
            (
                f"{sid('payment', e.number)}\t{ts(e.start - 120)}\t{ts(e.start)}"
                f"\t{sid('user', e.user)}\t{sid('course', e.course)}\t"
                f"{int(prices[e.course] * 100)}\tINR\tpaid\torder_S{e.number:012d}\tpay_S{e.number:014d}\t"
                f"dca_scale_{e.number:012d}\t{e.number:064x}\t{ts(e.start)}"
                for e in paid
            ),
            len(paid),
        )
        self.copy(
            Enrollment,
            [
                "id",
                "created_at",
                "updated_at",
                "user_id",
                "course_id",
                "source",
                "status",
                "revoke_reason",
                "progress_percent",
                "completed_lessons",
                "last_lesson_id",
                "completed_at",
            ],
            (
                f"{sid('enrollment', e.number)}\t{ts(e.start)}\t{ts(max(e.start, e.last_activity))}"
                f"\t{sid('user', e.user)}\t"
                f"{sid('course', e.course)}\t{'payment' if prices[e.course] > 0 else 'free'}\tactive\t\t"
                f"{e.lessons * 100 // LESSONS_PER_COURSE}\t{e.lessons}\t"
                f"{sid('lesson', self.lesson_number(e.course, e.lessons - 1)) if e.lessons else NULL}\t"
                f"{ts(e.completed_at) if e.completed_at else NULL}"
                for e in self.enrollments
            ),
            len(self.enrollments),
        )
        self.copy(
            LessonProgress,
            ["id", "user_id", "lesson_id", "course_id", "completed_at"],
            self.progress_rows,
            len(self.progress_rows),
        )
        total = QUESTIONS_PER_MODULE
        self.copy(
            QuizAttempt,
            [
                "id",
                "user_id",
                "module_id",
                "score",
                "points",
                "total",
                "percentage",
                "pass_mark",
                "passed",
                "created_at",
                "submitted_at",
            ],
            (
                f"{sid('attempt', n)}\t{sid('user', user)}\t{sid('module', module)}"
                f"\t{total if passed else 1}\t{total if passed else 1}\t{total}\t"
                f"{'100.00' if passed else '33.33'}\t60\t{'t' if passed else 'f'}\t{ts(at)}\t{ts(at)}"
                for n, user, module, passed, at in self.attempt_rows
            ),
            len(self.attempt_rows),
        )

        passes = [(n, user, module, at) for n, user, module, passed, at in self.attempt_rows if passed]
        self.copy(
            ModuleQuizPass,
            ["id", "user_id", "module_id", "course_id", "passed_at"],
            (
                f"{sid('quizpass', n)}\t{sid('user', user)}\t{sid('module', module)}"
                f"\t{sid('course', (module - 1) // MODULES_PER_COURSE + 1)}\t{ts(at)}"
                for n, user, module, at in passes
            ),
            len(passes),
        )

        def results():
            number = 0
            for n, user, module, passed, at in self.attempt_rows:
                when = ts(at)
                for q in range(QUESTIONS_PER_MODULE):
                    number += 1
                    correct = (module + q) % 4
                    right = passed or q == 0
                    yield (
                        f"{sid('result', number)}\t{sid('attempt', n)}"
                        f"\t{sid('quiz', self.quiz_number(module, q))}\t{sid('user', user)}\t"
                        f"Question {q + 1}: which statement is true?"
                        f"\t{q + 1}\t{correct if right else (correct + 1) % 4}\t"
                        f"[{correct if right else (correct + 1) % 4}]\t[{correct}]\t{1 if right else 0}\t"
                        f"{'t' if right else 'f'}\t{when}"
                    )

        self.copy(
            QuizResult,
            [
                "id",
                "attempt_id",
                "quiz_id",
                "user_id",
                "question",
                "position",
                "selected_option",
                "selected_options",
                "correct_options",
                "credit",
                "is_correct",
                "timestamp",
            ],
            results(),
            len(self.attempt_rows) * QUESTIONS_PER_MODULE,
        )
        self.copy(
            Certificate,
            [
                "id",
                "created_at",
                "updated_at",
                "user_id",
                "course_id",
                "certificate_number",
                "verification_code",
                "issue_date",
                "file",
                "status",
            ],
            self.certificates,
            len(self.certificates),
        )
        for year, last_number in self.counters.items():
            CertificateNumberCounter.objects.update_or_create(year=year, defaults={"last_number": last_number})
        self.copy(
            Post,
            [
                "id",
                "created_at",
                "updated_at",
                "course_id",
                "module_id",
                "user_id",
                "title",
                "body",
                "votes",
                "reply_count",
                "accepted_reply_id",
            ],
            self.posts,
            len(self.posts),
        )
        self.copy(
            Reply,
            ["id", "created_at", "updated_at", "post_id", "user_id", "body", "first_accepted_at"],
            self.replies,
            len(self.replies),
        )
        self.copy(Vote, ["id", "post_id", "user_id", "value", "created_at", "updated_at"], self.votes, len(self.votes))
        self.copy(
            Flag,
            ["id", "created_at", "updated_at", "reporter_id", "post_id", "reason", "status"],
            (f + "\topen" for f in self.flags),
            len(self.flags),
        )
        self.copy(
            XPEvent,
            ["id", "user_id", "type", "points", "timestamp", "source_type", "source_id"],
            (
                f"{sid('xp', n)}\t{sid('user', user)}\t{kind}\t{points}\t{ts(at)}\t{source_kind}\t{source}"
                for n, (user, kind, points, at, source_kind, source) in enumerate(self.xp, start=1)
            ),
            len(self.xp),
        )
        self.copy(UserBadge, ["id", "user_id", "badge_id", "awarded_at"], self.user_badges, len(self.user_badges))
        self.copy(
            Review,
            [
                "id",
                "created_at",
                "updated_at",
                "course_id",
                "user_id",
                "rating",
                "body",
                "is_counted",
                "helpful_count",
                "reply_body",
                "replied_at",
                "edited_at",
            ],
            self.reviews,
            len(self.reviews),
        )
        self.copy(
            NotificationPreference,
            ["id", "user_id", "kind", "in_app", "email", "updated_at"],
            self.preferences,
            len(self.preferences),
        )
        self.copy(
            Announcement,
            ["id", "course_id", "author_id", "title", "body", "created_at"],
            self.announcements,
            len(self.announcements),
        )
        self.copy(
            Notification,
            [
                "id",
                "user_id",
                "kind",
                "source_key",
                "title",
                "body",
                "link",
                "created_at",
                "read_at",
                "in_app",
                "email_wanted",
                "emailed_at",
            ],
            self.notifications,
            len(self.notifications),
        )


def _skip_fk_triggers() -> bool:
    """Skip per-row foreign-key triggers for this transaction when allowed (superuser): the rows are
    generated consistent, and checking millions of references one by one doubles the load time."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        return True
    except DatabaseError:
        return False


def scale_seed(*, users: int, log: Callable[[str], None], progress: bool = True) -> ScaleReport | None:
    """Load scale data for ``users`` users; None if it is already there. PostgreSQL only."""
    from accounts.models import User
    from catalog.search import course_search_documents_rebuild
    from gamification.services import leaderboards_rebuild
    from reviews.services import course_ratings_rebuild

    if connection.vendor != "postgresql":
        raise RuntimeError("Scale data needs PostgreSQL (COPY).")
    if User.objects.filter(email__iexact=MARKER_EMAIL).exists():
        return None
    started = time.monotonic()
    builder = ScaleBuilder(users=users, progress=progress, log=log)
    steps = [
        ("users", builder.build_users),
        ("catalogue", builder.build_catalogue),
        ("enrollments", builder.build_enrollments),
        ("history", builder.build_history),
        ("forum", builder.build_forum),
        ("badges and certificates", builder.build_badges_and_certificates),
        ("reviews", builder.build_reviews),
        ("notifications", builder.build_notifications),
    ]
    for _name, step in tqdm(steps, desc="generating", unit=" step", disable=not progress):
        step()
    with transaction.atomic():
        fast = _skip_fk_triggers()
        log(f"Loading with COPY{' (foreign-key triggers skipped)' if fast else ''}…")
        builder.write()
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
        # The search triggers did not run for rows copied with triggers skipped: one pass writes them all.
        course_search_documents_rebuild()
        # The courses' rating figures from the reviews just loaded, through the reviews app's own recount.
        builder.counts["courses with ratings"] = len(course_ratings_rebuild())
        rebuilt = time.monotonic()
        drift = leaderboards_rebuild(fix=True)
        builder.counts["xp roll-ups (built)"] = drift.missing_count
        log(
            f"Leaderboard roll-ups built from the ledger by leaderboards_rebuild in {time.monotonic() - rebuilt:.1f} s."
        )
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # inside a caller's transaction (the tests), where VACUUM is refused
            cursor.execute("ANALYZE")
        else:
            # Statistics for the planner, and the visibility map autovacuum would set on a live database:
            # without it, index-only scans (leaderboard ranks, counts) read the heap and are ~10x slower.
            cursor.execute("VACUUM (ANALYZE)")
    return ScaleReport(seconds=time.monotonic() - started, counts=builder.counts)
