from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "lumeire.staff"
    label = "staff"

    def ready(self) -> None:
        # Audit entries written by staff carry their roles; the audit app may not import this one.
        from lumeire.audit.actors import register_role_reader
        from lumeire.staff.access import group_roles

        register_role_reader(group_roles)
