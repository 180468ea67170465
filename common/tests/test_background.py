"""enqueue_on_commit: work queued after a commit never fails the request (issue #15.12)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings
from django.db import transaction

from common.background import enqueue_on_commit, run_on_commit
from common.tests.broker import celery_broker_unreachable

pytestmark = pytest.mark.django_db(transaction=True)

ran: list[str] = []


@shared_task(name="common.tests.record")
def record(value: str) -> None:
    ran.append(value)


def test_queued_after_commit_and_run():
    ran.clear()
    with transaction.atomic():
        enqueue_on_commit(record, "a")
        assert ran == []  # not before the commit
    assert ran == ["a"]


def test_not_queued_when_the_transaction_rolls_back():
    ran.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(record, "b")
        raise RuntimeError
    assert ran == []


def test_a_broker_outage_is_logged_and_swallowed_after_the_commit(caplog):
    from accounts.models import User

    # given a broker nobody listens on
    # when a transaction that queues work commits
    with (
        celery_broker_unreachable(),
        caplog.at_level(logging.ERROR, logger="common.background"),
        transaction.atomic(),
    ):
        user = User.objects.create(email="queued@example.com")
        enqueue_on_commit(record, str(user.pk))
    # then the commit stands, nothing raised, and the loss is logged with the task's name
    assert User.objects.filter(email="queued@example.com").exists()
    assert "Could not queue common.tests.record" in caplog.text


def test_every_on_commit_hook_of_the_project_goes_through_the_helper():
    # A raw ``transaction.on_commit(lambda: task.delay(...))`` would let a broker outage become a 500
    # after the commit. The helper's module is the only place allowed to call on_commit.
    root = Path(settings.BASE_DIR)
    offenders = []
    packages = [d for d in root.iterdir() if d.is_dir() and (d / "__init__.py").exists()]
    for path in (p for package in packages for p in package.rglob("*.py")):
        relative = path.relative_to(root)
        if {"tests", "migrations"} & set(relative.parts) or str(relative) == "common/background.py":
            continue
        if re.search(r"\bon_commit\(", path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == []


def test_an_after_commit_hook_runs_after_the_commit_and_its_error_is_logged_not_raised(caplog):
    calls = []

    def fails():
        calls.append("ran")
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="common.background"), transaction.atomic():
        run_on_commit(fails)
        assert calls == []  # not before the commit
    assert calls == ["ran"]
    assert "After-commit hook" in caplog.text
