from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "lumeire.checkout"
    label = "checkout"
