"""A card gateway other than the test one, for tests of a store set up with a real provider."""

from __future__ import annotations

from decimal import Decimal

from lumeire.payments.gateway import Authorisation, PaymentGateway


class OtherGateway(PaymentGateway):
    code = "other"

    def authorise(
        self, *, card_token: str, amount: Decimal, currency: str, reference: str
    ) -> Authorisation:
        raise NotImplementedError

    def capture(self, *, authorisation: str, amount: Decimal) -> None:
        raise NotImplementedError

    def refund(self, *, authorisation: str, amount: Decimal) -> None:
        raise NotImplementedError

    def void(self, *, authorisation: str) -> None:
        raise NotImplementedError
