"""The delivery options a new store starts with; staff change them in the back office."""

from decimal import Decimal

from django.db import migrations

METHODS = [
    ("standard", "Standard delivery (3–5 days)", "توصيل عادي (3–5 أيام)", "21.74", "300.00", 0),
    ("express", "Express delivery (next day)", "توصيل سريع (اليوم التالي)", "43.48", None, 1),
]


def create_methods(apps, schema_editor):
    ShippingMethod = apps.get_model("checkout", "ShippingMethod")
    for code, name_en, name_ar, price, free_above, position in METHODS:
        ShippingMethod.objects.using(schema_editor.connection.alias).get_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_ar": name_ar,
                "price": Decimal(price),
                "free_above": Decimal(free_above) if free_above else None,
                "position": position,
            },
        )


def remove_methods(apps, schema_editor):
    ShippingMethod = apps.get_model("checkout", "ShippingMethod")
    codes = [method[0] for method in METHODS]
    ShippingMethod.objects.using(schema_editor.connection.alias).filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("checkout", "0001_initial")]

    operations = [migrations.RunPython(create_methods, remove_methods)]
