"""The order roles: "Fulfilment", "Customer service" and "Owner", named as lumeire.staff.roles.

Fulfilment packs, ships and delivers; customer service cancels and refunds; the owner may do
everything on orders, delivery options and the catalogue. Which move each role makes is narrowed
further by the back office (lumeire.backoffice.staff_roles); the groups give the permissions the
order services check. Permissions are made first, as in 0001, so a new database gets complete
groups. Reversing removes these three groups and nothing else.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FULFILMENT = "Fulfilment"
CUSTOMER_SERVICE = "Customer service"
OWNER = "Owner"
ACTIONS = ("add", "change", "delete", "view")
CATALOGUE_MODELS = ("category", "product", "variant", "productimage")

# (app label, codename) of each group's permissions.
GROUPS = {
    FULFILMENT: [("orders", "view_order"), ("orders", "change_order")],
    CUSTOMER_SERVICE: [
        ("orders", "view_order"),
        ("orders", "change_order"),
        ("orders", "refund_order"),
    ],
    OWNER: [
        *[("orders", f"{action}_order") for action in ACTIONS],
        ("orders", "refund_order"),
        *[("checkout", f"{action}_shippingmethod") for action in ACTIONS],
        *[("catalog", f"{action}_{model}") for model in CATALOGUE_MODELS for action in ACTIONS],
    ],
}


def _make_permissions(apps, database: str) -> None:
    for label in ("catalog", "orders", "checkout"):
        config = apps.get_app_config(label)
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
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.using(database).get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_catalogue_manager_group"),
        ("orders", "0001_initial"),
        ("checkout", "0002_shipping_methods"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
