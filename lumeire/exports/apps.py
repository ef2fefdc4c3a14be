from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "lumeire.exports"
    label = "exports"
    verbose_name = "Exports of a customer's own data"
