"""Load the demo platform (``seed_demo``) or, with ``--users N``, scale data for benchmarks (PostgreSQL)."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from catalog.cache import catalogue_changed
from seed import content


class Command(BaseCommand):
    help = (
        "Load demo data: sign-in accounts, domains, courses, learning history, XP, certificates and a forum. "
        "Deterministic and idempotent. With --users N (PostgreSQL only), also bulk-load scale data for "
        "N users (300 courses, 10 enrollments and 100 XP events per user at 10,000)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            type=int,
            default=0,
            help="Also build scale data for this many users (PostgreSQL only; skipped if already there).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts share a published password: never on a real site.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars (scale data).")

    def handle(self, *args, users: int, force: bool, no_progress: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: refusing to create demo accounts with a published password. "
                "Use --force on a throw-away database (for example the benchmark's)."
            )
        if users < 0:
            raise CommandError("--users must be a positive number.")
        if users and connection.vendor != "postgresql":
            raise CommandError(
                "Scale data (--users) needs PostgreSQL: it is loaded with COPY. "
                "Set DATABASE_URL=postgres://... and run again; plain `seed_demo` works on SQLite."
            )
        from seed.demo import demo_seed

        # One line per eager Celery task and issued certificate would drown the summary.
        for name in ("celery.app.trace", "certificates.services"):
            logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        started = time.monotonic()
        counts = demo_seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s:"))
        for name, value in counts.items():
            self.stdout.write(f"  {name:<20} {value:>9,}")
        if users:
            from seed.scale import scale_seed

            started = time.monotonic()
            report = scale_seed(users=users, log=self.stdout.write, progress=not no_progress)
            if report is None:
                self.stdout.write("Scale data already present: nothing to do.")
            else:
                self.stdout.write(self.style.SUCCESS(f"Scale data for {users:,} users in {report.seconds:.1f} s:"))
                for name, value in report.counts.items():
                    self.stdout.write(f"  {name:<20} {value:>11,}")
                self._check_consistency()
                self.stdout.write(f"  (total with consistency checks: {time.monotonic() - started:.1f} s)")
            catalogue_changed()  # COPY sends no save() signal: cached public reads must not outlive it
        self.stdout.write("")
        self.stdout.write(f"Sign in with password {content.DEMO_PASSWORD!r} (demo only):")
        self.stdout.write(f"  {content.ADMIN_EMAIL:<26} admin")
        self.stdout.write(f"  {content.INSTRUCTOR_EMAIL:<26} instructor (owns published courses)")
        self.stdout.write(f"  {content.STUDENT_EMAIL:<26} student (free and paid courses in progress, a certificate)")

    def _check_consistency(self) -> None:
        from gamification.services import leaderboards_rebuild
        from seed.checks import consistency_violations

        drift = leaderboards_rebuild(fix=False)
        problems = {"leaderboard roll-ups differing from the XP ledger": drift.count, **consistency_violations()}
        for name, count in problems.items():
            self.stdout.write(f"  check: {name:<58} {count}")
        if any(problems.values()):
            raise CommandError("Scale data is inconsistent (see the checks above).")
        self.stdout.write(
            self.style.SUCCESS("  Consistent: roll-ups equal the ledger; every counter equals what it counts.")
        )
