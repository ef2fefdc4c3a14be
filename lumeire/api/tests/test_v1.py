"""The public API describes itself: the OpenAPI document and the interactive docs are served."""

from django.test import Client


def test_openapi_document_is_served_as_json():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Lumeire API"
    assert document["info"]["version"] == "1"


def test_interactive_docs_are_served():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/v1/openapi.json" in response.content
