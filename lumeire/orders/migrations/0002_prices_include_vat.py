"""Shelf prices include VAT: orders placed from now keep the shown unit price with VAT and take
their VAT from the total. Orders already placed keep their per-line VAT (False), so invoices
already issued read the same; reversing drops both columns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
    ]

    operations = [
        # Existing rows get False (they were charged VAT per line); new orders default to True.
        migrations.AddField(
            model_name="order",
            name="prices_include_vat",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="order",
            name="prices_include_vat",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddField(
            model_name="orderline",
            name="unit_gross",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True),
        ),
    ]
