"""The demo platform: a few dozen people, twelve courses and two months of learning, built through the
real services so every signal fires as in production (XP, badges, certificates, audit entries).

History is replayed in time order under a fixed clock (``_clock``): each step runs with
``django.utils.timezone.now`` returning the moment it happened, so enrollments, progress, XP events, their
leaderboard roll-ups, badges, payments, certificates and forum threads all carry consistent, back-dated
times. The gamification app's own ``leaderboards_rebuild`` then checks the roll-ups against the ledger.

The history is alive whenever it is loaded: the demo student and the most active learners keep a daily
streak over the last ``STREAK_DAYS`` local days, today included (even a minute after midnight), so today's,
this week's and this month's leaderboards all have people on them, and differ whenever the periods do.

Deterministic (a fixed random seed; natural keys: emails, course slugs, positions) and idempotent: every
step first looks for what it would create, so a second run adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.services import user_onboarding_complete
from assessments.models import Quiz, QuizAttempt
from assessments.services import (
    module_needs_start,
    quiz_attempt_finish,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_create,
)
from billing.models import Coupon, Payment, PayoutStatement
from billing.services import (
    coupon_create,
    payment_settle_captured,
    payout_statement_mark_paid,
    payout_statements_issue,
)
from catalog.models import Course, Domain, Enrollment, Lesson, Module, WishlistItem
from catalog.services import (
    course_approve,
    course_create,
    course_reject,
    course_submit,
    enrollment_create,
    lesson_complete,
    lesson_create,
    module_create,
    wishlist_add,
)
from certificates.models import Certificate
from common.timeutils import local_date, local_midnight, month_start
from forum.models import Flag, Post, Reply
from forum.services import flag_create, post_create, post_vote, reply_accept, reply_create
from gamification.services import leaderboards_rebuild
from notifications.models import Announcement, Kind, Notification
from notifications.services import announcement_create, notifications_deliver
from reviews.models import Review
from reviews.services import review_create, review_helpful_set, review_reply
from seed import content

RANDOM_SEED = 20260101
DAY = datetime.timedelta(days=1)
# A week's boundary is at most 6 local days back and a month's is either within the week or before it: one
# learning step on each of the last 8 days puts activity on both sides of whichever boundary comes later.
STREAK_DAYS = 8
# Besides the demo student, these learners (indexes into content.STUDENTS) keep a streak.
ACTIVE_LEARNERS = range(1, 6)


# The quiz settings of some modules (by position), so the demo shows them: module 2 draws three questions
# with shuffled options against a clock and reveals answers at once; module 3 never reveals them.
DEMO_QUIZ_SETTINGS: dict[int, dict] = {
    2: {
        "questions_per_attempt": 3,
        "shuffle_options": True,
        "time_limit_seconds": 900,
        "max_attempts": 5,
        "reveal": "immediately",
    },
    3: {"reveal": "never"},
}


@contextlib.contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Run the block as if it were ``moment``: services, auto_now fields and on-commit work read this time."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass(frozen=True)
class Step:
    at: datetime.datetime
    order: int  # keeps steps at the same moment in the order they were planned
    run: Callable[[], None]


class DemoBuilder:
    def __init__(self, *, now: datetime.datetime, log: Callable[[str], None]) -> None:
        self.now = now
        self.log = log
        self.today = local_date(now)
        # The latest moment a step may take: a little before now, but never before today's local midnight
        # (just after midnight, "a few minutes ago" would be yesterday, and today would stay empty).
        self.latest = max(local_midnight(self.today), now - datetime.timedelta(minutes=5))
        self.rng = random.Random(RANDOM_SEED)  # noqa: S311 - reproducible data, not secrets
        # One hash for every demo account: hashing is deliberately slow, and they share the password.
        self.password_hash = make_password(content.DEMO_PASSWORD)
        self.users: dict[str, User] = {}
        self.domains: dict[str, Domain] = {}
        self.courses: dict[str, Course] = {}
        self.steps: list[Step] = []

    # --- people and catalogue ----------------------------------------------------------------------

    def _user(self, email: str, full_name: str, role: str, created_days_ago: float) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(
                email=email,
                full_name=full_name,
                role=role,
                password=self.password_hash,
                created_at=self.now - datetime.timedelta(days=created_days_ago),
            )
            user.save()
        # Verified, so password login works even where ACCOUNT_EMAIL_VERIFICATION is mandatory.
        EmailAddress.objects.get_or_create(user=user, email=email.lower(), defaults={"verified": True, "primary": True})
        self.users[email] = user
        return user

    def people(self) -> None:
        for slug, name, description in content.DOMAINS:
            self.domains[slug], _ = Domain.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
        email, name = content.ADMIN
        self._user(email, name, User.Role.ADMIN, created_days_ago=120)
        for index, (email, name) in enumerate(content.INSTRUCTORS):
            self._user(email, name, User.Role.INSTRUCTOR, created_days_ago=115 - index)
        for index, (email, name, domain, branch, year) in enumerate(content.STUDENTS):
            joined = 100 - index
            user = self._user(email, name, User.Role.STUDENT, created_days_ago=joined)
            if user.onboarding_required:
                with _clock(self.now - datetime.timedelta(days=joined) + datetime.timedelta(minutes=10)):
                    user_onboarding_complete(
                        user=user, full_name=name, domain=self.domains[domain], branch=branch, year=year
                    )

    def catalogue(self) -> None:
        admin = self.users[content.ADMIN_EMAIL]
        distractor_pool = [lesson for spec in content.COURSES for module in spec.modules for lesson in module.lessons]
        for index, spec in enumerate(content.COURSES):
            existing = Course.objects.filter(slug=spec.slug).first()
            if existing is not None:
                self.courses[spec.slug] = existing
                continue
            created = self.now - datetime.timedelta(days=95 - index)
            with _clock(created):
                course = course_create(
                    instructor=self.users[spec.instructor],
                    title=spec.title,
                    domain=self.domains[spec.domain],
                    description=spec.description,
                    price=spec.price,
                    thumbnail_url=f"{content.CDN_BASE}/thumbnails/{spec.slug}.jpg",
                )
                if course.slug != spec.slug:  # the slug is the demo's natural key
                    raise RuntimeError(f"Course slug {course.slug!r} differs from {spec.slug!r}")
                self._curriculum(course, spec, distractor_pool, index)
            if spec.status != Course.Status.DRAFT:
                with _clock(created + 2 * DAY):
                    course = course_submit(course=course)
            if spec.status == Course.Status.PUBLISHED:
                with _clock(created + 3 * DAY):
                    course = course_approve(course=course, actor=admin)
            elif spec.status == Course.Status.REJECTED:
                with _clock(created + 3 * DAY):
                    course = course_reject(course=course, actor=admin, reason=spec.rejection_reason)
            self.courses[spec.slug] = course

    def _curriculum(self, course: Course, spec: content.CourseSpec, pool: list[str], course_index: int) -> None:
        for m_pos, module_spec in enumerate(spec.modules, start=1):
            module = module_create(
                course=course, title=module_spec.title, position=m_pos, **DEMO_QUIZ_SETTINGS.get(m_pos, {})
            )
            for l_pos, title in enumerate(module_spec.lessons, start=1):
                lesson_create(
                    module=module,
                    title=title,
                    position=l_pos,
                    description=f"{title}: a short video with notes and a worked example.",
                    duration_seconds=300 + 60 * ((course_index + m_pos * 3 + l_pos) % 12),
                    is_preview=m_pos == 1 and l_pos == 1,
                    **content.lesson_urls(spec.slug, m_pos, l_pos, course_index + m_pos + l_pos),
                )
            distractors = [title for title in pool if title not in module_spec.lessons]
            start = (course_index * 7 + m_pos * 5) % (len(distractors) - 3)
            for question, options, correct, explanation in content.module_questions(
                module_spec, distractors[start : start + 3]
            ):
                quiz_create(
                    module=module, question=question, options=options, correct_option=correct, explanation=explanation
                )

    # --- learning history ---------------------------------------------------------------------------

    def _add(self, at: datetime.datetime, run: Callable[[], None]) -> None:
        self.steps.append(Step(at=min(at, self.latest), order=len(self.steps), run=run))

    def _streak_slots(self, *, days: int, after: datetime.datetime) -> list[datetime.datetime]:
        """One moment on each of the last ``days`` local days (oldest first, today last), later than ``after``;
        daytime hours, and today's no later than ``self.latest``."""
        slots = []
        for days_ago in range(days - 1, -1, -1):
            midnight = local_midnight(self.today - datetime.timedelta(days=days_ago))
            moment = min(midnight + datetime.timedelta(hours=8, minutes=self.rng.randint(0, 600)), self.latest)
            if moment > after:
                slots.append(moment)
        return slots

    def _enroll(self, user: User, course: Course) -> None:
        if Enrollment.objects.filter(user=user, course=course).exists():
            return
        if course.is_free:
            enrollment_create(user=user, course=course)
            return
        # What Razorpay would have created and then captured: the settlement runs the real service.
        key = hashlib.sha256(f"{user.email}:{course.slug}".encode()).hexdigest()
        payment = Payment.objects.create(
            user=user,
            course=course,
            amount=int(course.price * 100),
            currency="INR",
            receipt=f"dca_demo_{key[:24]}",
            razorpay_order_id=f"order_demo{key[:14]}",
        )
        payment_settle_captured(
            payment=payment,
            razorpay_payment={
                "id": f"pay_demo{key[14:28]}",
                "order_id": payment.razorpay_order_id,
                "amount": payment.amount,
                "currency": "INR",
                "status": "captured",
            },
            signature=key[:64],
        )

    def _attempt(self, user: User, module: Module, *, seq: int, passed: bool) -> None:
        if QuizAttempt.objects.filter(user=user, module=module).count() >= seq:
            return
        questions = list(Quiz.objects.filter(module=module).order_by("position"))
        answers = [
            {
                "quiz": quiz.pk,
                "selected_option": quiz.correct_option if passed else (quiz.correct_option + 1) % len(quiz.options),
            }
            for quiz in questions
        ]
        if not module_needs_start(module=module, question_count=len(questions)):
            quiz_attempt_submit(user=user, module=module, answers=answers)
            return
        # A drawn, shuffled, timed quiz: start, then answer by the positions this attempt shows.
        attempt, _ = quiz_attempt_start(user=user, module=module)
        chosen = {str(answer["quiz"]): answer["selected_option"] for answer in answers}
        shown = [
            {"quiz": item["quiz"], "selected_options": [item["order"].index(chosen[item["quiz"]])]}
            for item in attempt.draw
        ]
        quiz_attempt_finish(user=user, attempt_id=attempt.pk, answers=shown)

    def _journey(
        self, user: User, course: Course, *, lessons_done: int, start: datetime.datetime, streak_days: int = 0
    ) -> None:
        """Enroll at ``start``, then complete ``lessons_done`` lessons in order, passing each finished
        module's quiz (sometimes after a failed try); spread evenly up to now. With ``streak_days``, the last
        steps fall one a day on the last ``streak_days`` local days, today included."""
        modules = list(Module.objects.filter(course=course).order_by("position").prefetch_related("lessons"))
        lessons = [(m, lesson) for m in modules for lesson in sorted(m.lessons.all(), key=lambda x: x.position)]
        lessons_done = min(lessons_done, len(lessons))
        events: list[Callable[[], None]] = []
        for index, (module, lesson) in enumerate(lessons[:lessons_done]):
            events.append(lambda lesson=lesson: lesson_complete(user=user, lesson=lesson))
            module_finished = index + 1 == len(lessons) or lessons[index + 1][0] != module
            if module_finished:
                if self.rng.random() < 0.3:
                    events.append(lambda module=module: self._attempt(user, module, seq=1, passed=False))
                    seq = 2
                else:
                    seq = 1
                events.append(lambda module=module, seq=seq: self._attempt(user, module, seq=seq, passed=True))
        self._add(start, lambda: self._enroll(user, course))
        slots = self._streak_slots(days=streak_days, after=start + datetime.timedelta(hours=2)) if streak_days else []
        slots = slots[len(slots) - min(len(slots), len(events)) :]
        spread, daily = events[: len(events) - len(slots)], events[len(events) - len(slots) :]
        # The spread steps end two hours before the streak's first, so the 90-minute jitter keeps their order.
        until = slots[0] - datetime.timedelta(hours=2) if slots else self.now
        gap = (until - start) / (len(spread) + 1)
        for index, event in enumerate(spread, start=1):
            jitter = datetime.timedelta(minutes=self.rng.randint(0, 90))
            self._add(start + gap * index + jitter, event)
        for at, event in zip(slots, daily, strict=True):
            self._add(at, event)

    def coupons(self) -> None:
        """Demo discount codes: a sitewide welcome code, an instructor's launch code, an ended campaign."""
        admin = self.users[content.ADMIN_EMAIL]
        paid = next(spec for spec in content.COURSES if spec.price > 0 and spec.status == Course.Status.PUBLISHED)
        for spec, actor in content.demo_coupons(paid, self.now):
            if Coupon.objects.filter(code=spec["code"]).exists():
                continue
            actor_user = admin if actor == "admin" else self.users[paid.instructor]
            courses = [self.courses[slug] for slug in spec.pop("course_slugs", [])]
            coupon_create(actor=actor_user, data={**spec, "courses": courses})

    def plan_learning(self) -> None:
        published = [spec.slug for spec in content.COURSES if spec.status == Course.Status.PUBLISHED]
        demo = self.users[content.STUDENT_EMAIL]
        # The demo student: a completed free course (certificate), a free one and a paid one in progress.
        self._journey(demo, self.courses["modern-javascript-and-react"], lessons_done=99, start=self.now - 50 * DAY)
        self._journey(
            demo,
            self.courses["python-for-data-analysis"],
            lessons_done=6,
            start=self.now - 30 * DAY,
            streak_days=STREAK_DAYS,
        )
        self._journey(
            demo, self.courses["full-stack-web-development-with-django"], lessons_done=2, start=self.now - 12 * DAY
        )
        # (email, course slug) -> when the enrollment starts, so forum activity can follow it.
        self.enrolled: dict[tuple[str, str], datetime.datetime] = {
            (content.STUDENT_EMAIL, "modern-javascript-and-react"): self.now - 50 * DAY,
            (content.STUDENT_EMAIL, "python-for-data-analysis"): self.now - 30 * DAY,
            (content.STUDENT_EMAIL, "full-stack-web-development-with-django"): self.now - 12 * DAY,
        }
        profiles = {"enrolled": (0, 0), "started": (1, 3), "halfway": (4, 7), "complete": (99, 99)}
        for index, (email, *_) in enumerate(content.STUDENTS[1:], start=1):
            for course_index, slug in enumerate(self.rng.sample(published, k=self.rng.randint(1, 3))):
                profile = self.rng.choices(list(profiles), weights=[1, 3, 3, 1])[0]
                active = index in ACTIVE_LEARNERS and course_index == 0
                if active:  # an active learner is halfway through a course they started weeks ago
                    profile = "halfway"
                low, high = profiles[profile]
                days_ago = self.rng.uniform(25, 56) if profile == "complete" or active else self.rng.uniform(3, 56)
                start = self.now - datetime.timedelta(days=days_ago)
                self._journey(
                    self.users[email],
                    self.courses[slug],
                    lessons_done=self.rng.randint(low, high),
                    start=start,
                    streak_days=STREAK_DAYS if active else 0,
                )
                self.enrolled[(email, slug)] = start

    def plan_forum(self) -> None:
        students = content.STUDENTS
        for thread_index, (slug, asker, title, body, replies) in enumerate(content.FORUM_THREADS):
            course = self.courses[slug]
            people = [asker, *[who for who, _ in replies if who != "instructor"]]
            for who in people:
                email = students[who][0]
                if (email, slug) not in self.enrolled:
                    start = self.now - datetime.timedelta(days=20 + thread_index)
                    self._journey(self.users[email], course, lessons_done=1, start=start)
                    self.enrolled[(email, slug)] = start
            # Asked a day after the last participant joined, answered over the following hours.
            joined = max(self.enrolled[(students[who][0], slug)] for who in people)
            posted = min(joined + DAY, self.now - 2 * DAY) + datetime.timedelta(hours=self.rng.randint(0, 12))
            asker_user = self.users[students[asker][0]]
            self._add(posted, lambda c=course, u=asker_user, t=title, b=body: self._post(c, u, t, b))
            for reply_index, (who, text) in enumerate(replies, start=1):
                author = self.users[course.instructor.email if who == "instructor" else students[who][0]]
                at = posted + datetime.timedelta(hours=3 * reply_index)
                self._add(at, lambda c=course, t=title, u=author, x=text: self._reply(c, t, u, x))
            voters = [
                self.users[email]
                for (email, s), start in sorted(self.enrolled.items())
                if s == slug and email != students[asker][0] and start < posted
            ]
            for vote_index, voter in enumerate(voters[:4]):
                value = -1 if thread_index == 1 and vote_index == 3 else 1
                at = posted + datetime.timedelta(hours=5 + vote_index)
                self._add(
                    at, lambda c=course, t=title, u=voter, v=value: post_vote(user=u, post=self._p(c, t), value=v)
                )
            if thread_index in (0, 2):
                # The asker accepts the first reply (XP for its author when it is someone else).
                first_author = self.users[
                    course.instructor.email if replies[0][0] == "instructor" else students[replies[0][0]][0]
                ]
                at = posted + datetime.timedelta(hours=3 * len(replies) + 1)
                self._add(
                    at,
                    lambda c=course, t=title, a=asker_user, r=first_author: reply_accept(
                        user=a, reply=self._r(c, t, r)
                    ),
                )
        # A spam reply a learner reported: it waits in the moderation queue (one open flag does not hide it).
        slug, asker, title, *_ = content.FORUM_THREADS[1]
        course = self.courses[slug]
        spammer = self.users[students[20][0]]
        spam = "Get every paid course for free!!! DM me on Telegram for the download links."
        at = self.now - 2 * DAY
        self._add(at, lambda: self._reply(course, title, spammer, spam))
        reporter = self.users[students[asker][0]]
        self._add(at + datetime.timedelta(hours=2), lambda: self._flag(course, title, spammer, reporter))

    def plan_reviews(self) -> None:
        """About half of the learners with progress review their course in the last two days (the demo
        student reviews the course they completed; its instructor replies), some find others' reviews
        helpful, and the demo student keeps two courses in their wishlist."""
        demo = self.users[content.STUDENT_EMAIL]
        completed = self.courses["modern-javascript-and-react"]
        at = self.latest - DAY
        stars, text = content.DEMO_REVIEW
        self._add(at, lambda: self._review(demo, completed, stars, text))
        self._add(
            at + datetime.timedelta(hours=3), lambda: self._review_reply(completed, demo, content.DEMO_REVIEW_REPLY)
        )
        reviewers = []
        for index, (email, slug) in enumerate(sorted(self.enrolled)):
            if email == content.STUDENT_EMAIL or self.rng.random() < 0.5:
                continue
            stars, text = content.REVIEW_TEXTS[index % len(content.REVIEW_TEXTS)]
            when = at + datetime.timedelta(minutes=7 * index)
            self._add(when, lambda u=self.users[email], c=self.courses[slug], s=stars, t=text: self._review(u, c, s, t))
            reviewers.append((email, slug))
        for index, (email, slug) in enumerate(reviewers[:6]):
            voter = self.users[reviewers[index - 1][0]] if index else demo
            when = at + datetime.timedelta(hours=4, minutes=index)
            self._add(when, lambda v=voter, u=self.users[email], c=self.courses[slug]: self._helpful(v, u, c))
        for slug in content.DEMO_WISHLIST:
            self._add(at, lambda c=self.courses[slug]: self._save(demo, c))

    def _review(self, user: User, course: Course, stars: int, text: str) -> None:
        # Only learners the rules allow (active, a lesson done by now), once.
        enrollment = Enrollment.objects.filter(user=user, course=course, status=Enrollment.Status.ACTIVE).first()
        if enrollment is None or enrollment.completed_lessons < 1:
            return
        if not Review.objects.filter(user=user, course=course).exists():
            review_create(user=user, course=course, rating=stars, body=text)

    def _review_reply(self, course: Course, author: User, body: str) -> None:
        review = Review.objects.filter(user=author, course=course, replied_at__isnull=True).first()
        if review is not None:
            review_reply(actor=course.instructor, review=review, body=body)

    def _helpful(self, voter: User, author: User, course: Course) -> None:
        review = Review.objects.filter(user=author, course=course).first()
        if review is not None and voter.pk != author.pk:
            review_helpful_set(user=voter, review=review, helpful=True)

    def _save(self, user: User, course: Course) -> None:
        if (
            course.status == Course.Status.PUBLISHED
            and not Enrollment.objects.filter(user=user, course=course).exists()
        ):
            wishlist_add(user=user, course=course)

    def _p(self, course: Course, title: str) -> Post:
        return Post.objects.get(course=course, title=title)

    def _r(self, course: Course, title: str, author: User) -> Reply:
        return Reply.objects.filter(post=self._p(course, title), user=author).order_by("created_at").first()

    def _post(self, course: Course, user: User, title: str, body: str) -> None:
        if not Post.objects.filter(course=course, title=title).exists():
            post_create(user=user, course=course, title=title, body=body)

    def _reply(self, course: Course, title: str, user: User, body: str) -> None:
        post = self._p(course, title)
        if not Reply.objects.filter(post=post, user=user, body=body).exists():
            reply_create(user=user, post=post, body=body)

    def _flag(self, course: Course, title: str, author: User, reporter: User) -> None:
        reply = self._r(course, title, author)
        if not Flag.objects.filter(reporter=reporter, reply=reply).exists():
            flag_create(user=reporter, reply=reply, reason="Spam: advertises pirated course downloads.")

    # --- announcements and notifications -------------------------------------------------------------

    def plan_announcements(self) -> None:
        for slug, days_ago, title, body in content.ANNOUNCEMENTS:
            course = self.courses[slug]
            self._add(self.now - days_ago * DAY, lambda c=course, t=title, b=body: self._announce(c, t, b))

    def _announce(self, course: Course, title: str, body: str) -> None:
        if not Announcement.objects.filter(course=course, title=title).exists():
            announcement_create(author=course.instructor, course=course, title=title, body=body)

    def notify(self) -> None:
        """Deliver now, inside the seed's transaction, what the demo student's inbox would hold once the queued
        delivery tasks ran (they find these rows and add nothing: the event keys are the receivers')."""
        demo = self.users[content.STUDENT_EMAIL]
        events = [(Kind.CERTIFICATE_ISSUED, c.pk) for c in Certificate.objects.filter(user=demo)]
        events += [
            (Kind.FORUM_REPLY, reply.pk)
            for reply in Reply.objects.filter(post__user=demo, deleted_at__isnull=True).exclude(user=demo)
        ]
        courses = Enrollment.objects.filter(user=demo, status=Enrollment.Status.ACTIVE).values("course_id")
        events += [(Kind.ANNOUNCEMENT, a.pk) for a in Announcement.objects.filter(course_id__in=courses)]
        for kind, source_id in events:
            notifications_deliver(kind=kind, source_id=source_id, source_key=str(source_id))
        # The oldest are read already, so the inbox shows both states.
        for notification in Notification.objects.filter(user=demo, read_at__isnull=True).order_by("created_at")[:2]:
            Notification.objects.filter(pk=notification.pk).update(read_at=self.latest)

    def payout_statements(self) -> None:
        """The two closed months' payout statements (every sale of the history is on one); the older one paid."""
        this_month = month_start(self.today)
        last = month_start(this_month - datetime.timedelta(days=1))
        before = month_start(last - datetime.timedelta(days=1))
        with _clock(self.latest):
            for month in (before, last):
                payout_statements_issue(month=month)
            older = PayoutStatement.objects.filter(
                instructor=self.users[content.INSTRUCTOR_EMAIL], month=before, status=PayoutStatement.Status.ISSUED
            ).first()
            if older is not None and older.payable:
                payout_statement_mark_paid(
                    statement=older, actor=self.users[content.ADMIN_EMAIL], reference=f"DEMO-NEFT-{before:%Y%m}"
                )

    def replay(self) -> int:
        for step in sorted(self.steps, key=lambda s: (s.at, s.order)):
            with _clock(step.at):
                step.run()
        return len(self.steps)


def demo_seed(*, log: Callable[[str], None] = lambda _: None, now: datetime.datetime | None = None) -> dict[str, int]:
    """Build (or complete) the demo platform; returns row counts. Safe to run any number of times."""
    builder = DemoBuilder(now=now or timezone.now(), log=log)
    # Demo payments must not mail receipts to the demo addresses.
    no_mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    with no_mail, transaction.atomic():
        builder.people()
        builder.catalogue()
        builder.coupons()
        builder.plan_learning()
        builder.plan_forum()
        builder.plan_reviews()
        builder.plan_announcements()
        builder.replay()
        builder.payout_statements()
        builder.notify()
        drift = leaderboards_rebuild(fix=True)
    if drift.count:  # pragma: no cover - would mean an award bypassed gamification.services
        log(f"Leaderboard roll-ups were out of step with the ledger in {drift.count} rows; rebuilt.")
    return demo_counts()


def demo_counts() -> dict[str, int]:
    from gamification.models import UserBadge, XPEvent, XPTotal

    return {
        "users": User.objects.count(),
        "domains": Domain.objects.count(),
        "courses": Course.objects.count(),
        "published courses": Course.objects.published().count(),
        "lessons": Lesson.objects.count(),
        "quiz questions": Quiz.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "paid payments": Payment.objects.filter(status=Payment.Status.PAID).count(),
        "payout statements": PayoutStatement.objects.count(),
        "coupons": Coupon.objects.count(),
        "quiz attempts": QuizAttempt.objects.count(),
        "certificates": Certificate.objects.count(),
        "xp events": XPEvent.objects.count(),
        "xp roll-ups": XPTotal.objects.count(),
        "badges awarded": UserBadge.objects.count(),
        "forum posts": Post.objects.count(),
        "forum replies": Reply.objects.count(),
        "open flags": Flag.objects.filter(status=Flag.Status.OPEN).count(),
        "reviews": Review.objects.count(),
        "wishlist items": WishlistItem.objects.count(),
        "announcements": Announcement.objects.count(),
        "notifications": Notification.objects.count(),
    }
