from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuditConfig(AppConfig):
    name = "lumeire.audit"
    label = "audit"

    def ready(self) -> None:
        # Each app declares its own audit actions in its audit_actions.py (see actions.py).
        autodiscover_modules("audit_actions")
