from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "lumeire.storefront"
    label = "storefront"
