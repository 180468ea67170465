"""A database outage, produced by the real driver: every query first tries a connection that is refused."""

from __future__ import annotations

import socket
import sqlite3

import psycopg
import pytest
from django.db import connection


@pytest.fixture
def closed_port():
    """A loopback port that refuses connections (bound, never listening) for the test's duration."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def database_outage(db, closed_port):
    """Every statement on the default connection fails with the driver's own "cannot connect" error,
    wrapped by Django exactly as when the server goes away (``django.db.OperationalError`` from the driver's)."""

    def refuse(execute, sql, params, many, context):
        with connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                psycopg.connect(host="127.0.0.1", port=closed_port, dbname="x", connect_timeout=2)
            else:
                sqlite3.connect("file:/nonexistent-dir/db.sqlite3?mode=ro", uri=True)
        raise AssertionError("the refused connection did not raise")

    with connection.execute_wrapper(refuse):
        yield
