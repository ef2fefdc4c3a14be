from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "lumeire.orders"
    label = "orders"
