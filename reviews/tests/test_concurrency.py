"""Ratings and helpful votes stay exact under concurrent writes (PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Course
from reviews.models import HelpfulVote, Review
from reviews.services import review_create, review_helpful_set
from tests.support.concurrency import returned, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_reviews_keep_the_figures_exact(course, learner):
    # given 10 learners rating at the same moment: five 5s and five 2s
    users = [learner() for _ in range(10)]
    calls = [
        (lambda user=user, stars=(5 if i % 2 else 2): review_create(user=user, course=course, rating=stars))
        for i, user in enumerate(users)
    ]
    returned(run_concurrently(*calls))
    course = Course.objects.get(pk=course.pk)
    # then every review is in the histogram, count and average
    assert Review.objects.count() == 10
    assert (course.rating_count, course.rating_average) == (10, Decimal("3.50"))
    assert course.rating_histogram == {"1": 0, "2": 5, "3": 0, "4": 0, "5": 5}


def test_concurrent_helpful_votes_count_once_per_user(course, reviewer, learner):
    review = review_create(user=reviewer, course=course, rating=4)
    voters = [learner() for _ in range(6)]
    # each voter clicks "helpful" three times at once
    calls = [(lambda user=user: review_helpful_set(user=user, review=review, helpful=True)) for user in voters]
    returned(run_concurrently(*calls, times=3))
    assert Review.objects.get(pk=review.pk).helpful_count == HelpfulVote.objects.count() == 6
