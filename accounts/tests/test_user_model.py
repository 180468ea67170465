"""The custom user: case-insensitive unique email, staff flags that follow the role."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_unique_ignoring_case():
    User.objects.create_user(email="Asha@Example.com", password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="asha@example.COM", password="x")


def test_login_lookup_ignores_case():
    user = User.objects.create_user(email="Asha@Example.com", password="x")
    assert User.objects.get_by_natural_key("ASHA@example.com") == user


def test_new_users_are_students_needing_onboarding():
    user = User.objects.create_user(email="new@example.com")
    assert user.role == "student"
    assert not user.is_staff
    assert user.onboarding_required
    assert not user.has_usable_password()


def test_superuser_is_an_admin_with_staff_flags():
    user = User.objects.create_superuser(email="root@example.com", password="x")
    assert user.role == "admin"
    assert user.is_staff and user.is_superuser


def test_staff_flag_cannot_drift_from_role():
    user = User.objects.create_user(email="s@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_staff=True)
