"""Key the chain from here: append one keyed seal after the entries hashed with plain SHA-256
(none on an empty log). Nothing is rewritten; reversing leaves the seal, as the log only grows."""

from django.db import migrations

from lumeire.audit.legacy import seal_plain_entries


def seal(apps, schema_editor):
    seal_plain_entries(
        apps.get_model("audit", "AuditEntry"),
        apps.get_model("audit", "AuditHead"),
        apps.get_model("audit", "AuditCheckpoint"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0008_entry_key_id"),
    ]

    operations = [
        migrations.RunPython(seal, migrations.RunPython.noop, elidable=False),
    ]
