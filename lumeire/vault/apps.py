from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "lumeire.vault"
    label = "vault"
