from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "lumeire.invoicing"
    label = "invoicing"

    def ready(self) -> None:
        from lumeire.invoicing import checks  # noqa: F401 - registers the settings check
