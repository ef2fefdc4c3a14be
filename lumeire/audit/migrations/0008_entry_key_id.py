"""Each entry names the chain key its hash is an HMAC under; empty on the plain entries before.

SQLite adds the column by remaking the table, which would drop its triggers with it: they are
lifted first and put back after, inside the migration's transaction.
"""

from django.db import migrations, models

from lumeire.audit.protection import protect_statements, unprotect_statements


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements("sqlite", version=2):
                schema_editor.execute(statement, params=None)

    return run


lift = _sqlite(unprotect_statements)
restore = _sqlite(protect_statements)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0007_actions_declared_by_each_app"),
    ]

    operations = [
        migrations.RunPython(lift, restore, elidable=False),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="key id"),
        ),
        migrations.RunPython(restore, lift, elidable=False),
    ]
