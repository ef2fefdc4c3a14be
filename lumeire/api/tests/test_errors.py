"""The API's one error shape, on a throwaway API that raises each kind of failure on purpose.

The module doubles as a URLconf (``urlpatterns`` below), so the same API can also be driven
through Django's full middleware stack where the request id matters.
"""

import os

# ninja versions before 1.4 refuse a second NinjaAPI in one process without this.
os.environ.setdefault("NINJA_SKIP_REGISTRY", "yes")

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import Client
from django.urls import path
from ninja import NinjaAPI, Router, Schema
from ninja.errors import Throttled
from ninja.testing import TestClient
from pydantic import field_validator

from lumeire.api.errors import install_error_handlers
from lumeire.core.errors import ApplicationError, ConflictError
from lumeire.core.identity import validate_identity_number

INVALID_FIELDS = "Some fields are missing or not valid."


class ItemIn(Schema):
    name: str
    quantity: int


router = Router()


@router.post("/items")
def create_item(request, payload: ItemIn):
    return {"name": payload.name, "quantity": payload.quantity}


@router.get("/missing")
def missing(request):
    raise Http404("No order 1058529940 for this customer")


@router.get("/application-error")
def application_error(request):
    raise ApplicationError("cart_empty", "Your cart is empty.")


@router.get("/conflict")
def conflict(request):
    raise ConflictError(
        "username_taken", "That username is taken.", field_errors={"username": ["Choose another."]}
    )


@router.get("/throttled")
def throttled(request):
    raise Throttled(wait=30)


@router.get("/private", auth=lambda request: None)
def private(request):
    return {"secret": "never reached"}


@router.get("/forbidden")
def forbidden(request):
    raise PermissionDenied("staff only: reveal identity number")


@router.get("/suspicious")
def suspicious(request):
    raise SuspiciousOperation("Invalid HTTP_HOST header: evil.example")


class IdentityIn(Schema):
    identity_number: str


class CheckedIdentityIn(Schema):
    identity_number: str

    @field_validator("identity_number")
    @classmethod
    def identity_number_is_valid(cls, value: str) -> str:
        validate_identity_number(value)
        return value


@router.post("/identity")
def identity(request, payload: IdentityIn):
    validate_identity_number(payload.identity_number)
    return {"ok": True}


@router.post("/identity-in-schema")
def identity_in_schema(request, payload: CheckedIdentityIn):
    return {"ok": True}


@router.post("/model-clean")
def model_clean(request):
    raise DjangoValidationError({"email": ["Enter a valid email address."], "__all__": ["No."]})


@router.get("/boom")
def boom(request):
    raise RuntimeError("internal state sk_live_0123456789 leaked")


api = NinjaAPI(urls_namespace="errors-test")
install_error_handlers(api)
api.add_router("/", router)

urlpatterns = [path("errors-test/", api.urls)]

client = TestClient(api)

pytestmark = pytest.mark.urls(__name__)


def test_malformed_json_body_is_a_400_with_the_error_shape_not_a_500():
    response = client.post("/items", data='{"name": "Lamp", "quantity": ')

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON.",
        "errors": {"body": ["Send the body as a JSON object encoded in UTF-8."]},
    }


def test_body_that_is_not_utf8_is_a_400_not_a_500():
    response = client.post("/items", data=b"\xff\xfe{}")

    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."


# The full stack reads the database (the list of blocked client addresses, for example).
@pytest.mark.django_db
def test_malformed_json_is_a_400_through_the_full_middleware_stack():
    response = Client().post(
        "/errors-test/items", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON.",
        "errors": {"body": ["Send the body as a JSON object encoded in UTF-8."]},
    }


def test_missing_field_is_keyed_by_the_name_the_client_sent():
    response = client.post("/items", json={"name": "Lamp"})

    assert response.status_code == 400
    assert response.json() == {"detail": INVALID_FIELDS, "errors": {"quantity": ["Field required"]}}


def test_wrong_type_is_keyed_by_the_name_the_client_sent():
    response = client.post("/items", json={"name": "Lamp", "quantity": "many"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": INVALID_FIELDS,
        "errors": {
            "quantity": ["Input should be a valid integer, unable to parse string as an integer"]
        },
    }


def test_several_bad_fields_are_all_reported():
    response = client.post("/items", json={"quantity": "many"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "quantity"}


def test_missing_body_is_reported_on_the_body_not_on_the_views_parameter():
    response = client.post("/items")

    assert response.status_code == 400
    assert response.json() == {
        "detail": INVALID_FIELDS,
        "errors": {"body": ["Send a JSON object in the request body."]},
    }


def test_json_that_is_not_an_object_reports_the_missing_fields():
    response = client.post("/items", data="[1, 2]")

    assert response.status_code == 400
    assert response.json() == {
        "detail": INVALID_FIELDS,
        "errors": {"name": ["Field required"], "quantity": ["Field required"]},
    }


def test_valid_body_reaches_the_endpoint():
    response = client.post("/items", json={"name": "Lamp", "quantity": 2})

    assert response.status_code == 200
    assert response.json() == {"name": "Lamp", "quantity": 2}


def test_http404_is_a_404_that_does_not_repeat_the_exception_text():
    response = client.get("/missing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_application_error_keeps_its_status_detail_and_code():
    response = client.get("/application-error")

    assert response.status_code == 400
    assert response.json() == {"detail": "Your cart is empty.", "code": "cart_empty"}


def test_application_error_subclass_keeps_its_status_and_field_errors():
    response = client.get("/conflict")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "That username is taken.",
        "errors": {"username": ["Choose another."]},
        "code": "username_taken",
    }


def test_throttled_is_a_429_with_retry_after():
    response = client.get("/throttled")

    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "Too many attempts. Try again later."}


def test_failed_authentication_is_a_401_with_the_error_shape():
    response = client.get("/private")

    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in to do this."}


def test_permission_denied_is_a_403_that_does_not_repeat_the_exception_text():
    response = client.get("/forbidden")

    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to do this."}


def test_suspicious_request_is_a_400_not_a_500():
    response = client.get("/suspicious")

    assert response.status_code == 400
    assert response.json() == {"detail": "The request could not be understood."}


@pytest.mark.django_db
def test_oversized_body_is_a_413_not_a_500(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = Client().post("/errors-test/items", data="x" * 2048, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


def test_identity_validator_error_is_a_400_that_does_not_echo_the_number():
    response = client.post("/identity", json={"identity_number": "1000000000"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This national ID or residence number (iqama) is not valid. "
        "Check it for a mistyped digit."
    }
    assert "1000000000" not in response.content.decode()


def test_identity_validator_inside_a_schema_is_a_400_not_a_500():
    response = client.post("/identity-in-schema", json={"identity_number": "3000000000"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A national ID starts with 1 and a residence number starts with 2."
    }


def test_django_validation_error_by_field_keeps_the_field_names():
    response = client.post("/model-clean")

    assert response.status_code == 400
    assert response.json() == {
        "detail": INVALID_FIELDS,
        "errors": {"email": ["Enter a valid email address."], "body": ["No."]},
    }


def test_unexpected_error_is_a_500_with_a_reference_and_no_trace(caplog):
    response = client.get("/boom", request_id="ref-0123456789")

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. "
        "Quote reference ref-0123456789 if you contact us."
    }
    body = response.content.decode()
    assert "Traceback" not in body
    assert "RuntimeError" not in body
    assert "sk_live" not in body
    assert [record.getMessage() for record in caplog.records] == ["unhandled API error"]
    assert caplog.records[0].exc_info is not None


def test_unexpected_error_quotes_the_request_id_of_the_full_stack():
    response = Client(raise_request_exception=False).get(
        "/errors-test/boom", headers={"X-Request-ID": "trace-abcdef012345"}
    )

    assert response.status_code == 500
    assert response["X-Request-ID"] == "trace-abcdef012345"
    assert response.json() == {
        "detail": "Something went wrong on our side. "
        "Quote reference trace-abcdef012345 if you contact us."
    }
