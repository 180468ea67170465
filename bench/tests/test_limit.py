"""bench/limit.py's reading of the database's CPU: which processes are the servers' PostgreSQL backends."""

from __future__ import annotations

from bench.limit import backend_of


def test_backends_of_the_database_are_recognised():
    assert backend_of("dca_bench", b"postgres: 15/main: postgres dca_bench 127.0.0.1(51486) idle\0")
    assert backend_of("dca_bench", b"postgres: postgres dca_bench [local] SELECT\0")


def test_other_databases_and_postgres_own_processes_are_not():
    assert not backend_of("dca_bench", b"postgres: 15/main: postgres dca_dev 127.0.0.1(51486) idle\0")
    assert not backend_of("dca_bench", b"postgres: 15/main: checkpointer \0")
    assert not backend_of("dca_bench", b"postgres: 15/main: autovacuum worker dca_bench\0")
    assert not backend_of("dca_bench", b"/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main\0")
    assert not backend_of("dca_bench", b"python bench/limit.py dca_bench\0")
