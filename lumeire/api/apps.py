from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lumeire.api"
    label = "api"
