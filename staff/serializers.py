"""Shapes of the staff API: statistics, report and audit-log query parameters, audit entries."""

from __future__ import annotations

import datetime

from rest_framework import serializers

from accounts.models import User
from audit.models import AuditLog
from catalog.models import Course

MONEY = {"max_digits": 14, "decimal_places": 2}


FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(9998, 12, 31)


def _day_in_range(value: datetime.date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise serializers.ValidationError(f"Must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.")


class DateRangeSerializer(serializers.Serializer):
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD``: local days (TIME_ZONE), both inclusive, both optional."""

    def get_fields(self):
        # "from" is a Python keyword, so the fields are declared here rather than as attributes.
        # Bounded: a day at the edge of Python's date range overflows when turned into a local-time window (a 500).
        bounds = {"validators": [_day_in_range]}
        return {
            "from": serializers.DateField(required=False, help_text="First day included (YYYY-MM-DD).", **bounds),
            "to": serializers.DateField(required=False, help_text="Last day included (YYYY-MM-DD).", **bounds),
            **super().get_fields(),
        }

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["Must be on or after `from`."]})
        return attrs


class AuditLogFilterSerializer(DateRangeSerializer):
    action = serializers.CharField(required=False, max_length=64, help_text='Exact action, e.g. "course.approve".')
    actor = serializers.UUIDField(required=False, help_text="Id of the staff user who acted.")
    target_type = serializers.CharField(required=False, max_length=64, help_text='e.g. "catalog.course".')
    target_id = serializers.CharField(required=False, max_length=64)


class AuditActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class AuditLogSerializer(serializers.ModelSerializer):
    actor = AuditActorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AuditLog
        fields = ["id", "actor", "action", "target_type", "target_id", "target_repr", "details", "created_at"]
        read_only_fields = fields


class CoursesByStatusSerializer(serializers.Serializer):
    def get_fields(self):
        return {status: serializers.IntegerField() for status in Course.Status.values}


class EnrollmentStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    completed = serializers.IntegerField()


class EarningsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    gross = serializers.DecimalField(**MONEY, help_text="Rupees captured (paid, refund pending or refunded).")
    refunded = serializers.DecimalField(**MONEY, help_text="Rupees refunded.")
    net = serializers.DecimalField(**MONEY, help_text="gross − refunded.")
    captured_payments = serializers.IntegerField()


class TopCourseByLearnersSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Course.Status.choices)
    learners = serializers.IntegerField()


class TopCourseByRevenueSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    revenue = serializers.DecimalField(**MONEY, help_text="Net rupees (paid and refund-pending payments).")
    sales = serializers.IntegerField()


class TopCoursesSerializer(serializers.Serializer):
    by_learners = TopCourseByLearnersSerializer(many=True)
    by_revenue = TopCourseByRevenueSerializer(many=True)


class DailyCountSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class DailyAmountSerializer(serializers.Serializer):
    date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)


class DailySeriesSerializer(serializers.Serializer):
    signups = DailyCountSerializer(many=True)
    enrollments = DailyCountSerializer(many=True)
    revenue = DailyAmountSerializer(many=True, help_text="Rupees captured per day (by paid_at).")


class PlatformStatsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField(help_text="When these figures were computed (cached briefly).")
    students = serializers.IntegerField()
    instructors = serializers.IntegerField()
    admins = serializers.IntegerField()
    suspended_users = serializers.IntegerField()
    courses_total = serializers.IntegerField()
    courses_by_status = CoursesByStatusSerializer()
    enrollments = EnrollmentStatsSerializer()
    earnings = EarningsSerializer()
    top_courses = TopCoursesSerializer()
    last_30_days = DailySeriesSerializer()
