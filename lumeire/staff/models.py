"""What the staff app keeps besides the audit log: which customers each clear export held."""

from __future__ import annotations

from django.db import models


class ExportedCustomer(models.Model):
    """One customer whose values went in clear into one export.

    The export itself is one entry of the audit log (who, when, which columns, why); these rows
    only say whom it held, written in bulk in the same transaction, so the customer's "who
    looked at my data" lists the export without a chained entry per customer.
    """

    export_entry_id = models.BigIntegerField()  # the EXPORT entry of the audit log
    subject_id = models.UUIDField()

    not_personal = {"subject_id": "a customer's account id, never a value of theirs"}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_id", "export_entry_id"], name="staff_export_once_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"export {self.export_entry_id}: customer {self.subject_id}"
