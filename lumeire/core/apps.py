from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lumeire.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.urls import register_converter
        from django.urls.converters import get_converters

        from lumeire.core.files import private_sqlite_files, private_umask
        from lumeire.core.secret_urls import SECRET_CONVERTER, SecretTokenConverter

        # Before anything writes a file: mail, exports, archives, the database.
        private_umask()
        connection_created.connect(private_sqlite_files, dispatch_uid="lumeire.private_sqlite")
        if SECRET_CONVERTER not in get_converters():  # ready() runs again on an app list reset
            register_converter(SecretTokenConverter, SECRET_CONVERTER)
