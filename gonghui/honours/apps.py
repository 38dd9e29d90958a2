from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoursConfig(AppConfig):
    name = "gonghui.honours"
    label = "honours"
    verbose_name = _("Honours")

    def ready(self) -> None:
        from gonghui.core.audit_actions import declare
        from gonghui.honours.audit_actions import ACTIONS

        declare(self.label, ACTIONS)
        from gonghui.core.imports.kinds import register
        from gonghui.honours.imports import HONOUREE_IMPORT

        register(HONOUREE_IMPORT)

        # an objection's sealed reporter and contact, for `rotate_keys`
        from gonghui.core.rotation import SealedColumns
        from gonghui.core.rotation import register as register_sealed
        from gonghui.honours.models import Objection

        register_sealed(
            SealedColumns(
                Objection,
                sealed={
                    "reporter_sealed": "objection_reporter",
                    "contact_sealed": "objection_contact",
                },
            )
        )

        # the workbench: what waits for a user, and the figures of their scope
        from gonghui.core.workbench import contribute_figures, contribute_todos
        from gonghui.honours import workbench

        contribute_todos(self.label, workbench.todos)
        contribute_figures(self.label, workbench.figures)

        # the reminder of notices about to close, sent by the worker's housekeeping
        from gonghui.core.housekeeping import every_round
        from gonghui.honours.notifications import remind_of_closing_notices

        every_round(remind_of_closing_notices)
