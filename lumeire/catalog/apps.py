from django.apps import AppConfig
from django.core.signals import request_finished, request_started


class CatalogConfig(AppConfig):
    name = "lumeire.catalog"
    label = "catalog"

    def ready(self) -> None:
        from lumeire.catalog.services import (
            catalog_version_request_finished,
            catalog_version_request_started,
        )

        request_started.connect(catalog_version_request_started, dispatch_uid="catalog-version")
        request_finished.connect(catalog_version_request_finished, dispatch_uid="catalog-version")
