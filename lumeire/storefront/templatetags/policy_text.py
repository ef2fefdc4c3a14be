"""The ``policy_body`` filter: a policy section's plain text as escaped HTML blocks."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from lumeire.storefront.policy_text import policy_body_html

register = template.Library()


@register.filter
def policy_body(text: str) -> SafeString:
    """Render numbered lines, bullet lines and paragraphs; escape everything else."""
    return policy_body_html(text)
