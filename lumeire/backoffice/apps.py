from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "lumeire.backoffice"
    label = "backoffice"
