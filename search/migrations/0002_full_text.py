"""The full-text index of the search entries, which differs by database: an FTS5 table with
triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL (the statements
are in ``search.backends.database.DIALECTS``)."""

from django.db import migrations


def install(apps, schema_editor):
    from search.backends.database import install_full_text

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        install_full_text(schema_editor.connection)


def remove(apps, schema_editor):
    from search.backends.database import remove_full_text

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        remove_full_text(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
