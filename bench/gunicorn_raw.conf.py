"""Gunicorn settings of the raw app (bench/raw_app.py): exactly config/gunicorn.conf.py, except its
``pre_fork`` and ``pre_request`` hooks, which import Django; the ones here do the same without it.

``gunicorn -c bench/gunicorn_raw.conf.py bench.raw_app:app``
"""

import gc
import os
from pathlib import Path

_shared = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"
exec(compile(_shared.read_text(), str(_shared), "exec"))  # noqa: S102 - our own settings file

_BODY_LIMIT = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))


def pre_fork(server, worker):  # replaces the shared hook
    """Nothing to close: the raw app opens its connections per thread on first use, never in the master.
    The garbage collector's generations are frozen before the fork, as config/gunicorn.conf.py's hook does."""
    gc.freeze()


def pre_request(worker, req):  # replaces the shared hook
    """config/gunicorn.conf.py's hook (close the connection after an oversized body), Django-free."""
    length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), None)
    try:
        too_large = int(length or 0) > _BODY_LIMIT
    except ValueError:
        too_large = False
    if too_large:
        req.must_close = True
