from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lumeire.audit"
    label = "audit"
