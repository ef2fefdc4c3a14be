from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lumeire.accounts"
    label = "accounts"
