"""The role groups hold no Django permissions: the staff access model is the only source.

``lumeire.staff.access`` decides what each role may open, do and see, and
``lumeire.staff.backends.StaffRoleBackend`` answers ``has_perm`` from it; permissions left on the
groups would be a second, silently diverging truth. This clears them. Reversing gives each group
back the permissions migrations 0001 to 0003 gave it (the groups are only labels either way).
"""

from importlib import import_module

from django.db import migrations

ROLE_GROUPS = (
    "Owner",
    "Customer service",
    "Fulfilment",
    "Catalogue manager",
    "Compliance officer",
    "Legal counsel",
    "Analyst",
)
EARLIER = (
    ("lumeire.backoffice.migrations.0001_catalogue_manager_group", "create_group"),
    ("lumeire.backoffice.migrations.0002_order_roles", "create_groups"),
    ("lumeire.backoffice.migrations.0003_remaining_roles", "create_groups"),
)


def clear_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    database = schema_editor.connection.alias
    for group in Group.objects.using(database).filter(name__in=ROLE_GROUPS):
        group.permissions.clear()


def restore_permissions(apps, schema_editor):
    for module, function in EARLIER:
        getattr(import_module(module), function)(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0003_remaining_roles")]

    operations = [migrations.RunPython(clear_permissions, restore_permissions)]
