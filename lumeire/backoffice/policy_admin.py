"""The privacy policy in the back office: the Owner and Legal counsel draft a new version,
compare it with the version in force, and publish it.

Published versions are read-only here (and in the model): customers accepted their words. A
draft's bodies may hold the generated markers ([[kept_data]], [[who_can_see]], [[protection]],
[[cookies]], [[rules_link]]) so that the new text, too, is filled in from the running system.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.pseudonyms import client_ref
from lumeire.backoffice.sites import backoffice_site, staff_view
from lumeire.core.client import client_address
from lumeire.core.errors import ApplicationError
from lumeire.privacy.policy import GENERATORS
from lumeire.privacy.selectors import (
    current_policy_version,
    policy_diff,
    policy_draft,
    policy_version_any,
    policy_versions,
)
from lumeire.privacy.services import policy_draft_save, policy_publish
from lumeire.staff.access import Permission, has_permission

LANGUAGES = ("en", "ar")


def _require_manager(request: HttpRequest) -> None:
    if not has_permission(request.user, Permission.POLICY_MANAGE):
        raise PermissionDenied


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    context = {**backoffice_site.each_context(request), **context}
    return TemplateResponse(request, template, context, status=status)


def _sections_from_post(request: HttpRequest) -> list[dict]:
    keys = request.POST.getlist("key")
    sections = []
    for index, key in enumerate(keys):
        sections.append(
            {
                "key": key,
                "title": {
                    lang: request.POST.get(f"title_{lang}_{index}", "") for lang in LANGUAGES
                },
                "body": {lang: request.POST.get(f"body_{lang}_{index}", "") for lang in LANGUAGES},
            }
        )
    return sections


def _parse_effective(raw: str) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        message = _("Enter the effective date as YYYY-MM-DD.")
        raise ApplicationError(
            "policy_effective_invalid", message, field_errors={"effective_at": [message]}
        ) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@staff_view
def policy_overview(request: HttpRequest) -> HttpResponse:
    """Every version, and the chosen one (``?version=``, the draft by default) compared with
    the version in force."""
    _require_manager(request)
    current = current_policy_version()
    shown = None
    raw = request.GET.get("version", "")
    if raw.isdigit():
        shown = policy_version_any(int(raw))
    shown = shown or policy_draft() or current
    against = current if shown is not None and shown != current else None
    context = {
        "title": _("Privacy policy versions"),
        "versions": policy_versions(),
        "current": current,
        "shown": shown,
        "diff": policy_diff(shown, against) if shown is not None else [],
        "against": against,
    }
    return _render(request, "backoffice/policy/overview.html", context)


@staff_view
def policy_draft_page(request: HttpRequest) -> HttpResponse:
    """Write the draft; a new draft starts from the text in force."""
    _require_manager(request)
    draft = policy_draft()
    base = draft or current_policy_version()
    sections = list(base.sections) if base is not None else []
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        sections = _sections_from_post(request)
        try:
            effective_at = _parse_effective(request.POST.get("effective_at", ""))
            policy_draft_save(actor=request.user, sections=sections, effective_at=effective_at)
        except ApplicationError as refused:
            errors = {"": [refused.message], **(refused.field_errors or {})}
            status = refused.status_code or 400
        else:
            return redirect(reverse("backoffice_policy_overview"))
    context = {
        "title": _("Draft a new privacy policy version"),
        "draft": draft,
        "sections": [{"index": index, **section} for index, section in enumerate(sections)],
        "errors": errors,
        "markers": [f"[[{name}]]" for name in GENERATORS],
    }
    return _render(request, "backoffice/policy/draft.html", context, status=status)


@staff_view
def policy_publish_page(request: HttpRequest) -> HttpResponse:
    """Publish the draft named in the form; it cannot change afterwards."""
    _require_manager(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    raw = request.POST.get("version", "")
    try:
        if not raw.isdigit():
            message = _("Choose the draft to publish.")
            raise ApplicationError(
                "policy_version_missing", message, field_errors={"version": [message]}
            )
        policy_publish(
            actor=request.user,
            version=int(raw),
            effective_at=_parse_effective(request.POST.get("effective_at", "")),
            client_ref=client_ref(client_address(request)),
        )
    except ApplicationError as refused:
        context = {"title": _("The version was not published"), "refusal": refused}
        return _render(
            request, "backoffice/policy/refused.html", context, status=refused.status_code or 400
        )
    return redirect(reverse("backoffice_policy_overview") + f"?version={int(raw)}")


urlpatterns = [
    path("policy/", policy_overview, name="backoffice_policy_overview"),
    path("policy/draft/", policy_draft_page, name="backoffice_policy_draft"),
    path("policy/publish/", policy_publish_page, name="backoffice_policy_publish"),
]
