"""Posts: who may read and write a course's forum, listing, editing and soft deletion."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from model_bakery import baker

from audit.models import AuditLog
from forum.models import Post
from forum.signals import post_created

pytestmark = pytest.mark.django_db

LIST_URL = "/api/forum/posts/"


def detail_url(post) -> str:
    return f"/api/forum/posts/{post.pk}/"


# --- Who may read ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "instructor", "admin_user"])
def test_course_members_list_posts(request, client_for, course, post, who):
    # Given a post in a course, when its learner, instructor or an admin lists the course's forum
    user = request.getfixturevalue(who)
    response = client_for(user).get(LIST_URL, {"course": course.pk})
    # Then they see it with its author, score and answered state
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == str(post.pk)
    assert item["author"] == {"id": str(post.user.pk), "full_name": post.user.full_name}
    assert item["votes"] == 0
    assert item["reply_count"] == 0
    assert item["my_vote"] == 0
    assert item["is_answered"] is False
    assert item["accepted_reply"] is None


@pytest.mark.parametrize("who", ["other_student", "other_instructor"])
def test_outsiders_are_refused(request, client_for, course, post, who):
    # Given a user who neither learns nor teaches the course
    user = request.getfixturevalue(who)
    client = client_for(user)
    # When they read or write its forum, then 403
    assert client.get(LIST_URL, {"course": course.pk}).status_code == 403
    assert client.get(detail_url(post)).status_code == 403
    response = client.post(LIST_URL, {"course": str(course.pk), "title": "Hello there", "body": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forum_access_denied"
    assert Post.objects.count() == 1


def test_learner_of_another_course_is_refused(client_for, course, post, other_student, enroll, instructor):
    # Given a learner enrolled in a different course only
    other_course = baker.make("catalog.Course", instructor=instructor, status="published")
    enroll(other_student, other_course)
    # When they open this course's forum or its post, then 403
    client = client_for(other_student)
    assert client.get(LIST_URL, {"course": course.pk}).status_code == 403
    assert client.get(detail_url(post)).status_code == 403
    assert client.get(f"/api/forum/posts/{post.pk}/replies/").status_code == 403


def test_revoked_enrollment_is_refused(client_for, course, other_student, enroll):
    enroll(other_student, course, status="revoked")
    assert client_for(other_student).get(LIST_URL, {"course": course.pk}).status_code == 403


def test_anonymous_gets_401(client_for, course):
    assert client_for(None).get(LIST_URL, {"course": course.pk}).status_code == 401


def test_unpublished_course_is_404_for_outsiders_but_open_to_its_instructor_and_learners(
    client_for, instructor, student, other_student, enroll
):
    # Given a draft course (archived, then unarchived back to a draft) that one learner had joined
    draft = baker.make("catalog.Course", instructor=instructor, status="draft")
    enroll(student, draft)
    # Then it has no forum for an outsider, while its instructor and its learner keep it
    response = client_for(other_student).get(LIST_URL, {"course": draft.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client_for(instructor).get(LIST_URL, {"course": draft.pk}).status_code == 200
    assert client_for(student).get(LIST_URL, {"course": draft.pk}).status_code == 200


def test_archived_course_stays_open_to_its_learners_only(client_for, instructor, student, other_student, enroll):
    archived = baker.make("catalog.Course", instructor=instructor, status="archived")
    enroll(student, archived)
    assert client_for(student).get(LIST_URL, {"course": archived.pk}).status_code == 200
    assert client_for(other_student).get(LIST_URL, {"course": archived.pk}).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "course"), ({"course": "nope"}, "course"), ({"course": "COURSE", "ordering": "best"}, "ordering")],
)
def test_list_bad_parameters_are_400(client_for, learner, course, params, field):
    params = {k: (str(course.pk) if v == "COURSE" else v) for k, v in params.items()}
    response = client_for(learner).get(LIST_URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_unknown_course_is_404(client_for, learner):
    assert client_for(learner).get(LIST_URL, {"course": uuid.uuid4()}).status_code == 404


# --- Listing -----------------------------------------------------------------------------------


def test_list_filters_by_module_and_searches(client_for, learner, course, module, make_post):
    # Given posts about a module and about the course in general
    about_module = make_post(learner, module=module, title="Module question", body="About ForeignKey fields")
    make_post(learner, title="General question", body="About deployment")
    client = client_for(learner)
    # When filtered by module, then only the module's post
    results = client.get(LIST_URL, {"course": course.pk, "module": module.pk}).json()["results"]
    assert [p["id"] for p in results] == [str(about_module.pk)]
    assert results[0]["module"] == str(module.pk)
    # When searching body text (case-insensitively), then only the matching post
    results = client.get(LIST_URL, {"course": course.pk, "search": "foreignkey"}).json()["results"]
    assert [p["id"] for p in results] == [str(about_module.pk)]


def test_list_orderings(client_for, learner, other_learner, course, make_post, make_reply):
    # Given an old well-voted answered post, a newer unanswered one with a reply, and a newest one without replies
    now = timezone.now()
    answered = make_post(learner, title="Answered one", votes=5)
    replied = make_post(learner, title="Replied one", votes=1)
    empty = make_post(learner, title="Empty one", votes=-1)
    for offset, item in enumerate([answered, replied, empty]):
        Post.objects.filter(pk=item.pk).update(created_at=now - timezone.timedelta(hours=3 - offset))
    reply = make_reply(answered, other_learner)
    Post.objects.filter(pk=answered.pk).update(accepted_reply=reply)
    make_reply(replied, other_learner)
    client = client_for(learner)

    def order(ordering):
        return [p["title"] for p in client.get(LIST_URL, {"course": course.pk, "ordering": ordering}).json()["results"]]

    # Then each ordering sorts as documented
    assert order("newest") == ["Empty one", "Replied one", "Answered one"]
    assert order("votes") == ["Answered one", "Replied one", "Empty one"]
    assert order("unanswered") == ["Empty one", "Replied one", "Answered one"]
    answered_item = client.get(LIST_URL, {"course": course.pk, "ordering": "votes"}).json()["results"][0]
    assert answered_item["is_answered"] is True
    assert answered_item["accepted_reply"] == str(reply.pk)
    assert answered_item["reply_count"] == 1


def test_list_shows_my_vote(client_for, learner, other_learner, course, post):
    baker.make("forum.Vote", post=post, user=other_learner, value=-1)
    results = client_for(other_learner).get(LIST_URL, {"course": course.pk}).json()["results"]
    assert results[0]["my_vote"] == -1
    assert client_for(learner).get(LIST_URL, {"course": course.pk}).json()["results"][0]["my_vote"] == 0


@pytest.mark.parametrize("n_posts", [1, 25])
def test_list_query_count_is_fixed(
    client_for, learner, other_learner, course, make_post, make_reply, django_assert_max_num_queries, n_posts
):
    # Given n posts with votes and replies
    for _ in range(n_posts):
        item = make_post(other_learner)
        baker.make("forum.Vote", post=item, user=learner, value=1)
        make_reply(item, learner)
    client = client_for(learner)
    # When a learner lists a page of them: course, enrollment check, count, page (author, my vote joined in)
    with django_assert_max_num_queries(4):
        response = client.get(LIST_URL, {"course": course.pk, "page_size": 50})
    assert response.json()["count"] == n_posts
    assert all(p["my_vote"] == 1 and p["reply_count"] == 1 for p in response.json()["results"])


# --- Create ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "instructor", "admin_user"])
def test_members_create_posts(request, client_for, course, module, who):
    user = request.getfixturevalue(who)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    post_created.connect(receiver)
    try:
        response = client_for(user).post(
            LIST_URL,
            {
                "course": str(course.pk),
                "module": str(module.pk),
                "title": "Why <b>this</b>?",
                "body": "<script>x</script>",
            },
            format="json",
        )
    finally:
        post_created.disconnect(receiver)
    assert response.status_code == 201, response.content
    body = response.json()
    # Text is stored and returned verbatim: plain text, never rendered or stripped
    assert body["title"] == "Why <b>this</b>?"
    assert body["body"] == "<script>x</script>"
    assert body["module"] == str(module.pk)
    assert body["author"]["id"] == str(user.pk)
    post = Post.objects.get(pk=body["id"])
    assert (post.user, post.course, post.module) == (user, course, module)
    assert received == [{"signal": post_created, "user": user, "post": post}]


def test_create_round_trips_and_answer(client_for, learner, course, django_assert_max_num_queries):
    # Given a learner of the course
    client = client_for(learner)
    # When they post their first post: the course, their enrollment (forum access), SAVEPOINT, the post INSERT,
    # the forum XP (user lock, today's forum XP, ledger insert, roll-up upsert, badge candidates with their
    # post count, the first-post badge INSERT), RELEASE. No re-read.
    with django_assert_max_num_queries(11):
        response = client.post(LIST_URL, {"course": str(course.pk), "title": "Hello there", "body": "b"}, format="json")
    # Then it answers the post exactly as reading it back does
    assert response.status_code == 201, response.content
    assert response.json() == client.get(detail_url(Post.objects.get())).json()


def test_create_with_module_of_another_course_is_400(client_for, learner, course, instructor):
    foreign_module = baker.make(
        "catalog.Module", course=baker.make("catalog.Course", instructor=instructor), position=1
    )
    response = client_for(learner).post(
        LIST_URL,
        {"course": str(course.pk), "module": str(foreign_module.pk), "title": "Hello there", "body": "b"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "forum_module_not_in_course"
    assert "module" in response.json()["errors"]
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "Hey", "body": "b"}, "title"),
        ({"title": "x" * 201, "body": "b"}, "title"),
        ({"title": "Hello there", "body": ""}, "body"),
        ({"title": "Hello there", "body": "b" * 10_001}, "body"),
        ({"title": "Hello there"}, "body"),
        ({"title": "Hello\x00there", "body": "b"}, "title"),
    ],
)
def test_create_validates_lengths(client_for, learner, course, payload, field):
    response = client_for(learner).post(LIST_URL, {"course": str(course.pk), **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Post.objects.exists()


def test_posting_is_rate_limited(client_for, learner, course, settings):
    settings.FORUM_POST_RATE = "2/h"
    client = client_for(learner)
    payload = {"course": str(course.pk), "title": "Hello there", "body": "b"}
    assert client.post(LIST_URL, payload, format="json").status_code == 201
    assert client.post(LIST_URL, payload, format="json").status_code == 201
    response = client.post(LIST_URL, payload, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert Post.objects.count() == 2


# --- Detail, edit, delete ---------------------------------------------------------------------


def test_author_edits_own_post(client_for, learner, post):
    response = client_for(learner).patch(detail_url(post), {"body": "Solved half of it."}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Solved half of it."
    assert response.json()["edited_at"] is not None
    post.refresh_from_db()
    assert post.body == "Solved half of it."
    assert post.title == "How do migrations work?"


@pytest.mark.parametrize("who", ["other_learner", "instructor", "admin_user"])
def test_others_cannot_edit(request, client_for, post, who):
    response = client_for(request.getfixturevalue(who)).patch(detail_url(post), {"body": "Mine now"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forum_not_author"
    post.refresh_from_db()
    assert post.body != "Mine now"


def test_edit_validates(client_for, learner, post):
    assert client_for(learner).patch(detail_url(post), {}, format="json").status_code == 400
    response = client_for(learner).patch(detail_url(post), {"title": "x" * 300}, format="json")
    assert "title" in response.json()["errors"]


@pytest.mark.parametrize("who", ["learner", "instructor", "admin_user"])
def test_author_instructor_and_admin_delete(request, client_for, post, make_reply, other_learner, who):
    # Given a post with a reply
    make_reply(post, other_learner)
    user = request.getfixturevalue(who)
    # When deleted, then it is soft-deleted and the thread stays readable as "[deleted]"
    assert client_for(user).delete(detail_url(post)).status_code == 204
    post.refresh_from_db()
    assert post.deleted_at is not None
    assert post.deleted_by == user
    body = client_for(other_learner).get(detail_url(post)).json()
    assert (body["title"], body["body"], body["author"], body["is_deleted"]) == ("[deleted]", "[deleted]", None, True)
    assert client_for(other_learner).get(f"/api/forum/posts/{post.pk}/replies/").json()["count"] == 1
    # Staff deleting someone else's post is audited; an author deleting their own is not
    assert AuditLog.objects.filter(action="post.delete").count() == (0 if who == "learner" else 1)


def test_other_learner_cannot_delete(client_for, other_learner, post):
    response = client_for(other_learner).delete(detail_url(post))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.deleted_at is None


def test_deleted_post_without_replies_leaves_the_list_and_cannot_be_edited(client_for, learner, course, post):
    client = client_for(learner)
    client.delete(detail_url(post))
    assert client.get(LIST_URL, {"course": course.pk}).json()["count"] == 0
    response = client.patch(detail_url(post), {"body": "back"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "forum_deleted"


def test_detail_of_unknown_post_is_404(client_for, learner):
    assert client_for(learner).get(f"/api/forum/posts/{uuid.uuid4()}/").status_code == 404
