"""Staff accounts are the staff app's: re-exported here for the callers that import them here."""

from __future__ import annotations

from lumeire.staff.errors import StaffError, StaffErrorCode
from lumeire.staff.services import staff_create

# Created by migration backoffice 0001; the name is what create_staff --group takes.
CATALOGUE_MANAGER = "Catalogue manager"

__all__ = ["CATALOGUE_MANAGER", "StaffError", "StaffErrorCode", "staff_create"]
