"""The sentence a page of My account shows about a record that is not changed, and why.

The sentences live with the export's correction map (``lumeire.exports.corrections``), so the
export's index.html and the page that lists the same record say the same thing.
"""

from __future__ import annotations

from django import template

from lumeire.exports.corrections import correction_note as note_of

register = template.Library()


@register.simple_tag
def correction_note(section: str) -> str:
    """Why the records of ``section`` are not changed, and how a mistake is put right."""
    return note_of(section)
