"""Load profile of ``make bench``: seeded learners browsing, learning and competing.

Each simulated user plays a different seeded learner, signed in beforehand by ``bench/prepare.py`` through
allauth's app client, and sends the access token as ``Authorization: Bearer`` as the mobile app and the
Next.js server do. Requests are grouped by route (ids replaced by ``[id]``), one report line per hot route.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, task

SESSIONS = json.load(open(os.environ.get("BENCH_SESSIONS", "bench/results/sessions.json")))  # noqa: SIM115
# Seconds a person spends on a page before the next request (reading, watching, answering).
THINK_TIME = (float(os.environ.get("BENCH_THINK_MIN", "1")), float(os.environ.get("BENCH_THINK_MAX", "3")))
_next_learner = itertools.count()
_lock = threading.Lock()


class Learner(HttpUser):
    wait_time = between(*THINK_TIME)

    def on_start(self) -> None:
        with _lock:
            me = SESSIONS["learners"][next(_next_learner) % len(SESSIONS["learners"])]
        self.client.headers["Authorization"] = f"Bearer {me['token']}"
        self.course_ids: list[str] = me["courses"]
        self.lessons: list[str] = me["lessons"]
        self.questions: dict[str, list[dict]] = me["questions"]

    # --- reads -----------------------------------------------------------------------------------

    @task(4)
    def catalogue_by_domain(self) -> None:
        domain = random.choice(SESSIONS["domains"])
        self.client.get(f"/api/courses/?domain={domain}", name="GET /api/courses/?domain=[slug]")

    @task(3)
    def course_detail(self) -> None:
        course = random.choice(SESSIONS["courses"])
        self.client.get(f"/api/courses/{course}/", name="GET /api/courses/[id]/")

    @task(3)
    def curriculum(self) -> None:
        course = random.choice(self.course_ids or SESSIONS["courses"])
        self.client.get(f"/api/courses/{course}/curriculum/", name="GET /api/courses/[id]/curriculum/")

    @task(3)
    def my_enrollments(self) -> None:
        self.client.get("/api/enrollments/", name="GET /api/enrollments/")

    @task(2)
    def leaderboard_weekly(self) -> None:
        self.client.get("/api/leaderboard/?period=weekly", name="GET /api/leaderboard/?period=weekly")

    @task(2)
    def leaderboard_monthly(self) -> None:
        self.client.get("/api/leaderboard/?period=monthly", name="GET /api/leaderboard/?period=monthly")

    @task(3)
    def forum_list(self) -> None:
        if self.course_ids:
            course = random.choice(self.course_ids)
            self.client.get(f"/api/forum/posts/?course={course}", name="GET /api/forum/posts/?course=[id]")

    # --- writes ----------------------------------------------------------------------------------

    @task(2)
    def lesson_complete(self) -> None:
        if self.lessons:
            lesson = random.choice(self.lessons)
            self.client.post(f"/api/lessons/{lesson}/complete/", name="POST /api/lessons/[id]/complete/")

    @task(1)
    def quiz_attempt(self) -> None:
        if not self.questions:
            return
        module = random.choice(list(self.questions))
        answers = [{"quiz": q["id"], "selected_option": random.randrange(q["options"])} for q in self.questions[module]]
        self.client.post(
            f"/api/modules/{module}/quiz-attempts/",
            json={"answers": answers},
            name="POST /api/modules/[id]/quiz-attempts/",
        )
