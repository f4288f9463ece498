"""PostgreSQL only: keep the tsvector in a stored generated column instead of an expression index.

Measured (bench/bench_notices.py): with the expression index, any plan that does not start from the GIN
index (common words, small tables) recomputes ``to_tsvector`` for every row it visits — hundreds of
milliseconds. A stored column is computed once per write and read as-is.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS notice_search_gin")
    schema_editor.execute(
        "ALTER TABLE disclosures_notice ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS notice_search_vector_gin ON disclosures_notice USING gin (search_vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS notice_search_vector_gin")
    schema_editor.execute("ALTER TABLE disclosures_notice DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS notice_search_gin ON disclosures_notice "
        "USING gin (to_tsvector('simple', search_text))"
    )


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0002_postgres_search_index")]

    operations = [migrations.RunPython(forwards, backwards)]
