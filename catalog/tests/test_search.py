"""Catalogue search: ranking, typo tolerance, prefixes, the search document kept current, suggestions,
and the new orderings."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from model_bakery import baker

from catalog.models import Course, Enrollment, Lesson, Module

pytestmark = pytest.mark.django_db

CATALOGUE = "/api/courses/"
SUGGEST = "/api/courses/suggest/"


def _trigram_threshold() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        return cursor.fetchone()[0]


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [c["title"] for c in response.json()["results"]]


class TestRanking:
    @pytest.mark.postgres
    def test_a_title_match_ranks_above_a_description_match(self, client_for, make_course):
        # given one course about Python in its description only, and one with Python in the title, created first
        make_course(title="Automating the office", description="Scripts in Python for spreadsheets.")
        make_course(title="Python for data analysis", description="Numbers and charts.")
        make_course(title="Cooking on a budget", description="Rice, dal and vegetables.")
        # when someone searches for "python"
        found = titles(client_for(None).get(CATALOGUE, {"search": "python"}))
        # then both match, the title match first, and the unrelated course is not there
        assert found == ["Python for data analysis", "Automating the office"]

    @pytest.mark.postgres
    def test_a_one_letter_typo_still_finds_the_course(self, client_for, make_course):
        make_course(title="Python for beginners")
        make_course(title="Cooking on a budget")
        # a swapped letter and a missing letter
        assert titles(client_for(None).get(CATALOGUE, {"search": "pyhton"})) == ["Python for beginners"]
        assert titles(client_for(None).get(CATALOGUE, {"search": "pythn"})) == ["Python for beginners"]

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True)
    def test_the_typo_threshold_is_set_by_each_search_statement_not_the_database(self, client_for, make_course):
        # given a database (and role) with pg_trgm's default threshold: no ALTER DATABASE/ROLE, no session SET
        make_course(title="Python for beginners")
        assert _trigram_threshold() == "0.6"
        # when searching with a typo, in autocommit as behind PgBouncer's transaction pooling
        assert titles(client_for(None).get(CATALOGUE, {"search": "pyhton"})) == ["Python for beginners"]
        assert [s["title"] for s in client_for(None).get(SUGGEST, {"q": "pyhton"}).json()] == ["Python for beginners"]
        # then the statement's own setting ended with it: the connection is left as it was
        assert _trigram_threshold() == "0.6"

    @pytest.mark.postgres
    def test_prefixes_match_as_you_type(self, client_for, make_course):
        make_course(title="Machine learning foundations")
        make_course(title="Cooking on a budget")
        assert titles(client_for(None).get(CATALOGUE, {"search": "machine lea"})) == ["Machine learning foundations"]

    @pytest.mark.postgres
    def test_lesson_titles_and_instructor_names_are_searched(self, client_for, make_course, instructor):
        # given a course whose only mention of "regression" is a lesson title
        course = make_course(title="Statistics", modules=1, lessons=1)
        Lesson.objects.filter(module__course=course).update(title="Linear regression by hand")
        make_course(title="Cooking on a budget", owner=baker.make("accounts.User", role="instructor", full_name="X"))
        # then searching for the lesson and for the instructor's surname finds it
        assert titles(client_for(None).get(CATALOGUE, {"search": "regression"})) == ["Statistics"]
        assert "Statistics" in titles(client_for(None).get(CATALOGUE, {"search": "meera"}))

    @pytest.mark.postgres
    def test_the_document_follows_renames_of_course_module_lesson_and_instructor(
        self, client_for, make_course, instructor
    ):
        course = make_course(title="Old name", modules=1, lessons=1)
        module = Module.objects.get(course=course)
        # when the module, then a lesson, then the course and the instructor are renamed
        module.title = "Kubernetes"
        module.save()
        assert titles(client_for(None).get(CATALOGUE, {"search": "kubernetes"})) == ["Old name"]
        Lesson.objects.filter(module=module).update(title="Helm charts")
        assert titles(client_for(None).get(CATALOGUE, {"search": "helm"})) == ["Old name"]
        Course.objects.filter(pk=course.pk).update(title="Cloud native")
        assert titles(client_for(None).get(CATALOGUE, {"search": "cloud"})) == ["Cloud native"]
        instructor.full_name = "Zubin Mehta"
        instructor.save()
        assert titles(client_for(None).get(CATALOGUE, {"search": "zubin"})) == ["Cloud native"]
        # and a deleted lesson is no longer found
        Lesson.objects.filter(module=module).delete()
        assert titles(client_for(None).get(CATALOGUE, {"search": "helm"})) == []

    def test_substring_search_on_any_database(self, client_for, make_course):
        make_course(title="Intro to SQL", description="Queries and joins.")
        make_course(title="Cooking on a budget")
        assert titles(client_for(None).get(CATALOGUE, {"search": "SQL"})) == ["Intro to SQL"]
        assert titles(client_for(None).get(CATALOGUE, {"search": "joins"})) == ["Intro to SQL"]

    def test_only_published_courses_are_found(self, client_for, make_course):
        make_course(title="Python drafts", status=Course.Status.DRAFT)
        assert titles(client_for(None).get(CATALOGUE, {"search": "python"})) == []

    @pytest.mark.parametrize("text", ["\x00", "&|!():*", "'", "a" * 200, "  "])
    def test_odd_input_never_fails(self, client_for, course, text):
        response = client_for(None).get(CATALOGUE, {"search": text})
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert "search" in response.json()["errors"]

    def test_too_long_a_query_is_a_field_error(self, client_for, course):
        response = client_for(None).get(CATALOGUE, {"search": "a" * 201})
        assert response.status_code == 400
        assert "search" in response.json()["errors"]

    @pytest.mark.parametrize("count", [1, 20])
    def test_query_count_of_a_search(self, client_for, make_course, count, django_assert_max_num_queries):
        for i in range(count):
            make_course(title=f"Python {i}", modules=1, lessons=1)
        client = client_for(None)
        # COUNT(*) for the paginator, then one SELECT of the ranked page with its figures
        with django_assert_max_num_queries(2):
            response = client.get(CATALOGUE, {"search": "python", "page_size": 100})
        assert response.json()["count"] == count


class TestOrderings:
    def test_popular_counts_learners_of_the_last_30_days(self, client_for, make_course, make_user):
        # given an old favourite with 3 learners from last year and a new course with 2 learners this week
        old = make_course(title="Old favourite")
        new = make_course(title="New hit")
        long_ago = timezone.now() - datetime.timedelta(days=400)
        for _ in range(3):
            enrollment = baker.make(Enrollment, user=make_user("student"), course=old, source="free")
            Enrollment.objects.filter(pk=enrollment.pk).update(created_at=long_ago)
        for _ in range(2):
            baker.make(Enrollment, user=make_user("student"), course=new, source="free")
        # then "popular" puts the recent one first and "popularity" (all time, learner_count) is unchanged
        Course.objects.filter(pk=old.pk).update(learner_count=3)
        Course.objects.filter(pk=new.pk).update(learner_count=2)
        assert titles(client_for(None).get(CATALOGUE, {"ordering": "popular"})) == ["New hit", "Old favourite"]
        assert titles(client_for(None).get(CATALOGUE, {"ordering": "popularity"})) == ["Old favourite", "New hit"]

    def test_relevance_without_a_search_is_the_default_order(self, client_for, make_course):
        first = make_course(title="First")
        second = make_course(title="Second")
        Course.objects.filter(pk=first.pk).update(published_at=timezone.now() - datetime.timedelta(days=1))
        assert titles(client_for(None).get(CATALOGUE, {"ordering": "relevance"})) == [second.title, first.title]

    def test_an_explicit_ordering_wins_over_relevance(self, client_for, make_course):
        make_course(title="Python B")
        make_course(title="Python A")
        found = titles(client_for(None).get(CATALOGUE, {"search": "python", "ordering": "title"}))
        assert found == ["Python A", "Python B"]


class TestSuggest:
    def test_titles_that_start_with_the_text_come_first(self, client_for, make_course):
        make_course(title="Advanced Python")
        make_course(title="Python basics")
        make_course(title="Cooking on a budget")
        response = client_for(None).get(SUGGEST, {"q": "pyth"})
        assert response.status_code == 200
        body = response.json()
        assert [s["title"] for s in body] == ["Python basics", "Advanced Python"]
        assert set(body[0]) == {"id", "title", "slug"}

    @pytest.mark.postgres
    def test_a_typo_still_suggests(self, client_for, make_course):
        make_course(title="Python basics")
        assert [s["title"] for s in client_for(None).get(SUGGEST, {"q": "pyhton"}).json()] == ["Python basics"]

    def test_at_most_eight_published(self, client_for, make_course):
        for i in range(10):
            make_course(title=f"Data {i}")
        make_course(title="Data draft", status=Course.Status.DRAFT)
        body = client_for(None).get(SUGGEST, {"q": "data"}).json()
        assert len(body) == 8
        assert "Data draft" not in [s["title"] for s in body]

    def test_q_is_required(self, client_for):
        response = client_for(None).get(SUGGEST)
        assert response.status_code == 400
        assert "q" in response.json()["errors"]

    @pytest.mark.parametrize("text", ["\x00", "!!!", "%_"])
    def test_nothing_to_search_is_an_empty_list(self, client_for, course, text):
        response = client_for(None).get(SUGGEST, {"q": text})
        assert response.status_code in (200, 400)

    @pytest.mark.parametrize("count", [1, 12])
    def test_query_count(self, client_for, make_course, count, django_assert_max_num_queries):
        for i in range(count):
            make_course(title=f"Data {i}")
        client = client_for(None)
        # one SELECT of the matching titles
        with django_assert_max_num_queries(1):
            response = client.get(SUGGEST, {"q": "data"})
        assert len(response.json()) == min(count, 8)
