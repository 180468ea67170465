"""Create the benchmark's PostgreSQL database if it does not exist: ``database.py create URL``."""

import sys
from urllib.parse import urlparse

import psycopg
from psycopg import sql


def create(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "create":
        raise SystemExit("usage: database.py create postgres://...")
    create(sys.argv[2])
