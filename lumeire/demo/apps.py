from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lumeire.demo"
    label = "demo"
