"""Version 1 of the public API: one NinjaAPI, one error shape, one router per domain."""

from ninja import NinjaAPI

from lumeire.api.errors import install_error_handlers

api = NinjaAPI(
    title="Lumeire API",
    version="1",
    description="The public JSON API of the Lumeire store. Personal values are masked.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
