"""Sign in the learners the load run will play and read what they will work on; writes a JSON file.

Runs before locust starts, so password hashing (deliberately slow) and setup reads never fall inside the
measured window. Standard library only: ``prepare.py HOST COUNT OUT.json``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PASSWORD = "learn-with-dca"
# Learners are numbered from 1; the seed makes ~99% of 10,000 users learners.
POOL_SIZE = int(os.environ.get("BENCH_LEARNER_POOL", "9000"))


def _call(host: str, path: str, *, token: str = "", body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    # Only http://127.x / localhost hosts reach here (checked in main).
    request = urllib.request.Request(host + path, data=data, headers=headers, method="POST" if body else "GET")  # noqa: S310
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        return json.loads(response.read())


def learner(host: str, number: int) -> dict:
    email = f"learner{number:05d}@scale.example.com"
    token = _call(host, "/_allauth/app/v1/auth/login", body={"email": email, "password": PASSWORD})["meta"][
        "access_token"
    ]
    mine = _call(host, "/api/enrollments/?page_size=100", token=token)["results"]
    session = {"token": token, "courses": [e["course"]["id"] for e in mine], "lessons": [], "questions": {}}
    for course_id in session["courses"][:3]:
        for module in _call(host, f"/api/courses/{course_id}/curriculum/", token=token)["modules"]:
            session["lessons"].extend(lesson["id"] for lesson in module["lessons"])
            if len(session["questions"]) < 6:
                quizzes = _call(host, f"/api/quizzes/?module={module['id']}&page_size=100", token=token)["results"]
                if quizzes:
                    session["questions"][module["id"]] = [
                        {"id": q["id"], "options": len(q["options"])} for q in quizzes
                    ]
    return session


def main() -> None:
    host, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if not host.startswith(("http://127.", "http://localhost")):
        raise SystemExit("The benchmark only targets this machine (http://127.x.x.x or localhost).")
    domains = [d["slug"] for d in _call(host, "/api/domains/")["results"]]
    courses: list[str] = []
    for page in (1, 2, 3):
        body = _call(host, f"/api/courses/?page_size=100&page={page}")
        courses.extend(course["id"] for course in body["results"])
        if not body["next"]:
            break
    numbers = random.Random(os.environ.get("BENCH_SEED")).sample(range(1, POOL_SIZE + 1), count)
    with ThreadPoolExecutor(max_workers=8) as pool:
        learners = list(pool.map(lambda n: learner(host, n), numbers))
    with open(out, "w") as handle:
        json.dump({"domains": domains, "courses": courses, "learners": learners}, handle)
    print(f"prepared {len(learners)} signed-in learners, {len(courses)} courses, {len(domains)} domains")


if __name__ == "__main__":
    main()
