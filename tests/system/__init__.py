"""System tests: the project run as real processes (gunicorn, Celery) on PostgreSQL and Redis, over HTTP."""
