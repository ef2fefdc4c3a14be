"""The policy says what an order placed as a guest keeps and for how long, in both languages,
from the same schedule the retention pass applies."""

from __future__ import annotations

import pytest
from django.utils import translation

from lumeire.privacy.policy import kept_data


@pytest.mark.django_db
def test_the_policy_states_what_a_guests_order_keeps_and_for_how_long(settings):
    settings.LUMEIRE_GUEST_ORDER_DAYS = 30
    with translation.override("en"):
        english = kept_data()
    with translation.override("ar"):
        arabic = kept_data()

    assert "Orders placed as a guest:" in english
    assert "They are erased 30 days after the order is delivered, cancelled or refunded" in english
    assert "the order's key is destroyed" in english
    assert "which the tax rules oblige the store to keep" in english
    assert (
        "Email address given for an order placed as a guest: Send a guest the receipt and the "
        "link to their order. Kind: Contact. Kept: 30 days after the order is delivered, "
        "cancelled or refunded." in english
    )
    assert "الطلبات المقدّمة كضيف:" in arabic
    assert "وتُمحى بعد 30 يومًا من تسليم الطلب" in arabic
    assert "Orders placed as a guest" not in arabic


@pytest.mark.django_db
def test_the_guest_period_follows_the_setting_the_purge_reads(settings):
    settings.LUMEIRE_GUEST_ORDER_DAYS = 45
    with translation.override("en"):
        assert "They are erased 45 days after the order" in kept_data()
