from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "lumeire.vault"
    label = "vault"

    def ready(self) -> None:
        # Registers the inventory system check.
        from lumeire.vault import inventory  # noqa: F401
