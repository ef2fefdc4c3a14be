"""Turn a policy section's plain text into HTML without trusting a single character of it.

The published text is plain: numbered lines ("1. ...") make an ordered list, bullet lines
("- ...") an unordered one, and blank lines separate paragraphs. Every piece is escaped before
it is wrapped, so a stray "<" in a future version can never become markup.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_BULLET = re.compile(r"^\s*[-•]\s+(.*)$")


def _line_kind(line: str) -> tuple[str, str]:
    if match := _NUMBERED.match(line):
        return "ol", match[1]
    if match := _BULLET.match(line):
        return "ul", match[1]
    return "p", line.strip()


def policy_body_html(text: str) -> SafeString:
    """Render a section body as <p>, <ol> and <ul> blocks, each line escaped."""
    blocks: list[str] = []
    kind: str | None = None
    items: list[str] = []

    def close() -> None:
        nonlocal kind, items
        if kind == "p":
            blocks.append(f"<p>{' '.join(items)}</p>")
        elif kind is not None:
            blocks.append(
                f"<{kind}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{kind}>"
            )
        kind, items = None, []

    for line in (text or "").splitlines():
        if not line.strip():
            close()
            continue
        line_kind, content = _line_kind(line)
        if line_kind != kind:
            close()
            kind = line_kind
        items.append(escape(content))
    close()
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece was escaped above
