from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "lumeire.vault"
    label = "vault"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        # Registers the inventory, lifecycle, erasure journal and key system checks.
        from lumeire.vault import checks, inventory, lifecycle  # noqa: F401
        from lumeire.vault.keycheck import record_fingerprints_after_migrate
        from lumeire.vault.scrub import secure_delete_on_sqlite

        connection_created.connect(secure_delete_on_sqlite, dispatch_uid="vault_secure_delete")
        post_migrate.connect(
            record_fingerprints_after_migrate, sender=self, dispatch_uid="vault_key_fingerprints"
        )
