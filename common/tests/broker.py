"""A Celery broker that is down, for tests of what happens when work cannot be queued."""

from __future__ import annotations

import contextlib


def _celery_pools_reset(app) -> None:
    # Connections and producers are pooled per app; new ones pick up the broker settings in force.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker_unreachable():
    """Celery really publishing, to a broker nobody listens on: every ``delay`` raises kombu's
    OperationalError at once (no publish or connection retries)."""
    from config.celery import app

    down = {
        "task_always_eager": False,
        "broker_url": "redis://127.0.0.1:1/0",
        "task_publish_retry": False,
        "broker_transport_options": {"max_retries": 0},
        "broker_connection_retry": False,
        "broker_connection_max_retries": 0,
    }
    saved = {key: app.conf[key] for key in down}
    app.conf.update(down)
    _celery_pools_reset(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _celery_pools_reset(app)
