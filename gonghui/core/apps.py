from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        import sqlite3

        from gonghui.core import checks  # noqa: F401  (registers the deployment checks)
        from gonghui.core.audit_actions import CORE_ACTIONS, declare

        declare(self.label, CORE_ACTIONS)

        # Booleans bound as the integers SQLite stores them as. Without an adapter each one
        # goes through the adaptation protocol's look-ups first, three times a roster row.
        sqlite3.register_adapter(bool, int)
