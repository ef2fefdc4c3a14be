"""Search that forgives: index terms on each product, a vocabulary of terms, staff synonyms.

On PostgreSQL the stored search document is rebuilt from the index terms (names weigh A, the
rest B); the trigram index on names is no longer used (typos are corrected against the
vocabulary before the look-up). Existing products get their terms here.
"""

from importlib import import_module

from django.db import migrations, models

PostgresOnlySQL = import_module("lumeire.catalog.migrations.0002_postgres_search").PostgresOnlySQL

DROP_OLD_DOCUMENT = """
DROP INDEX IF EXISTS catalog_product_search_names_trgm;
DROP INDEX IF EXISTS catalog_product_search_document;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_document;
"""
NEW_DOCUMENT = """
ALTER TABLE catalog_product ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, coalesce(search_name_keys, '')), 'A')
    || setweight(to_tsvector('simple'::regconfig, coalesce(search_keys, '')), 'B')
) STORED;
CREATE INDEX catalog_product_search_document ON catalog_product USING gin (search_document);
"""
DROP_NEW_DOCUMENT = """
DROP INDEX IF EXISTS catalog_product_search_document;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_document;
"""
OLD_DOCUMENT = """
ALTER TABLE catalog_product ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, coalesce(search_names, '')), 'A')
    || setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'B')
) STORED;
CREATE INDEX catalog_product_search_document ON catalog_product USING gin (search_document);
CREATE INDEX catalog_product_search_names_trgm ON catalog_product
    USING gin (search_names gin_trgm_ops);
"""
BATCH = 2000


def index_existing_products(apps, schema_editor):
    from lumeire.catalog.search.index import index_text, option_texts

    category_model = apps.get_model("catalog", "Category")
    product_model = apps.get_model("catalog", "Product")
    variant_model = apps.get_model("catalog", "Variant")
    term_model = apps.get_model("catalog", "SearchTerm")
    categories = {c.pk: c for c in category_model.objects.all()}
    shown: dict[str, str] = {}
    ids = list(product_model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        options: dict[int, list] = {}
        for product_id, values in variant_model.objects.filter(
            product_id__in=chunk, is_active=True
        ).values_list("product_id", "options"):
            options.setdefault(product_id, []).append(values)
        rows = list(product_model.objects.filter(pk__in=chunk))
        for product in rows:
            found = categories.get(product.category_id)
            path = [int(p) for p in (found.path if found else "").strip("/").split("/") if p]
            names = [n for i in path if i in categories for n in (categories[i].name_en, categories[i].name_ar)]
            built = index_text(
                names=[product.name_en, product.name_ar],
                categories=names,
                options=option_texts(options.get(product.pk, [])),
                descriptions=[product.description_en, product.description_ar],
            )
            product.search_name_keys, product.search_keys = built.name_keys, built.keys
            for term, word in built.shown.items():
                if term not in shown or len(word) < len(shown[term]):
                    shown[term] = word
        product_model.objects.bulk_update(rows, ["search_name_keys", "search_keys"], batch_size=500)
    term_model.objects.bulk_create(
        [term_model(term=t, word=w) for t, w in shown.items()], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_catalogue_version'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('word', models.CharField(max_length=64, verbose_name='word')),
                ('equivalents', models.CharField(help_text='Separated by commas, for example: fragrance, scent, عطر', max_length=500, verbose_name='equivalent words')),
                ('language', models.CharField(blank=True, choices=[('', 'Both languages'), ('en', 'English pages'), ('ar', 'Arabic pages')], default='', max_length=2, verbose_name='applies on')),
            ],
            options={
                'verbose_name': 'search synonym',
                'verbose_name_plural': 'search synonyms',
                'ordering': ['word', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SearchTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=64, unique=True, verbose_name='term')),
                ('word', models.CharField(max_length=64, verbose_name='word shown')),
            ],
            options={
                'verbose_name': 'search term',
                'verbose_name_plural': 'search terms',
            },
        ),
        migrations.AddField(
            model_name='product',
            name='search_keys',
            field=models.TextField(blank=True, editable=False, verbose_name='search terms'),
        ),
        migrations.AddField(
            model_name='product',
            name='search_name_keys',
            field=models.TextField(blank=True, editable=False, verbose_name='search terms of the names'),
        ),
        PostgresOnlySQL(DROP_OLD_DOCUMENT, OLD_DOCUMENT),
        migrations.RunPython(index_existing_products, migrations.RunPython.noop, elidable=True),
        PostgresOnlySQL(NEW_DOCUMENT, DROP_NEW_DOCUMENT),
    ]
