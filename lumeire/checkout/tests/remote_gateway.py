"""A card gateway outside the database, as a real provider is: a rollback does not undo a charge.

It approves every token and writes down each call, so a test can see what the store asked of it.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from lumeire.payments.gateway import Authorisation, PaymentGateway

calls: list[tuple[str, str, Decimal | None]] = []
refund_fails = False
_references = itertools.count(1)


class RemoteGateway(PaymentGateway):
    code = "remote"

    def authorise(
        self, *, card_token: str, amount: Decimal, currency: str, reference: str
    ) -> Authorisation:
        charge = f"remote_{next(_references)}"
        calls.append(("authorise", charge, amount))
        return Authorisation(True, charge, "mada", "0019", "")

    def capture(self, *, authorisation: str, amount: Decimal) -> None:
        calls.append(("capture", authorisation, amount))

    def refund(self, *, authorisation: str, amount: Decimal) -> None:
        if refund_fails:
            raise ConnectionError("the provider did not answer")
        calls.append(("refund", authorisation, amount))

    def void(self, *, authorisation: str) -> None:
        calls.append(("void", authorisation, None))
