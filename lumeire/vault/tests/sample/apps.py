from django.apps import AppConfig


class VaultSampleConfig(AppConfig):
    name = "lumeire.vault.tests.sample"
    label = "vault_sample"
