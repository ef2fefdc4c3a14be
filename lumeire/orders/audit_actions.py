"""What the audit log records of orders: a status change made by staff."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class OrderAuditAction(models.TextChoices):
    ORDER_CHANGED = "order_changed", _("Order changed by staff")


register_actions(OrderAuditAction)
