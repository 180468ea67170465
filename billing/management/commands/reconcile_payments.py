"""``python manage.py reconcile_payments``: settle orders and refunds the webhooks never reported."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from billing.services import payments_reconcile


class Command(BaseCommand):
    help = "Ask Razorpay about orders and refunds left unsettled and settle them as the webhook would."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.BILLING_RECONCILE_AFTER_MINUTES,
            help="Minutes an order or refund must have been waiting (default BILLING_RECONCILE_AFTER_MINUTES).",
        )

    def handle(self, *args, older_than: int, **options):
        counts = payments_reconcile(older_than=timedelta(minutes=older_than))
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
