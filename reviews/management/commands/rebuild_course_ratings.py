"""Recount every course's rating figures from its counted reviews (after a restore or a manual fix)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviews.services import course_ratings_rebuild


class Command(BaseCommand):
    help = "Recount courses' rating histogram, count and average from counted reviews; --check only reports."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report drift and exit 1 if any; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        wrong = course_ratings_rebuild(check=check)
        if check and wrong:
            raise CommandError(f"{len(wrong)} course(s) have rating figures that disagree with their reviews.")
        verb = "disagree" if check else "repaired"
        self.stdout.write(f"{len(wrong)} course(s) {verb}.")
