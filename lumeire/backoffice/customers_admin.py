"""Customers in the back office: a list and a page where every personal value is masked.

Only roles with ``Permission.CUSTOMERS_VIEW`` see them (the catalogue manager and the analyst
find no customers at all, not even in the menu). Search takes an exact email, username or order
number (``lumeire.staff.search.customer_search``) and goes through the blind indexes: the table
is never decrypted to search, and results are as masked as the list. A search by identity number
is a reveal of it and has its own form (``identity_search``): only for roles that may see
identity numbers, with a reason, a few times an hour, recorded. Searches are POSTs whose answer
is the result list itself, so the value searched for never sits in a URL (history, server logs,
Referer). A value is seen in clear only through a reveal.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.accounts.models import Customer, User
from lumeire.accounts.selectors import customers_for_staff
from lumeire.backoffice.masking import (
    age_band,
    mask_email,
    mask_identity_number,
    mask_phone,
    mask_text,
)
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.reveal import (
    ALL_FIELDS,
    NO_STORE,
    REVEAL_MODELS,
    ReasonForm,
    Revealable,
    RevealTarget,
    masked_rows,
    request_client_ref,
    reveal_url,
    reveal_view,
)
from lumeire.backoffice.sites import backoffice_site
from lumeire.checkout.models import Address
from lumeire.checkout.selectors import saved_addresses
from lumeire.core.errors import ApplicationError
from lumeire.core.formatting import money_text
from lumeire.orders.models import OrderStatus
from lumeire.orders.selectors import customer_ids_of_order_number, orders_of_customer
from lumeire.staff.access import Permission, has_permission, may_search_identity_number
from lumeire.staff.search import customer_search, identity_search


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _phones(customer: Customer) -> list[str]:
    return [_text(address.phone) for address in saved_addresses(customer.user)]


def _joined(values: list[str]) -> str:
    return ", ".join(dict.fromkeys(value for value in values if value))


def _date_of_birth(customer: Customer) -> str:
    born = customer.date_of_birth
    return born.isoformat() if hasattr(born, "isoformat") else _text(born)


def _own_value(name: str, label, mask) -> Revealable:
    """A value the customer profile holds itself, read as text and masked by ``mask``."""
    return Revealable(
        name,
        label,
        Customer,
        (name,),
        read=lambda c: _text(getattr(c, name)),
        mask=lambda c: mask(getattr(c, name)),
    )


def _account_value(name: str, label, mask) -> Revealable:
    """A value of the customer's account (the User row)."""
    return Revealable(
        name,
        label,
        User,
        (name,),
        read=lambda c: _text(getattr(c.user, name)),
        mask=lambda c: mask(getattr(c.user, name)),
    )


CUSTOMER_FIELDS = (
    _own_value("full_name", gettext_lazy("Name"), mask_text),
    _account_value("username", gettext_lazy("Username"), mask_text),
    _account_value("email", gettext_lazy("Email"), mask_email),
    Revealable(
        "phone",
        gettext_lazy("Phone (saved addresses)"),
        Address,
        ("phone",),
        read=lambda c: _joined(_phones(c)),
        mask=lambda c: _joined([mask_phone(phone) for phone in _phones(c)]),
    ),
    _own_value(
        "identity_number",
        gettext_lazy("National ID or residence number (iqama)"),
        mask_identity_number,
    ),
    Revealable(
        "date_of_birth",
        gettext_lazy("Date of birth"),
        Customer,
        ("date_of_birth",),
        read=_date_of_birth,
        mask=lambda c: age_band(c.date_of_birth),
    ),
)


def _customer_url(customer: Customer) -> str:
    return reverse(f"{backoffice_site.name}:accounts_customer_change", args=[quote(customer.pk)])


CUSTOMER_TARGET = RevealTarget(
    target_type="customer",
    permission=Permission.CUSTOMERS_VIEW,
    fields=CUSTOMER_FIELDS,
    subject_of=lambda c: c.pk,
    target_id_of=lambda c: str(c.pk),
    title_of=lambda c: _("Customer %(name)s") % {"name": mask_text(c.full_name)},
    back_url_of=_customer_url,
)
REVEAL_MODELS["customer"] = Customer


class CustomerSearchForm(forms.Form):
    """One exact value: an email, a username or an order number (identity numbers have their
    own form, with a reason)."""

    q = forms.CharField(
        label=gettext_lazy("Find a customer"),
        max_length=320,
        strip=True,
        error_messages={"required": gettext_lazy("Enter an exact value to search for.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )


class IdentitySearchForm(ReasonForm):
    """A search by identity number: the number, and why it is needed (it is a reveal)."""

    identity_number = forms.CharField(
        label=gettext_lazy("National ID or residence number (iqama)"),
        max_length=40,
        strip=True,
        error_messages={
            "required": gettext_lazy(
                "Enter the 10 digits of a national ID or residence number (iqama)."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "inputmode": "numeric"}),
    )

    field_order = ("identity_number", "reason_category", "reason")


@admin.register(Customer, site=backoffice_site)
class CustomerAdmin(StaffPageMixin, admin.ModelAdmin):
    """Customers for customer service, compliance and the owner; nothing here edits them."""

    change_list_template = "backoffice/customers/customer_change_list.html"
    list_display = ("masked_name", "masked_email", "created_at")
    list_display_links = ("masked_name",)
    ordering = ("-created_at",)
    actions = None
    show_full_result_count = False
    list_per_page = 50
    fields = ()

    @admin.display(description=gettext_lazy("name"))
    def masked_name(self, customer: Customer) -> str:
        return mask_text(customer.full_name) or "—"

    @admin.display(description=gettext_lazy("email"))
    def masked_email(self, customer: Customer) -> str:
        return mask_email(customer.user.email) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return customers_for_staff()

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return ()  # the list's own GET search is replaced by the POST search form

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Customer], term: str):
        """A search term in the URL is not taken: searching is the POST form's alone."""
        if (term or "").strip():
            return queryset.none(), False
        return queryset, False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        context = {**(extra_context or {}), **self._search_context(request, CustomerSearchForm())}
        return super().changelist_view(request, context)

    def _search_context(
        self,
        request: HttpRequest,
        form: CustomerSearchForm,
        identity_form: IdentitySearchForm | None = None,
    ) -> dict:
        user = request.user
        searching = has_permission(user, Permission.CUSTOMERS_SEARCH)
        by_identity = may_search_identity_number(user)
        site = self.admin_site.name
        return {
            "search_form": form if searching else None,
            "search_url": reverse(f"{site}:accounts_customer_search") if searching else "",
            "identity_form": (identity_form or IdentitySearchForm()) if by_identity else None,
            "identity_url": reverse(f"{site}:accounts_customer_identity_search")
            if by_identity
            else "",
        }

    def _results(
        self,
        request: HttpRequest,
        *,
        found: set,
        errors: list[str],
        status: int,
        form: CustomerSearchForm | None = None,
        identity_form: IdentitySearchForm | None = None,
    ) -> HttpResponse:
        """The customers found, masked like the list; never the value searched for."""
        customers = list(customers_for_staff().filter(pk__in=found)) if found else []
        results = [
            {
                "url": _customer_url(customer),
                "name": self.masked_name(customer),
                "email": self.masked_email(customer),
                "joined": customer.created_at,
            }
            for customer in customers
        ]
        context = {
            **self.admin_site.each_context(request),
            **self._search_context(request, form or CustomerSearchForm(), identity_form),
            "opts": self.opts,
            "title": _("Customers found"),
            "form_errors": errors,
            "results": results,
        }
        response = TemplateResponse(
            request, "backoffice/customers/search_results.html", context, status=status
        )
        response["Cache-Control"] = NO_STORE
        return response

    def search_view(self, request: HttpRequest) -> HttpResponse:
        """POST an exact email, username or order number; the customers found, masked."""
        if not has_permission(request.user, Permission.CUSTOMERS_SEARCH):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        form = CustomerSearchForm(request.POST)
        if not form.is_valid():
            return self._results(request, found=set(), errors=form.errors["q"], status=400)
        term = form.cleaned_data["q"]
        try:
            found = customer_search(
                actor=request.user, term=term, client=request_client_ref(request)
            )
        except ApplicationError as refusal:
            errors = refusal.field_errors.get("q") or [refusal.message]
            return self._results(request, found=set(), errors=errors, status=refusal.status_code)
        found |= customer_ids_of_order_number(term)
        return self._results(request, found=found, errors=[], status=200)

    def identity_search_view(self, request: HttpRequest) -> HttpResponse:
        """POST an identity number and a reason; the customers found, masked, the search
        recorded (the staff search service checks the role, the reason and the hourly limit)."""
        if not has_permission(request.user, Permission.CUSTOMERS_SEARCH):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        form = IdentitySearchForm(request.POST)
        valid = form.is_valid()
        if not valid and may_search_identity_number(request.user):
            errors = [message for messages in form.errors.values() for message in messages]
            return self._results(
                request, found=set(), errors=errors, status=400, identity_form=form
            )
        try:
            found = identity_search(
                actor=request.user,
                identity_number=form.cleaned_data.get("identity_number", "") if valid else "",
                reason_category=form.cleaned_data.get("reason_category", "") if valid else "",
                reason=form.cleaned_data.get("reason", "") if valid else "",
                client=request_client_ref(request),
            )
        except ApplicationError as refusal:
            response = self._results(
                request,
                found=set(),
                errors=[refusal.message],
                status=refusal.status_code,
                identity_form=form,
            )
            if refusal.retry_after:
                response["Retry-After"] = str(refusal.retry_after)
            return response
        return self._results(request, found=found, errors=[], status=200)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_permission(request.user, Permission.CUSTOMERS_VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return has_permission(request.user, Permission.CUSTOMERS_VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers sign up themselves

    def has_change_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False  # a customer's values change through their own account

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False  # erasure is the customer's request, through the privacy centre

    def get_urls(self):
        reveal = self.admin_site.admin_view(self.reveal_view)
        search = self.admin_site.admin_view(self.search_view)
        by_identity = self.admin_site.admin_view(self.identity_search_view)
        return [
            path("search/", search, name="accounts_customer_search"),
            path("search/identity/", by_identity, name="accounts_customer_identity_search"),
            path("<path:object_id>/reveal/", reveal, name="accounts_customer_reveal"),
            *super().get_urls(),
        ]

    def _customer(self, request: HttpRequest, object_id: str) -> Customer | None:
        return self.get_object(request, unquote(object_id))

    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return reveal_view(
            request,
            admin_site=self.admin_site,
            target=CUSTOMER_TARGET,
            obj=self._customer(request, object_id),
            object_id=object_id,
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """The customer's page: masked values, reveal links the role allows, their orders."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponse(status=405, headers={"Allow": "GET"})
        customer = self._customer(request, object_id)
        if customer is None:
            raise Http404
        user = request.user
        site = self.admin_site.name
        rows = masked_rows(user, CUSTOMER_TARGET, customer, site_name=site)
        orders_visible = has_permission(user, Permission.ORDERS_VIEW)
        orders = [
            {
                "number": order.number,
                "url": reverse(f"{site}:orders_order_change", args=[quote(order.pk)])
                if orders_visible
                else "",
                "status": OrderStatus(order.status).label,
                "placed_at": order.placed_at,
                "total": money_text(order.total, order.currency),
            }
            for order in orders_of_customer(customer=customer.user)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": CUSTOMER_TARGET.title_of(customer),
            "customer": customer,
            "rows": rows,
            "reveal_all_url": reveal_url(CUSTOMER_TARGET, customer, ALL_FIELDS, site_name=site)
            if any(row.reveal_url for row in rows)
            else "",
            "joined": customer.created_at,
            "orders": orders,
        }
        return TemplateResponse(request, "backoffice/customers/customer_detail.html", context)
