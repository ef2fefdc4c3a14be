"""Search synonyms in the back office: words shoppers type for the same thing.

The catalogue's managers keep them, as they keep the catalogue; every write goes through
``lumeire.catalog.services``, which renews the search vocabulary and retires cached pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.refusals import RefusalsOnTheFormMixin, service_refusals
from lumeire.backoffice.sites import backoffice_site
from lumeire.catalog.models import SearchSynonym
from lumeire.catalog.services import search_synonym_delete, search_synonym_save


class SearchSynonymForm(forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ("word", "equivalents", "language")
        widgets = {
            "word": forms.TextInput(attrs={"dir": "auto"}),
            "equivalents": forms.TextInput(attrs={"dir": "auto", "size": 60}),
        }


@admin.register(SearchSynonym, site=backoffice_site)
class SearchSynonymAdmin(StaffPageMixin, RefusalsOnTheFormMixin, admin.ModelAdmin):
    form = SearchSynonymForm
    fields = ("word", "equivalents", "language")
    list_display = ("word", "equivalents", "language")
    list_filter = ("language",)
    search_fields = ("word", "equivalents")
    search_help_text = _("A word or one of its equivalents.")
    ordering = ("word", "id")

    def save_model(self, request, obj: SearchSynonym, form, change: bool) -> None:
        with service_refusals():
            search_synonym_save(synonym=obj)

    def delete_model(self, request, obj: SearchSynonym) -> None:
        search_synonym_delete(synonym=obj)

    def delete_queryset(self, request, queryset: QuerySet[SearchSynonym]) -> None:
        for synonym in queryset:
            search_synonym_delete(synonym=synonym)
