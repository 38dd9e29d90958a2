from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "gonghui.contests"
    verbose_name = _("Labour and skills competitions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gonghui.contests.audit_actions import ACTIONS
        from gonghui.core.audit_actions import declare

        declare(self.label, ACTIONS)
        from gonghui.contests.imports import CONTEST_IMPORT
        from gonghui.core.imports.kinds import register

        register(CONTEST_IMPORT)

        # the workbench: what waits for a user, and the figures of their scope
        from gonghui.contests import workbench
        from gonghui.core.workbench import contribute_figures, contribute_todos

        contribute_todos(self.label, workbench.todos)
        contribute_figures(self.label, workbench.figures)
