"""Cached public reads of the catalog (common.http_cache, catalog.cache): each viewer gets their own bytes,
equal to the uncached answer; a change is visible at once; counts within the stated window; ETags and 304s."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from model_bakery import baker

from catalog import services
from catalog.cache import CATALOGUE_CACHE_SECONDS
from catalog.models import Course, Enrollment, Module, WishlistItem
from tests.support.http_cache import answered_before_drf, assert_answered_before_drf

CATALOGUE = "/api/courses/"
DOMAINS = "/api/domains/"


def detail(course) -> str:
    return f"/api/courses/{course.pk}/"


def curriculum(course) -> str:
    return f"/api/courses/{course.pk}/curriculum/"


@pytest.fixture
def viewers(student, other_student, admin_user, instructor, enroll, course, make_course):
    """Anonymous, a learner who saved the course, a learner enrolled in it, its instructor and an admin."""
    WishlistItem.objects.create(user=student, course=course)
    WishlistItem.objects.create(user=other_student, course=make_course(title="Saved but other"))
    enroll(other_student, course)
    return {"anonymous": None, "saver": student, "learner": other_student, "owner": instructor, "admin": admin_user}


def _answers(client_for, viewers, paths) -> dict:
    return {(name, path): _get(client_for(user), path) for name, user in viewers.items() for path in paths}


def _get(client, path):
    response = client.get(path, HTTP_HOST="api.example.com")
    assert response.status_code == 200, (path, response.content)
    return response.content


class TestEachViewerGetsTheirOwnBytes:
    def test_warm_cache_answers_equal_the_uncached_ones(self, client_for, viewers, course, settings):
        """Given every kind of viewer, when the cache is warm, then each gets exactly what caching off gives."""
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.example.com"]
        paths = [CATALOGUE, f"{CATALOGUE}?page_size=1", DOMAINS, detail(course), curriculum(course)]
        settings.RESPONSE_CACHE = False
        uncached = _answers(client_for, viewers, paths)
        settings.RESPONSE_CACHE = True
        cold = _answers(client_for, viewers, paths)
        warm = _answers(client_for, viewers, paths)
        assert cold == uncached
        assert warm == uncached
        # and they do differ where the viewer matters
        assert uncached[("saver", CATALOGUE)] != uncached[("anonymous", CATALOGUE)]
        assert uncached[("learner", curriculum(course))] != uncached[("anonymous", curriculum(course))]
        assert uncached[("learner", curriculum(course))] == uncached[("owner", curriculum(course))]

    def test_pagination_links_follow_the_host(self, client_for, make_course, settings):
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "a.example.com", "b.example.com"]
        make_course(title="One")
        make_course(title="Two")
        for host in ("a.example.com", "b.example.com", "a.example.com"):
            body = client_for(None).get(CATALOGUE, {"page_size": 1}, HTTP_HOST=host).json()
            assert body["next"].startswith(f"http://{host}/")

    def test_learners_in_either_order_do_not_see_each_other(self, client_for, viewers, course):
        """Given the learner's curriculum cached first, the saver (not enrolled) still gets the locked one."""
        learner = client_for(viewers["learner"]).get(curriculum(course)).json()
        saver = client_for(viewers["saver"]).get(curriculum(course)).json()
        assert learner["has_access"] is True and learner["modules"][0]["lessons"][0]["video_url"]
        assert saver["has_access"] is False and saver["modules"][0]["lessons"][0]["video_url"] is None
        saved = client_for(viewers["saver"]).get(detail(course)).json()
        other = client_for(viewers["learner"]).get(detail(course)).json()
        assert (saved["in_wishlist"], other["in_wishlist"]) == (True, False)

    def test_warm_query_counts(
        self, client_for, viewers, course, django_assert_num_queries, django_assert_max_num_queries
    ):
        for path in (CATALOGUE, DOMAINS, detail(course), curriculum(course)):
            client_for(None).get(path)
            client_for(viewers["learner"]).get(path)
            with django_assert_num_queries(0):  # the stored bytes
                client_for(None).get(path)
        with django_assert_num_queries(1):  # the viewer's saved courses on the page
            client_for(viewers["saver"]).get(CATALOGUE)
        with django_assert_num_queries(1):  # in_wishlist
            client_for(viewers["saver"]).get(detail(course))
        with django_assert_num_queries(1):  # which curriculum: an active enrollment?
            client_for(viewers["learner"]).get(curriculum(course))
        with django_assert_max_num_queries(3):  # staff are served uncached, as before
            client_for(viewers["admin"]).get(curriculum(course))

    def test_a_revoked_learner_gets_the_locked_curriculum_from_the_cache(self, client_for, viewers, course):
        learner = viewers["learner"]
        opened = client_for(learner).get(curriculum(course)).json()
        client_for(None).get(curriculum(course))  # both variants stored
        enrollment = Enrollment.objects.get(user=learner, course=course)
        services.enrollment_revoke(enrollment=enrollment, reason="refund")
        locked = client_for(learner).get(curriculum(course)).json()
        assert opened["modules"][0]["lessons"][0]["video_url"]
        assert locked == client_for(None).get(curriculum(course)).json()

    def test_a_warm_signed_in_read_is_one_cache_round_trip(self, client_for, viewers, course, cache_calls):
        for path in (CATALOGUE, detail(course), curriculum(course)):
            client_for(viewers["saver"]).get(path)
            cache_calls.clear()
            # The scope's version and the stored entry come in one get_many; nothing else is asked of the cache
            assert client_for(viewers["saver"]).get(path).status_code == 200
            assert [name for name, _keys in cache_calls] == ["get_many"], path
            assert any(key.startswith("http-cache:version:") for key in cache_calls[0][1])


class TestChangesAreVisible:
    def test_publish_is_visible_at_once(self, client_for, make_course, admin_user):
        pending = make_course(title="Pending", status=Course.Status.PENDING_REVIEW, modules=1, lessons=1)
        assert client_for(None).get(CATALOGUE).json()["count"] == 0
        assert client_for(None).get(detail(pending)).status_code == 404
        services.course_approve(course=pending, actor=admin_user)
        assert [c["title"] for c in client_for(None).get(CATALOGUE).json()["results"]] == ["Pending"]
        assert client_for(None).get(detail(pending)).status_code == 200

    def test_price_is_visible_at_once_in_catalogue_and_detail(self, client_for, course, student):
        for user in (None, student):
            client_for(user).get(CATALOGUE)
            client_for(user).get(detail(course))
        services.course_update(course=course, data={"price": Decimal("499.00")})
        for user in (None, student):
            assert client_for(user).get(CATALOGUE).json()["results"][0]["price"] == "499.00"
            assert client_for(user).get(detail(course)).json()["price"] == "499.00"

    def test_new_lesson_is_visible_at_once(self, client_for, course, student, enroll):
        enroll(student, course)
        for user in (None, student):
            client_for(user).get(curriculum(course))
        module = Module.objects.filter(course=course).order_by("position").first()
        services.lesson_create(module=module, title="Brand new", video_url="https://video.example.com/new")
        for user in (None, student):
            lessons = client_for(user).get(curriculum(course)).json()["modules"][0]["lessons"]
            assert lessons[-1]["title"] == "Brand new"
        assert client_for(None).get(detail(course)).json()["lesson_count"] == 5

    def test_instructor_rename_is_visible_at_once(self, client_for, course, instructor):
        client_for(None).get(CATALOGUE)
        instructor.full_name = "Meera Renamed"
        instructor.save(update_fields=["full_name"])
        assert client_for(None).get(CATALOGUE).json()["results"][0]["instructor"]["full_name"] == "Meera Renamed"

    def test_archive_disappears_at_once(self, client_for, course, admin_user):
        for path in (CATALOGUE, detail(course), curriculum(course)):
            client_for(None).get(path)
        services.course_archive(course=course, actor=admin_user)
        assert client_for(None).get(CATALOGUE).json()["count"] == 0
        assert client_for(None).get(detail(course)).status_code == 404
        assert client_for(None).get(curriculum(course)).status_code == 404

    def test_enrollment_counts_are_fresh_within_the_stated_window(self, client_for, course, student):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            assert client_for(None).get(detail(course)).json()["learner_count"] == 0
            services.enrollment_grant(user=student, course=course, source="free")
            clock.shift(datetime.timedelta(seconds=CATALOGUE_CACHE_SECONDS - 1))
            assert client_for(None).get(detail(course)).json()["learner_count"] == 0  # stale, within the window
            clock.shift(datetime.timedelta(seconds=2))
            assert client_for(None).get(detail(course)).json()["learner_count"] == 1


class TestHttpCaching:
    def test_etag_and_304_only_while_the_body_is_the_same(self, client_for, course):
        client = client_for(None)
        first = client.get(detail(course))
        etag = first["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        again = client.get(detail(course), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        services.course_update(course=course, data={"title": "Python, renamed"})
        changed = client.get(detail(course), HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed.json()["title"] == "Python, renamed"
        assert changed["ETag"] != etag

    def test_cache_control_public_only_without_credentials(self, client_for, course, student):
        anonymous = client_for(None).get(CATALOGUE)
        assert "public" in anonymous["Cache-Control"] and "max-age=15" in anonymous["Cache-Control"]
        assert "stale-while-revalidate=30" in anonymous["Cache-Control"]
        assert {"Accept", "Authorization", "Cookie"} <= {v.strip() for v in anonymous["Vary"].split(",")}
        signed_in = client_for(student).get(CATALOGUE)
        assert "public" not in signed_in.get("Cache-Control", "")
        with_token = client_for(None).get(CATALOGUE, HTTP_AUTHORIZATION="Bearer not-a-token")
        assert "public" not in with_token.get("Cache-Control", "")

    def test_redis_down_still_answers(self, client_for, course, settings):
        """Given a cache that cannot be reached, reads are answered from the database, uncached."""
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.1, "SOCKET_TIMEOUT": 0.1},
            }
        }
        for path in (CATALOGUE, detail(course), curriculum(course), DOMAINS):
            response = client_for(None).get(path)
            assert response.status_code == 200
            assert response["ETag"]
        assert client_for(None).get(CATALOGUE).json()["results"][0]["title"] == "Python Basics"

    def test_drafts_are_not_cached_for_their_owner(self, client_for, make_course, instructor, student):
        draft = make_course(status=Course.Status.DRAFT, modules=1, lessons=1)
        assert client_for(instructor).get(detail(draft)).status_code == 200
        assert client_for(None).get(detail(draft)).status_code == 404
        assert client_for(student).get(curriculum(draft)).status_code == 404
        baker.make("catalog.Enrollment", user=student, course=draft, source="free")
        assert client_for(student).get(curriculum(draft)).json()["has_access"] is True


class TestAnsweredBeforeDRF:
    """Anonymous requests without credentials or cookies, answered by common.http_cache.AnonymousReadMiddleware."""

    @pytest.mark.parametrize(
        "route",
        ["catalogue", "catalogue by domain", "catalogue page 2", "domains", "detail", "curriculum"],
    )
    def test_each_route_is_the_views_answer_without_a_query(
        self, route, make_course, course, settings, cache_calls, django_assert_num_queries
    ):
        make_course(title="Another")
        path = {
            "catalogue": CATALOGUE,
            "catalogue by domain": f"{CATALOGUE}?domain=web-development&ordering=title",
            "catalogue page 2": f"{CATALOGUE}?page_size=1&page=2",
            "domains": DOMAINS,
            "detail": detail(course),
            "curriculum": curriculum(course),
        }[route]
        assert_answered_before_drf(
            path, settings=settings, cache_calls=cache_calls, django_assert_num_queries=django_assert_num_queries
        )

    def test_publish_and_price_are_visible_at_once(self, client_for, make_course, course, admin_user, cache_calls):
        # Given the catalogue and the course answered before DRF
        pending = make_course(title="Pending", status=Course.Status.PENDING_REVIEW, modules=1, lessons=1)
        Client().get(CATALOGUE)
        Client().get(detail(course))
        _, early = answered_before_drf(cache_calls, lambda: Client().get(CATALOGUE))
        _, early_detail = answered_before_drf(cache_calls, lambda: Client().get(detail(course)))
        assert early and early_detail
        # When a course is published and the price of another changes
        services.course_approve(course=pending, actor=admin_user)
        services.course_update(course=course, data={"price": Decimal("499.00")})
        # Then the next anonymous answers show both
        listed, served_early = answered_before_drf(cache_calls, lambda: Client().get(CATALOGUE))
        assert not served_early
        assert {c["title"]: c["price"] for c in listed.json()["results"]} == {
            "Pending": "0.00",
            "Python Basics": "499.00",
        }
        assert Client().get(detail(course)).json()["price"] == "499.00"

    def test_a_new_lesson_is_visible_at_once(self, course, cache_calls):
        Client().get(curriculum(course))
        assert answered_before_drf(cache_calls, lambda: Client().get(curriculum(course)))[1]
        module = Module.objects.filter(course=course).order_by("position").first()
        services.lesson_create(module=module, title="Brand new", video_url="https://video.example.com/new")
        lessons = Client().get(curriculum(course)).json()["modules"][0]["lessons"]
        assert lessons[-1]["title"] == "Brand new"

    def test_signed_in_viewers_never_get_the_anonymous_answer(self, viewers, course, cache_calls):
        # Given the anonymous catalogue, course and curriculum answered before DRF
        for path in (CATALOGUE, detail(course), curriculum(course)):
            Client().get(path)
        # When viewers signed in with a session cookie read them
        saver, learner = Client(), Client()
        saver.force_login(viewers["saver"])
        learner.force_login(viewers["learner"])
        cache_calls.clear()
        catalogue = saver.get(CATALOGUE).json()
        saved = saver.get(detail(course)).json()
        opened = learner.get(curriculum(course)).json()
        # Then each gets their own, from the view
        assert not [call for call in cache_calls if call[0] == "get_many" and "http-cache:front:" in str(call[1])]
        assert {c["title"]: c["in_wishlist"] for c in catalogue["results"]}["Python Basics"] is True
        assert saved["in_wishlist"] is True
        assert opened["has_access"] is True and opened["modules"][0]["lessons"][0]["video_url"]
        # and a Bearer token, even an invalid one, is the view's 401
        assert Client().get(CATALOGUE, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401

    def test_enrollment_counts_are_fresh_within_the_stated_window(self, course, student):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            Client().get(detail(course))
            services.enrollment_grant(user=student, course=course, source="free")
            clock.shift(datetime.timedelta(seconds=CATALOGUE_CACHE_SECONDS - 1))
            assert Client().get(detail(course)).json()["learner_count"] == 0  # stale, within the window
            clock.shift(datetime.timedelta(seconds=2))
            assert Client().get(detail(course)).json()["learner_count"] == 1
