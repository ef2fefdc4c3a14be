"""The back office sign-in forms live in two_factor_forms; the channel name is the staff app's."""

from __future__ import annotations

from lumeire.backoffice.two_factor_forms import StaffCodeForm, StaffSignInForm
from lumeire.staff.services import SIGN_IN_CHANNEL

__all__ = ["SIGN_IN_CHANNEL", "StaffCodeForm", "StaffSignInForm"]
