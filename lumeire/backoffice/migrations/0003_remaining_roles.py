"""The last three roles: "Compliance officer", "Legal counsel" and "Analyst".

What they may see and do is lumeire.staff.access (ROLE_PERMISSIONS and the data inventory);
the groups carry only the Django model permissions the back office's own pages need for that:
the compliance officer reads orders (orders.view_order), legal counsel and the analyst hold no
catalogue or order permission at all. Reversing removes these three groups and nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COMPLIANCE_OFFICER = "Compliance officer"
LEGAL_COUNSEL = "Legal counsel"
ANALYST = "Analyst"

# (app label, codename) of each group's permissions.
GROUPS = {
    COMPLIANCE_OFFICER: [("orders", "view_order")],
    LEGAL_COUNSEL: [],
    ANALYST: [],
}


def _make_permissions(apps, database: str) -> None:
    config = apps.get_app_config("orders")
    models_module = getattr(config, "models_module", None)
    config.models_module = True  # what create_permissions looks for
    try:
        create_permissions(config, verbosity=0, using=database, apps=apps)
    finally:
        config.models_module = models_module


def create_groups(apps, schema_editor):
    database = schema_editor.connection.alias
    _make_permissions(apps, database)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _created = Group.objects.using(database).get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.using(database).get(
                    content_type__app_label=app_label, codename=codename
                )
                for app_label, codename in wanted
            ]
        )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0002_order_roles"),
        ("orders", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
