"""Reviews and wishlists in the Django admin: listed, and removed only through the service."""

from __future__ import annotations

import pytest

from audit.models import AuditLog
from catalog.models import Course, WishlistItem
from reviews.models import Review
from reviews.services import review_create

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reviews/review/"


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_reviews_are_listed_and_not_editable(admin_client_, course, reviewer):
    review = review_create(user=reviewer, course=course, rating=4, body="Nice")
    assert admin_client_.get(CHANGELIST).status_code == 200
    assert admin_client_.get(f"{CHANGELIST}{review.pk}/change/").status_code == 200
    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 403


def test_the_delete_action_recounts_and_audits(admin_client_, course, reviewer, admin_user):
    review = review_create(user=reviewer, course=course, rating=2)
    response = admin_client_.post(
        CHANGELIST, {"action": "delete_reviews", "_selected_action": [review.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not Review.objects.exists()
    assert Course.objects.get(pk=course.pk).rating_count == 0
    assert list(AuditLog.objects.values_list("action", "actor")) == [("review.delete", admin_user.pk)]


def test_wishlist_items_are_listed(admin_client_, course, other_student):
    WishlistItem.objects.create(user=other_student, course=course)
    response = admin_client_.get("/admin/catalog/wishlistitem/")
    assert response.status_code == 200
    assert "Python Basics" in response.content.decode()
