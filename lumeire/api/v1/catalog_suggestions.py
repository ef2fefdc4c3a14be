"""/api/v1/catalog/suggestions: what the search box offers while a shopper types.

Public and anonymous like the other catalogue reads: product and category names with their
store addresses, in the request's language; nothing about who asks.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from lumeire.api.schemas import ErrorSchema
from lumeire.catalog.search.suggestions import search_suggestions
from lumeire.catalog.services import catalog_version

router = Router(tags=["catalogue"])


class SuggestionQuery(Schema):
    q: str | None = Field(None, description="What the shopper has typed so far.")


class SuggestionOut(Schema):
    name: str
    slug: str
    url: str


class SuggestionsOut(Schema):
    products: list[SuggestionOut]
    categories: list[SuggestionOut]
    did_you_mean: str | None


@router.get("", response={200: SuggestionsOut, 400: ErrorSchema})
def suggestions(request: HttpRequest, params: Query[SuggestionQuery]):
    """Up to 8 products and 4 categories matching the words typed (the last may be unfinished),
    forgiving typos, with the corrected query when one was."""
    return search_suggestions(params.q or "", version=catalog_version())
