"""The database refuses UPDATE and DELETE of audit entries, whoever asks (see protection.py).

Version 1 of the triggers; migration 0005 replaces them with version 2.
"""

from django.db import migrations

from lumeire.audit.protection import protect_statements, unprotect_statements


def protect(apps, schema_editor):
    for statement in protect_statements(schema_editor.connection.vendor, version=1):
        schema_editor.execute(statement, params=None)


def unprotect(apps, schema_editor):
    for statement in unprotect_statements(schema_editor.connection.vendor, version=1):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(protect, unprotect, elidable=False)]
