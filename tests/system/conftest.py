"""System tests start real processes; they need PostgreSQL and Redis on loopback and are marked ``system``."""

from __future__ import annotations

import os

import pytest

from tests.system import harness

# Low limits so the rate-limit tests reach them quickly ("/h" windows: no minute boundary mid-test).
LIMIT = 3
LOGIN_LIMIT = 6


def pytest_collection_modifyitems(config, items):
    here = [item for item in items if "system" in item.keywords]
    if here and not harness.services_available():
        skip = pytest.mark.skip(reason="needs PostgreSQL and Redis on 127.0.0.1 (SYSTEM_PG_URL, SYSTEM_REDIS_URL)")
        for item in here:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def two_servers():
    """Two gunicorn servers (two processes each) with production settings on one database and one Redis."""
    logs = harness.log_dir("two-servers")
    with harness.fresh_database(f"dca_sys_two_servers_{os.getpid()}") as database_url, harness.fake_razorpay() as rzp:
        harness.flush_redis(11)
        env = harness.production_env(
            database_url=database_url,
            redis_db=11,
            media_root=str(logs / "media"),
            RAZORPAY_API_BASE_URL=rzp.base_url,
            ACCOUNTS_RATE_LOGIN_IP=f"{LOGIN_LIMIT}/h",
            ACCOUNTS_RATE_SIGNUP_IP=f"{LIMIT}/h",
            ACCOUNTS_RATE_PASSWORD_RESET_IP=f"{LIMIT}/h",
            BILLING_ORDER_RATE=f"{LIMIT}/h",
            FORUM_POST_RATE=f"{LIMIT}/h",
            QUIZ_ATTEMPTS_PER_DAY=str(LIMIT),
        )
        harness.prepare(env)
        world = harness.run_python(env, "from tests.system.world import build_and_print\nbuild_and_print()")
        with (
            harness.gunicorn(env, logs, name="web1", workers=2) as web1,
            harness.gunicorn(env, logs, name="web2", workers=2) as web2,
        ):
            # Two sign-ins for the tokens below count against the sign-in limit of this IP.
            tokens = [harness.login(web1, world["students"][0]), harness.login(web2, world["students"][1])]
            yield {
                "servers": [web1, web2],
                "world": world,
                "tokens": tokens,
                "logins_used": 2,
                "env": env,
                "logs": logs,
            }
