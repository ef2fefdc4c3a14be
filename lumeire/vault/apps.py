from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "lumeire.vault"
    label = "vault"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        # Registers the inventory, lifecycle and erasure journal system checks.
        from lumeire.vault import checks, inventory, lifecycle  # noqa: F401
        from lumeire.vault.scrub import secure_delete_on_sqlite

        connection_created.connect(secure_delete_on_sqlite, dispatch_uid="vault_secure_delete")
