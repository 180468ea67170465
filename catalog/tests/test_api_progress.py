import json

import pytest
from rest_framework.renderers import JSONRenderer

from catalog.selectors import enrollment_list_for_user
from catalog.serializers import EnrollmentSerializer
from catalog.tests.conftest import lessons_of


def test_lesson_complete_is_documented_as_answering_the_enrollment():
    # The schema says what the route answers (a decorator placed above the wrong action once said Lesson).
    from drf_spectacular.generators import SchemaGenerator

    operation = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/lessons/{id}/complete/"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Enrollment")
    assert operation["summary"].startswith("Mark a lesson done")


@pytest.mark.django_db
def test_lesson_complete_round_trips_and_answer(client_for, course, student, enroll, django_assert_max_num_queries):
    # Given an enrolled learner (course: 2 modules of 2 lessons, no quiz)
    enroll(student, course)
    client = client_for(student)
    first, second = lessons_of(course)[:2]
    # When a lesson is completed for the first time: the lesson; SAVEPOINT; the enrollment locked with its
    # course, last lesson and lesson total; the progress INSERT … ON CONFLICT; the done COUNT; the enrollment
    # UPDATE; the XP award (user lock, ledger insert, roll-up upsert, badge candidates with the event count
    # their rules need, learning days); RELEASE. No re-read for the answer.
    with django_assert_max_num_queries(13):
        response = client.post(f"/api/lessons/{first.pk}/complete/")
    # Then it answers the enrollment exactly as it is stored and listed
    stored = EnrollmentSerializer(enrollment_list_for_user(user=student).get(course=course)).data
    assert response.status_code == 200 and response.json() == json.loads(JSONRenderer().render(stored))
    assert (response.json()["completed_lessons"], response.json()["percent"]) == (1, 25)
    # And a repeat (nothing new to award) costs the lesson, SAVEPOINT, lock, insert (nothing), COUNT, UPDATE,
    # RELEASE
    client.post(f"/api/lessons/{second.pk}/complete/")
    with django_assert_max_num_queries(7):
        again = client.post(f"/api/lessons/{second.pk}/complete/")
    assert again.json()["completed_lessons"] == 2
