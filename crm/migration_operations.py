"""Migration operations shared by the apps' migrations."""

from django.db import migrations


def postgresql_indexes(*indexes: tuple[str, str], extensions: tuple[str, ...] = ()) -> migrations.RunPython:
    """Create `indexes` ((name, "table [USING method] (expression) [WHERE ...]"), ...)
    with CREATE INDEX CONCURRENTLY on PostgreSQL, after `extensions`; drop them on
    reversal. Other databases skip them. The migration using it must set
    `atomic = False` (CONCURRENTLY cannot run in a transaction). The model state does
    not change: these indexes serve raw expressions no model field declares."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for extension in extensions:
            schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        for name, target in indexes:
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {target}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _target in indexes:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
