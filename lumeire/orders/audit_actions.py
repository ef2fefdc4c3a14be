"""What the audit log records of orders: a status change made by staff, and the erasure of a
guest order's personal details on the guest schedule."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class OrderAuditAction(models.TextChoices):
    ORDER_CHANGED = "order_changed", _("Order changed by staff")
    GUEST_DATA_ERASED = "guest_order_erased", _("Guest order details erased")


register_actions(OrderAuditAction)
