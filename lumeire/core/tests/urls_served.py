"""A URLconf for tests that run the store under gunicorn without a database.

The page says what the store made of the request: the client's address and the scheme.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from lumeire.core.client import client_address, request_is_secure


def what_the_store_saw(request: HttpRequest, token: str) -> JsonResponse:
    """Answer with the client's address and whether the request counts as HTTPS."""
    return JsonResponse({"address": client_address(request), "secure": request_is_secure(request)})


urlpatterns = [path("recover/<slug:token>/", what_the_store_saw, name="recover_probe")]
