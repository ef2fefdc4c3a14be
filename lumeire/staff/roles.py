"""The staff roles of the store. What each may reveal comes from the data inventory."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """One role per kind of work; a staff member may hold several."""

    OWNER = "owner", _("Owner")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    FULFILMENT = "fulfilment", _("Fulfilment")
    CATALOGUE_MANAGER = "catalogue_manager", _("Catalogue manager")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    LEGAL_COUNSEL = "legal_counsel", _("Legal counsel")
    ANALYST = "analyst", _("Analyst")
