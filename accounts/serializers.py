"""Shapes of the accounts API: the profile (`me`), onboarding, and the admin user views."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import User
from accounts.validators import NAME_MAX_LENGTH, display_name_clean
from catalog.models import Domain
from common.serializers import PrimaryKeyRelatedField

YEAR_MIN, YEAR_MAX = 1, 6  # year of study: 1st year of a degree up to a 6-year programme

# Never settable by the user themselves; sent anyway, they are refused with a field error.
PROTECTED_FIELDS = (
    "role",
    "email",
    "is_staff",
    "is_superuser",
    "is_active",
    "is_suspended",
    "suspended_at",
    "suspension_reason",
    "onboarding_completed_at",
    "password",
    "groups",
    "user_permissions",
)


class DomainSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "name", "slug"]


class MeOutputSerializer(serializers.ModelSerializer):
    domain = DomainSummarySerializer(allow_null=True)
    onboarding_required = serializers.BooleanField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "domain",
            "branch",
            "year",
            "created_at",
            "onboarding_required",
        ]
        read_only_fields = fields


class RefuseProtectedFieldsMixin:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            sent = sorted(set(data) & set(PROTECTED_FIELDS))
            if sent:
                raise serializers.ValidationError({field: ["This field cannot be changed here."] for field in sent})
        return super().to_internal_value(data)


class DisplayNameField(serializers.CharField):
    """A display name: normalized and checked by ``display_name_clean`` (one field error per broken rule)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        kwargs.setdefault(
            "help_text",
            f"Shown on certificates: 1 to {NAME_MAX_LENGTH} characters, whitespace collapsed; no control, "
            "direction-override or invisible characters.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return display_name_clean(super().to_internal_value(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                [serializers.ErrorDetail(error.message, code=error.code) for error in exc.error_list]
            ) from exc


class ProfileInputSerializer(RefuseProtectedFieldsMixin, serializers.Serializer):
    full_name = DisplayNameField()
    domain = PrimaryKeyRelatedField(
        queryset=Domain.objects.all(), pk_field=serializers.UUIDField(), help_text="The id of a domain."
    )
    branch = serializers.CharField(max_length=100, trim_whitespace=True)
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, help_text="Year of study, 1 to 6.")


class OnboardingInputSerializer(ProfileInputSerializer):
    """Every field is required to complete onboarding."""


class MeUpdateInputSerializer(ProfileInputSerializer):
    """Partial: send only what changes (used with ``partial=True``)."""


class AdminUserOutputSerializer(serializers.ModelSerializer):
    domain = DomainSummarySerializer(allow_null=True)
    onboarding_required = serializers.BooleanField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "domain",
            "branch",
            "year",
            "is_suspended",
            "suspended_at",
            "suspension_reason",
            "onboarding_required",
            "last_login",
            "created_at",
        ]
        read_only_fields = fields


class SuspendInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, trim_whitespace=True)


class PromoteInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=User.Role.choices)
