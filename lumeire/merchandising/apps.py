from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchandisingConfig(AppConfig):
    name = "lumeire.merchandising"
    label = "merchandising"
    verbose_name = _("Home page")
