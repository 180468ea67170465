"""The "needs attention" strip on the staff dashboard: what waits for staff, counted in a fixed number of
queries, and linked to the changelist that shows exactly those rows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from model_bakery import baker

from staff.selectors import NEEDS_ATTENTION_QUERY_COUNT, needs_attention

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


@pytest.fixture
def world(make_user, instructor, settings):
    """Two courses waiting (3 days, 1 hour), two open flags and a decided one, one stuck order and one
    still inside the reconcile window, one valid certificate without its PDF."""
    settings.BILLING_RECONCILE_AFTER_MINUTES = 15
    old = baker.make("catalog.Course", instructor=instructor, title="Old <b>course</b>", status="pending_review")
    new = baker.make("catalog.Course", instructor=instructor, title="New course", status="pending_review")
    old.submitted_at, new.submitted_at = ago(days=3), ago(hours=1)
    old.save(), new.save()
    baker.make("catalog.Course", instructor=instructor, status="published")

    author, reader = make_user("student"), make_user("student")
    post = baker.make("forum.Post", user=author, course=old, title="Spam here", body="buy now")
    reply = baker.make("forum.Reply", user=author, post=post, body="more spam")
    open_on_post = baker.make("forum.Flag", reporter=reader, post=post, reason="spam")
    baker.make("forum.Flag", reporter=reader, reply=reply, reason="spam")
    baker.make("forum.Flag", reporter=make_user("student"), post=post, status="dismissed", resolved_at=ago(hours=1))
    type(open_on_post).objects.filter(pk=open_on_post.pk).update(created_at=ago(hours=5))

    stuck = baker.make("billing.Payment", user=reader, course=old, amount=49_900, status="created")
    fresh = baker.make("billing.Payment", user=author, course=old, amount=49_900, status="created")
    type(stuck).objects.filter(pk=stuck.pk).update(created_at=ago(minutes=16))
    type(fresh).objects.filter(pk=fresh.pk).update(created_at=ago(minutes=14))

    baker.make("certificates.Certificate", user=reader, course=old, status="valid", file="")
    with_pdf = baker.make("certificates.Certificate", user=author, course=old, status="valid")
    with_pdf.file.save("c.pdf", ContentFile(b"%PDF-1.4"), save=True)
    baker.make("certificates.Certificate", user=make_user("student"), course=old, status="revoked", revoked_at=NOW)
    return {"old": old, "new": new, "stuck": stuck}


def test_needs_attention_counts_what_waits_and_for_how_long(world, instructor):
    # when
    attention = needs_attention()
    # then: oldest submission first; a decided flag, a fresh order, a revoked certificate are not to-dos
    assert attention == {
        "courses_pending_review": {
            "count": 2,
            "oldest": [
                {
                    "id": world["old"].pk,
                    "title": "Old <b>course</b>",
                    "instructor": instructor.full_name,
                    "submitted_at": ago(days=3),
                },
                {
                    "id": world["new"].pk,
                    "title": "New course",
                    "instructor": instructor.full_name,
                    "submitted_at": ago(hours=1),
                },
            ],
        },
        "open_flags": {"count": 2, "oldest": ago(hours=5)},
        "stuck_payments": {"count": 1, "oldest": ago(minutes=16), "window_minutes": 15},
        "certificates_missing_pdf": {"count": 1},
        "total": 6,
    }


def test_needs_attention_on_a_quiet_platform_is_all_zero():
    assert needs_attention() == {
        "courses_pending_review": {"count": 0, "oldest": []},
        "open_flags": {"count": 0, "oldest": None},
        "stuck_payments": {"count": 0, "oldest": None, "window_minutes": 15},
        "certificates_missing_pdf": {"count": 0},
        "total": 0,
    }


@pytest.mark.parametrize("waiting", [1, 9])
def test_needs_attention_query_count_does_not_grow_with_the_data(waiting, instructor, django_assert_num_queries):
    baker.make(
        "catalog.Course", instructor=instructor, status="pending_review", submitted_at=ago(days=1), _quantity=waiting
    )
    # the oldest waiting courses with their instructors, their count, open flags, stuck orders, missing PDFs
    with django_assert_num_queries(NEEDS_ATTENTION_QUERY_COUNT):
        attention = needs_attention()
    assert attention["courses_pending_review"]["count"] == waiting
    assert len(attention["courses_pending_review"]["oldest"]) == min(waiting, 5)


def test_the_dashboard_shows_the_strip_with_links_to_the_rows(world, client, admin_user):
    client.force_login(admin_user)
    # when
    html = client.get("/admin/").content.decode()
    # then: each figure links to the changelist filtered to exactly those rows
    assert 'id="dca-attention"' in html
    assert 'href="/admin/catalog/course/?review=waiting">Courses waiting for review</a>' in html
    assert f'href="/admin/catalog/course/{world["old"].pk}/change/">Old &lt;b&gt;course&lt;/b&gt;</a>' in html
    assert "waiting 3\xa0days" in html and "waiting 1\xa0hour" in html
    assert 'href="/admin/forum/flag/?status__exact=open">Open flags</a>' in html
    assert 'href="/admin/billing/payment/?stuck=created">' in html
    assert 'href="/admin/certificates/certificate/?pdf=missing&amp;status__exact=valid">' in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/catalog/course/?review=waiting", ["Old &lt;b&gt;course&lt;/b&gt;", "New course"]),
        ("/admin/billing/payment/?stuck=created", ["1 payment"]),
        ("/admin/certificates/certificate/?pdf=missing&status__exact=valid", ["1 certificate"]),
        ("/admin/forum/flag/?status__exact=open", ["2 flags"]),
    ],
)
def test_each_link_of_the_strip_lists_exactly_its_rows(world, client, admin_user, url, expected):
    client.force_login(admin_user)
    html = client.get(url).content.decode()
    positions = [html.index(text) for text in expected]
    assert positions == sorted(positions)  # courses waiting: the oldest submission first
