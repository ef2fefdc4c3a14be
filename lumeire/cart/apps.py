from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "lumeire.cart"
    label = "cart"
