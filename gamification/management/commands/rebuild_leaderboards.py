"""Compare the leaderboard roll-ups with the XP ledger, report any drift and repair it.

No table lock: users are compared a chunk at a time inside a snapshot, and only drifted users' rows are
rewritten, under their own award locks, so awards continue while it runs (gamification.services).
"""

from django.core.management.base import BaseCommand, CommandError

from gamification.services import leaderboards_rebuild

SAMPLE = 10


class Command(BaseCommand):
    help = "Compare XPTotal (weekly, monthly, all-time) with XPEvent; report drift and repair the rows that differ."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only report drift (exit status 1 if any); change nothing."
        )

    def handle(self, *args, check: bool, **options):
        drift = leaderboards_rebuild(fix=not check)
        self.stdout.write(
            f"{drift.rows_expected} roll-up rows expected from the ledger; drift: {drift.missing_count} missing, "
            f"{drift.extra_count} extra, {drift.wrong_count} wrong."
        )
        for key, (stored, expected) in list(drift.wrong.items())[:SAMPLE]:
            self.stdout.write(f"  wrong   {key[0]} {key[1]} {key[2]}: {stored} stored, {expected} in the ledger")
        for key, points in list(drift.missing.items())[:SAMPLE]:
            self.stdout.write(f"  missing {key[0]} {key[1]} {key[2]}: {points} in the ledger")
        for key, points in list(drift.extra.items())[:SAMPLE]:
            self.stdout.write(f"  extra   {key[0]} {key[1]} {key[2]}: {points} stored, none in the ledger")
        if not drift.count:
            self.stdout.write(self.style.SUCCESS("Roll-ups match the ledger."))
        elif check:
            raise CommandError(f"{drift.count} roll-up rows differ from the ledger; run without --check to fix.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Fixed {drift.count} roll-up rows."))
