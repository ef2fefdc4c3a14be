from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lumeire.core"
    label = "core"
