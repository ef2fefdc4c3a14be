"""Cookie consent evidence and the anonymous daily page-view counts."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("privacy", "0003_erasure_request"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConsentRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("consent_id", models.CharField(db_index=True, max_length=32)),
                ("categories", models.JSONField(default=list)),
                ("policy_version", models.PositiveIntegerField(blank=True, null=True)),
                (
                    "method",
                    models.CharField(
                        choices=[("banner", "Banner"), ("settings", "Cookie settings page")],
                        max_length=16,
                    ),
                ),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consent_records",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-recorded_at", "-id"]},
        ),
        migrations.CreateModel(
            name="DailyPageViews",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True)),
                ("views", models.PositiveIntegerField(default=0)),
                ("visitors", models.PositiveIntegerField(default=0)),
            ],
        ),
    ]
