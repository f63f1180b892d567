"""Writing generated rows with PostgreSQL COPY (psycopg 3 `cursor.copy`), one table at
a time with a progress bar, then moving the table's id sequence past the ids given."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models, transaction
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from tqdm import tqdm

#: Tables `--reset` keeps: what migrations wrote (the taxonomies, content types,
#: permissions) and the migration log itself.
KEPT_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission", "crm_industry", "crm_jobtype"})


def app_tables() -> list[str]:
    """Every table of the public schema but the kept ones."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return [name for (name,) in cursor.fetchall() if name not in KEPT_TABLES]


def truncate_app_tables() -> None:
    """Empty the app's tables and restart their ids (the taxonomies stay)."""
    tables = app_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE")
            .format(sql.SQL(", ").join(sql.Identifier(t) for t in tables))
            .as_string(cursor.connection)
        )


def _constant(field: models.Field):
    """The value COPY writes for a column the generator leaves out: the field's
    default as the ORM would save it. Raises ValueError for a NOT NULL column with
    no default, or one the ORM fills at save time (auto_now): the generator must give it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise ValueError(f"{field.model.__name__}.{field.name} is set at save time: give it.")
    value = field.get_default()
    if value is None and not field.null:
        raise ValueError(f"{field.model.__name__}.{field.name} is NOT NULL without a default: give it.")
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


class Table:
    """COPY into `model`'s table: `columns` are given by each row (a tuple in that
    order); every other column gets its field's default."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.table = model._meta.db_table
        by_column = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(by_column)
        if unknown:
            raise ValueError(f"{self.table} has no columns {sorted(unknown)}")
        self.extra = [(c, _constant(f)) for c, f in by_column.items() if c not in columns]
        self.columns = list(columns) + [c for c, _v in self.extra]
        self.constants = tuple(v for _c, v in self.extra)

    def copy(self, rows: Iterable[tuple], *, total: int | None = None, progress: bool = True) -> int:
        """Write `rows`; returns how many. Then the id sequence follows the largest id."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.table), sql.SQL(", ").join(sql.Identifier(c) for c in self.columns)
        )
        count = 0
        constants = self.constants
        bar = tqdm(
            total=total, desc=f"{self.table:<38}", unit=" rows", unit_scale=True, disable=not progress, leave=True
        )
        with transaction.atomic(), connection.cursor() as wrapper:
            cursor = wrapper.cursor
            # Indexes not backing a constraint are built once after the rows rather
            # than updated row by row; in the same transaction, so that a run stopped
            # half-way leaves the table as it was, indexes included.
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = 'public' AND i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
                [self.table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            # The network writes run in a thread: generating rows overlaps the server's work.
            with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
                write = copy.write_row
                for row in rows:
                    write(row + constants)
                    count += 1
                    if count % 10_000 == 0:
                        bar.update(10_000)
            bar.update(count % 10_000)
            bar.close()
            for _name, definition in indexes:
                cursor.execute(definition)
            if "id" in self.columns:
                reset_sequence(cursor, self.table)
        return count


def reset_sequence(cursor, table: str) -> None:
    """Move the table's id sequence after its largest id (the next insert by the app
    gets a fresh id)."""
    cursor.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence({table}, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            "FROM {ident}"
        ).format(table=sql.Literal(table), ident=sql.Identifier(table))
    )
