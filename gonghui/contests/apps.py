from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "gonghui.contests"
    verbose_name = _("Labour and skills competitions")
    default_auto_field = "django.db.models.BigAutoField"
