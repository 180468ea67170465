"""A throw-away PostgreSQL primary with a streaming replica, and PgBouncer in front, on loopback ports.

    python -m scripts.pg_cluster [--pgbouncer]

prints the URLs (primary, replica, pooled) and runs until interrupted. The system tests and the scale-out
drill use ``streaming_cluster()`` and ``pgbouncer()`` directly. Everything lives in a temporary directory that
is removed afterwards; development and tests only (trust authentication on loopback).

The binaries are Debian's: PostgreSQL's ``initdb``/``pg_ctl``/``pg_basebackup`` (``PG_BIN``, default the
newest ``/usr/lib/postgresql/*/bin``) and ``pgbouncer`` (``apt-get install pgbouncer``; installed on demand
when running as root). PostgreSQL refuses to run as root, so as root the servers run as the ``postgres`` user.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from scripts.processes import stop_process_group

LOOPBACK = "127.0.0.1"
SUPERUSER = "postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def pg_bin() -> Path:
    configured = os.environ.get("PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (install postgresql or set PG_BIN)")
    return found[-1].parent


def _as_server_user(argv: list[str]) -> list[str]:
    # initdb and postgres refuse root; run them as the unprivileged `postgres` account instead.
    return ["runuser", "-u", SUPERUSER, "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], *, timeout: float = 120) -> None:
    result = subprocess.run(  # noqa: S603 - PostgreSQL's own binaries with fixed arguments
        _as_server_user(argv), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")


def _wait_connectable(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@dataclass
class Cluster:
    primary_port: int
    replica_port: int
    root: Path

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgres://{SUPERUSER}@{LOOPBACK}:{port}/{database}"

    def primary_url(self, database: str = "postgres") -> str:
        return self.url(self.primary_port, database)

    def replica_url(self, database: str = "postgres") -> str:
        return self.url(self.replica_port, database)

    def restart_primary(self) -> None:
        """``pg_ctl restart -m fast``: every connection to the primary is cut, the replica reconnects."""
        primary, log = str(self.root / "primary"), str(self.root / "primary.log")
        _run([str(pg_bin() / "pg_ctl"), "-D", primary, "-l", log, "-m", "fast", "-w", "restart"])

    def wait_replayed(self, timeout: float = 30) -> None:
        """Block until the replica has replayed everything the primary has written so far."""
        with psycopg.connect(self.primary_url(), autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica_url(), autocommit=True) as replica:
            while True:
                caught_up = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]
                if caught_up:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError("the replica did not catch up within the timeout")
                time.sleep(0.1)


@contextlib.contextmanager
def streaming_cluster(*, replica: bool = True) -> Iterator[Cluster]:
    """``initdb`` a primary, clone it with ``pg_basebackup -R`` into a hot-standby replica, start both
    (``replica=False``: the primary alone)."""
    binaries = pg_bin()
    root = Path(tempfile.mkdtemp(prefix="dca-pg-cluster-"))
    shutil.chown(root, user=SUPERUSER) if os.geteuid() == 0 else None
    cluster = Cluster(primary_port=_free_port(), replica_port=_free_port(), root=root)
    primary, standby = root / "primary", root / "replica"
    started: list[Path] = []
    server_options = f"-c listen_addresses={LOOPBACK} -c unix_socket_directories={root} -c fsync=off"
    try:
        _run([str(binaries / "initdb"), "-D", str(primary), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8"])
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nmax_connections = 200\n")
        _run(
            [
                *(str(binaries / "pg_ctl"), "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start"),
                *("-o", f"-p {cluster.primary_port} {server_options}"),
            ]
        )
        started.append(primary)
        _wait_connectable(cluster.primary_url())
        if not replica:
            yield cluster
            return
        _run(
            [
                *(str(binaries / "pg_basebackup"), "-h", LOOPBACK, "-p", str(cluster.primary_port)),
                *("-U", SUPERUSER, "-D", str(standby), "-R", "-X", "stream", "-c", "fast"),
            ]
        )
        _run(
            [
                *(str(binaries / "pg_ctl"), "-D", str(standby), "-l", str(root / "replica.log"), "-w", "start"),
                *("-o", f"-p {cluster.replica_port} {server_options}"),
            ]
        )
        started.append(standby)
        _wait_connectable(cluster.replica_url())
        yield cluster
    finally:
        for data in reversed(started):
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def _pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "pgbouncer"], env=env, check=True)  # noqa: S607
        return "/usr/sbin/pgbouncer"
    raise RuntimeError("pgbouncer not found: apt-get install pgbouncer")


@contextlib.contextmanager
def pgbouncer(*, databases: dict[str, str], pool_size: int = 10) -> Iterator[int]:
    """PgBouncer in transaction-pooling mode on a free port; yields the port clients connect to.

    ``databases`` maps each pooled name to its ``[databases]`` line (see ``pool()``), ``"*"`` any other name.
    """
    binary = _pgbouncer_binary()
    root = Path(tempfile.mkdtemp(prefix="dca-pgbouncer-"))
    port = _free_port()
    entries = "\n".join(f"{name} = {options}" for name, options in databases.items())
    (root / "userlist.txt").write_text(f'"{SUPERUSER}" ""\n')
    (root / "pgbouncer.ini").write_text(
        f"""[databases]
{entries}

[pgbouncer]
listen_addr = {LOOPBACK}
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {root / "userlist.txt"}
pool_mode = transaction
admin_users = {SUPERUSER}
default_pool_size = {pool_size}
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {root / "pgbouncer.log"}
pidfile = {root / "pgbouncer.pid"}
"""
    )
    if os.geteuid() == 0:
        shutil.chown(root, user=SUPERUSER)
        for path in root.iterdir():
            shutil.chown(path, user=SUPERUSER)
    process = subprocess.Popen(  # noqa: S603 - Debian's pgbouncer with our own config file
        _as_server_user([binary, str(root / "pgbouncer.ini")]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        probe = next((name for name in databases if name != "*"), "postgres")  # "*" pools any database name
        _wait_connectable(f"postgres://{SUPERUSER}@{LOOPBACK}:{port}/{probe}")
        yield port
    finally:
        stop_process_group(process)
        shutil.rmtree(root, ignore_errors=True)


def pool(*, port: int, dbname: str | None = None, deadlines_ms: tuple[int, int] | None = None) -> str:
    """A PgBouncer ``[databases]`` line: the server on ``port`` (database ``dbname``, or the client's), its
    server connections starting with these (statement, lock) deadlines."""
    options = f"host={LOOPBACK} port={port}" + (f" dbname={dbname}" if dbname else "")
    if deadlines_ms:
        statement, lock = deadlines_ms
        options += f" connect_query='SET statement_timeout = {statement}; SET lock_timeout = {lock}'"
    return options


def pgbouncer_transactions(port: int) -> dict[str, int]:
    """Transactions PgBouncer has passed on, per pooled database (its admin console's SHOW STATS)."""
    with psycopg.connect(f"postgres://{SUPERUSER}@{LOOPBACK}:{port}/pgbouncer", autocommit=True) as console:
        cursor = console.cursor()
        cursor.execute("SHOW STATS")
        columns = [column.name for column in cursor.description]
        return {row[0]: row[columns.index("total_xact_count")] for row in cursor.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="dca")
    parser.add_argument("--pgbouncer", action="store_true", help="also PgBouncer (transaction pooling)")
    args = parser.parse_args()
    with streaming_cluster() as cluster:
        with psycopg.connect(cluster.primary_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{args.database}"')
        print(f"DATABASE_URL={cluster.primary_url(args.database)}", flush=True)
        print(f"DATABASE_REPLICA_URLS={cluster.replica_url(args.database)}", flush=True)
        with contextlib.ExitStack() as stack:
            if args.pgbouncer:
                pools = {
                    args.database: pool(port=cluster.primary_port, dbname=args.database, deadlines_ms=(15000, 5000)),
                    f"{args.database}_long": pool(
                        port=cluster.primary_port, dbname=args.database, deadlines_ms=(300000, 60000)
                    ),
                    f"{args.database}_replica": pool(
                        port=cluster.replica_port, dbname=args.database, deadlines_ms=(15000, 5000)
                    ),
                }
                port = stack.enter_context(pgbouncer(databases=pools))
                pooled = f"postgres://{SUPERUSER}@{LOOPBACK}:{port}/{args.database}"
                print(f"# through PgBouncer (DATABASE_TRANSACTION_POOLING=true): web DATABASE_URL={pooled},")
                print(f"# workers {pooled}_long, DATABASE_REPLICA_URLS={pooled}_replica", flush=True)
            print("# cluster running; Ctrl-C stops it (and deletes its data).", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short


if __name__ == "__main__":
    main()
