"""PostgreSQL only: GIN index for full-text search over the jieba tokens (see backend/disclosures/search.py)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS notice_search_gin ON disclosures_notice "
        "USING gin (to_tsvector('simple', search_text))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS notice_search_gin")


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
