from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lumeire.catalog"
    label = "catalog"
