from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "lumeire.payments"
    label = "payments"
