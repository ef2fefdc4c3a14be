from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "lumeire.staff"
    label = "staff"
