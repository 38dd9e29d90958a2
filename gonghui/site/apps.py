from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The shell on top of the programmes: the only app that imports them all."""

    name = "gonghui.site"
    label = "site"
    verbose_name = _("Site")
