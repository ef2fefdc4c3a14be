"""Version 1 of the public API: one NinjaAPI, one error shape, one router per domain."""

from ninja import NinjaAPI

from lumeire.api.errors import install_error_handlers
from lumeire.api.parser import StoreParser
from lumeire.api.v1.accounts import router as accounts_router
from lumeire.api.v1.cart import router as cart_router
from lumeire.api.v1.catalog import router as catalog_router
from lumeire.api.v1.catalog_suggestions import router as suggestions_router
from lumeire.api.v1.checkout import router as checkout_router
from lumeire.api.v1.orders import router as orders_router
from lumeire.api.v1.payments import router as payments_router
from lumeire.api.v1.privacy import router as privacy_router

api = NinjaAPI(
    title="Lumeire API",
    version="1",
    description="The public JSON API of the Lumeire store. Personal values are masked.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=StoreParser(),
)
install_error_handlers(api)
api.add_router("/accounts/", accounts_router)
api.add_router("/privacy/", privacy_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/catalog/suggestions", suggestions_router)
api.add_router("/cart", cart_router)
api.add_router("/payments/", payments_router)
api.add_router("/checkout/", checkout_router)
api.add_router("/orders", orders_router)
