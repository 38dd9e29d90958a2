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
        from gonghui.core.imports import actions as imports
        from gonghui.core.imports.files import derived_files
        from gonghui.core.imports.models import BUSY, ImportJob
        from gonghui.core.uploads import keep_uploads_of

        declare(self.label, {**CORE_ACTIONS, **imports.AUDIT_ACTIONS})
        keep_uploads_of(ImportJob, derived_files=derived_files, busy_stages=BUSY)

        # Booleans bound as the integers SQLite stores them as. Without an adapter each one
        # goes through the adaptation protocol's look-ups first, three times a roster row.
        sqlite3.register_adapter(bool, int)

        # imports checked and waiting for their uploader, on the workbench
        from gonghui.core.imports import workbench as import_workbench
        from gonghui.core.workbench import contribute_todos

        contribute_todos("imports", import_workbench.todos)
