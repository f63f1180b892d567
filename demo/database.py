"""The scale tools' own PostgreSQL database (make seed-scale, bench, load, chaos): made
on first use so a fresh clone needs no manual step, and never the test suites' one."""

import psycopg
from django.conf import settings
from django.core.management.base import CommandError
from psycopg import sql


def require_postgresql() -> dict:
    """The default database's settings, or CommandError on SQLite (these tools measure
    the production path: PostgreSQL and Redis)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("This command needs PostgreSQL: set DATABASE_URL (the Makefile targets do).")
    return database


def ensure_database() -> bool:
    """Create the default PostgreSQL database when it does not exist yet.

    Connects to the server's `postgres` database with the same credentials. Returns
    True when it was created. Raises CommandError on SQLite or an unreachable server."""
    database = require_postgresql()
    params = {
        "dbname": "postgres",
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone()
            if exists:
                return False
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
            return True
    except psycopg.OperationalError as error:
        raise CommandError(f"PostgreSQL is not reachable: {error}") from error
