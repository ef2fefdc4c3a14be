"""PostgreSQL search: a stored, weighted full-text document and a trigram index on names.

Names weigh more than descriptions. Other databases skip this: they search the same folded text
with a plain match.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SEARCH_DOCUMENT = """
ALTER TABLE catalog_product ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, coalesce(search_names, '')), 'A')
    || setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'B')
) STORED;
CREATE INDEX catalog_product_search_document ON catalog_product USING gin (search_document);
CREATE INDEX catalog_product_search_names_trgm ON catalog_product
    USING gin (search_names gin_trgm_ops);
"""
DROP_SEARCH_DOCUMENT = """
DROP INDEX IF EXISTS catalog_product_search_names_trgm;
DROP INDEX IF EXISTS catalog_product_search_document;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_document;
"""


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
        PostgresOnlySQL(SEARCH_DOCUMENT, DROP_SEARCH_DOCUMENT),
    ]
