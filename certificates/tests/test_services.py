"""Issuing on completion, numbering, rendering, revoking and reinstating."""

from __future__ import annotations

import io

import pytest
from model_bakery import baker
from pypdf import PdfReader

from audit.models import AuditLog
from catalog.services import lesson_complete
from certificates.models import Certificate, CertificateNumberCounter
from certificates.services import certificate_issue, certificate_reinstate, certificate_revoke
from common.exceptions import ConflictError
from tests.support.concurrency import run_concurrently

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_completing_the_last_lesson_issues_one_rendered_certificate(
    student, course, lesson, enroll, django_capture_on_commit_callbacks
):
    # Given a learner enrolled in a one-lesson course
    enroll(student, course)

    # When they complete the lesson (twice: the second time is a no-op)
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=student, lesson=lesson)
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=student, lesson=lesson)

    # Then exactly one certificate exists, numbered for this year, with its PDF stored
    certificate = Certificate.objects.get(user=student, course=course)
    assert Certificate.objects.count() == 1
    assert certificate.certificate_number == f"DCA-{certificate.issue_date.year}-000001"
    assert certificate.status == Certificate.Status.VALID
    assert certificate.file_ready and certificate.rendered_at is not None
    with certificate.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Asha Student" in text
    assert "Python for Data Analysis" in text
    assert certificate.certificate_number in text


def test_issue_is_idempotent_and_queues_rendering_on_commit(student, course, django_capture_on_commit_callbacks):
    # Given an issued certificate whose render task has not run yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created = certificate_issue(user=student, course=course)
    # the PDF render, and the learner's notification (notifications receives certificate_issued)
    assert created and len(callbacks) == 2
    assert not Certificate.objects.get(pk=first.pk).file_ready

    # When issuing again
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again, created_again = certificate_issue(user=student, course=course)

    # Then the same certificate comes back and nothing new is queued or numbered
    assert (again.pk, created_again) == (first.pk, False)
    assert callbacks == []
    assert CertificateNumberCounter.objects.get(year=first.issue_date.year).last_number == 1


def test_numbers_are_sequential_without_gaps_across_learners_and_courses(make_user, course, instructor):
    # Given several learners and two courses
    other_course = baker.make("catalog.Course", instructor=instructor, slug="other-course")
    learners = [make_user("student") for _ in range(3)]

    # When certificates are issued (one repeat in the middle, which must not consume a number)
    issued = []
    for learner in learners:
        issued.append(certificate_issue(user=learner, course=course)[0])
        certificate_issue(user=learner, course=course)
    issued.append(certificate_issue(user=learners[0], course=other_course)[0])

    # Then the numbers run 1..4 in issue order
    year = issued[0].issue_date.year
    assert [c.certificate_number for c in issued] == [f"DCA-{year}-{n:06d}" for n in range(1, 5)]
    assert len({c.verification_code for c in issued}) == 4
    assert all(len(c.verification_code) >= 20 for c in issued)


def test_revoke_and_reinstate_write_the_audit_log(student, admin_user, course):
    # Given a valid certificate
    certificate, _ = certificate_issue(user=student, course=course)

    # When an admin revokes it
    revoked = certificate_revoke(certificate=certificate, actor=admin_user, reason="Plagiarised project")

    # Then it is revoked with when and why, and the action is audited
    revoked.refresh_from_db()
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoked_at is not None and revoked.revoke_reason == "Plagiarised project"
    entry = AuditLog.objects.get(action="certificate.revoke")
    assert (entry.actor, entry.target_id, entry.details["reason"]) == (
        admin_user,
        str(certificate.pk),
        "Plagiarised project",
    )

    # And revoking twice is a conflict
    with pytest.raises(ConflictError) as excinfo:
        certificate_revoke(certificate=certificate, actor=admin_user, reason="again")
    assert excinfo.value.code == "certificate_already_revoked"

    # When it is reinstated
    reinstated = certificate_reinstate(certificate=certificate, actor=admin_user, reason="Appeal accepted")

    # Then it is valid again, the number unchanged, and audited
    reinstated.refresh_from_db()
    assert (reinstated.status, reinstated.revoked_at, reinstated.revoke_reason) == ("valid", None, "")
    assert reinstated.certificate_number == certificate.certificate_number
    assert AuditLog.objects.filter(action="certificate.reinstate", target_id=str(certificate.pk)).count() == 1
    with pytest.raises(ConflictError) as excinfo:
        certificate_reinstate(certificate=certificate, actor=admin_user)
    assert excinfo.value.code == "certificate_not_revoked"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_for_one_learner_gives_one_certificate(student, course):
    # When the same learner's certificate is issued twice at the same moment
    results = run_concurrently(lambda: certificate_issue(user=student, course=course), times=2)

    # Then both calls return the same certificate, exactly one was created, and one number was used
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    assert Certificate.objects.filter(user=student, course=course).count() == 1
    assert CertificateNumberCounter.objects.get().last_number == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_for_many_learners_number_without_gaps(make_user, course):
    # Given six learners finishing at the same moment
    learners = [make_user("student") for _ in range(6)]

    # When their certificates are issued concurrently
    results = run_concurrently(*[lambda u=u: certificate_issue(user=u, course=course) for u in learners])

    # Then the numbers are exactly 1..6, each used once
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Certificate.objects.values_list("certificate_number", flat=True))
    year = Certificate.objects.first().issue_date.year
    assert numbers == [f"DCA-{year}-{n:06d}" for n in range(1, 7)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_completion_of_the_last_lesson_issues_one_certificate(student, course, lesson, enroll):
    # Given a learner enrolled in a one-lesson course
    enroll(student, course)

    # When the lesson is completed twice at the same moment (double click, two devices)
    results = run_concurrently(lambda: lesson_complete(user=student, lesson=lesson), times=2)

    # Then exactly one certificate exists, and its PDF was rendered after commit
    assert not [r for r in results if isinstance(r, Exception)], results
    certificate = Certificate.objects.get(user=student, course=course)
    assert certificate.file_ready
    assert CertificateNumberCounter.objects.get().last_number == 1
