"""The request id: kept when a proxy sends a well-formed one, replaced when it could forge logs."""

import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from lumeire.core.middleware import PermissionsPolicyMiddleware, RequestIdMiddleware
from lumeire.core.request_context import current_request_id

GENERATED = re.compile(r"^[0-9a-f]{16}$")


class Recorder:
    """A view that notes what the middleware gave it."""

    def __init__(self) -> None:
        self.request_id = ""
        self.context_id = ""

    def __call__(self, request) -> HttpResponse:
        self.request_id = request.request_id
        self.context_id = current_request_id.get()
        return HttpResponse("ok")


def run(incoming: str | None) -> tuple[Recorder, HttpResponse]:
    headers = {} if incoming is None else {"X-Request-ID": incoming}
    view = Recorder()
    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))
    return view, response


def test_well_formed_incoming_id_is_kept():
    view, response = run("req-0123456789abcdef")

    assert view.request_id == "req-0123456789abcdef"
    assert view.context_id == "req-0123456789abcdef"
    assert response["X-Request-ID"] == "req-0123456789abcdef"


@pytest.mark.parametrize(
    "incoming",
    [
        "abc\ninjected",
        "abcdefgh\r\nX-Injected: 1",
        'abcdefgh" level="INFO',
        "abcdefgh\u2028injected",
        "short",
        "a" * 65,
        "\N{ARABIC-INDIC DIGIT ONE}" * 10,
        "",
    ],
)
def test_malformed_incoming_id_is_replaced_by_a_generated_one(incoming):
    view, response = run(incoming)

    assert GENERATED.match(view.request_id)
    assert view.context_id == view.request_id
    assert response["X-Request-ID"] == view.request_id
    assert "injected" not in response["X-Request-ID"]


def test_missing_incoming_id_gets_a_generated_one():
    _, response = run(None)

    assert GENERATED.match(response["X-Request-ID"])


def test_each_request_gets_its_own_generated_id():
    ids = {run(None)[1]["X-Request-ID"] for _ in range(20)}

    assert len(ids) == 20


def test_request_id_does_not_outlive_the_request():
    run("req-0123456789abcdef")

    assert current_request_id.get() == "-"


def test_request_id_is_reset_when_the_view_raises():
    def failing_view(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        RequestIdMiddleware(failing_view)(RequestFactory().get("/"))

    assert current_request_id.get() == "-"


@pytest.mark.django_db
def test_every_response_of_the_full_stack_carries_the_request_id():
    response = Client().get("/healthz", headers={"X-Request-ID": "abc\ninjected"})

    assert GENERATED.match(response["X-Request-ID"])


def test_permissions_policy_is_added_but_a_view_may_set_its_own(settings):
    default = PermissionsPolicyMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))

    def own_policy(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "camera=(self)"
        return response

    custom = PermissionsPolicyMiddleware(own_policy)(RequestFactory().get("/"))

    assert default["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert custom["Permissions-Policy"] == "camera=(self)"
