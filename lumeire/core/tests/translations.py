"""What an app shows through gettext, for the tests that its Arabic catalogue covers it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils.translation.template import templatize

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}
TEMPLATIZED_CALL = re.compile(r"""gettext\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")


def app_strings(app: Path, *, templates: bool = False) -> set[str]:
    """The literal msgids of ``app``'s gettext calls (tests and migrations aside), and, with
    ``templates``, those of its templates' translate and blocktranslate tags."""
    found = set()
    for module in app.rglob("*.py"):
        if "tests" in module.parts or "migrations" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    if templates:
        for template in (app / "templates").rglob("*.html"):
            source = templatize(template.read_text(encoding="utf-8"), origin=str(template))
            found.update(ast.literal_eval(match) for match in TEMPLATIZED_CALL.findall(source))
    return found
