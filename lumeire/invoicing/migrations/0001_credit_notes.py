"""Credit notes: their own gap-free yearly numbers, one note per cancelled or refunded order
crediting its invoice. Reversing drops both tables."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0002_prices_include_vat"),
    ]

    operations = [
        migrations.CreateModel(
            name="CreditNoteSequence",
            fields=[
                ("year", models.PositiveIntegerField(primary_key=True, serialize=False)),
                ("last", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="CreditNote",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("number", models.CharField(editable=False, max_length=24, unique=True)),
                ("invoice_number", models.CharField(editable=False, max_length=24)),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("cancelled", "The order was cancelled"),
                            ("refunded", "The order was refunded"),
                        ],
                        editable=False,
                        max_length=12,
                    ),
                ),
                (
                    "issued_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("currency", models.CharField(editable=False, max_length=3)),
                ("total", models.DecimalField(decimal_places=2, editable=False, max_digits=12)),
                ("vat", models.DecimalField(decimal_places=2, editable=False, max_digits=12)),
                (
                    "order",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credit_note",
                        to="orders.order",
                    ),
                ),
            ],
            options={
                "ordering": ["-issued_at", "-number"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("total__gte", 0)), name="credit_note_total_not_negative"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("vat__gte", 0)), name="credit_note_vat_not_negative"
                    ),
                ],
            },
        ),
    ]
