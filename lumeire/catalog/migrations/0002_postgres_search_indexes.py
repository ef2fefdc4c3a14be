"""PostgreSQL search: trigram extension, and indexes for full text and typo-tolerant matching.

Other databases skip these: their search is a plain match on the same folded text.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FULL_TEXT_INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_product_search_fts ON catalog_product "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_product_search_trgm ON catalog_product "
    "USING gin (search_text gin_trgm_ops)"
)


class PostgresOnlySQL(migrations.RunSQL):
    """Raw SQL that only PostgreSQL runs."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        TrigramExtension(),
        PostgresOnlySQL(FULL_TEXT_INDEX, "DROP INDEX IF EXISTS catalog_product_search_fts"),
        PostgresOnlySQL(TRIGRAM_INDEX, "DROP INDEX IF EXISTS catalog_product_search_trgm"),
    ]
