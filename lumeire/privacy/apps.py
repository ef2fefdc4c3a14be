from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "lumeire.privacy"
    label = "privacy"
