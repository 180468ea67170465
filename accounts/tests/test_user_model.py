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


def test_course_owners_are_instructors_and_admins_only(make_user):
    # Given one user of each role
    student, instructor, admin = make_user("student"), make_user("instructor"), make_user("admin")

    # When the course-owner queryset is read (the admin's instructor pickers use it)
    owners = set(User.objects.course_owners())

    # Then instructors and admins are offered, students never; it also narrows an existing queryset
    assert owners == {instructor, admin}
    assert set(User.objects.filter(pk__in=[student.pk, admin.pk]).course_owners()) == {admin}


@pytest.mark.parametrize(
    ("role", "is_student", "is_instructor", "is_admin"),
    [("student", True, False, False), ("instructor", False, True, False), ("admin", False, False, True)],
)
def test_role_properties_name_exactly_one_role(make_user, role, is_student, is_instructor, is_admin):
    user = make_user(role)
    assert (user.is_student, user.is_instructor, user.is_admin) == (is_student, is_instructor, is_admin)
    # Onboarding is for learners only
    assert user.onboarding_required is is_student
