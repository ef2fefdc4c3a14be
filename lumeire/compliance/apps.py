from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "lumeire.compliance"
    label = "compliance"
    verbose_name = "Irregular activity: detection, cases and reports"

    def ready(self) -> None:
        from lumeire.compliance import emission

        emission.connect()
