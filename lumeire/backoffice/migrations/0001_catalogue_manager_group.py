"""The "Catalogue manager" group: every permission on categories, products, variants and images.

Permissions are normally made after all migrations run; they are made here first so that a new
database gets a complete group. Reversing removes the group and nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalogue manager"
MODELS = ("category", "product", "variant", "productimage")
ACTIONS = ("add", "change", "delete", "view")


def create_group(apps, schema_editor):
    database = schema_editor.connection.alias
    catalog = apps.get_app_config("catalog")
    models_module = getattr(catalog, "models_module", None)
    catalog.models_module = True  # what create_permissions looks for
    try:
        create_permissions(catalog, verbosity=0, using=database, apps=apps)
    finally:
        catalog.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.using(database).get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    permissions = Permission.objects.using(database).filter(
        content_type__app_label="catalog", codename__in=codenames
    )
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0002_postgres_search"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
