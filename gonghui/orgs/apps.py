from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from gonghui.core.audit_actions import declare
        from gonghui.orgs.audit_actions import ACTIONS

        declare(self.label, ACTIONS)
        from gonghui.core.imports.kinds import register
        from gonghui.orgs.imports import ORG_IMPORT

        register(ORG_IMPORT)

        # the workbench: what waits for a user, and the figures of their scope
        from gonghui.core.workbench import contribute_figures
        from gonghui.orgs import workbench

        contribute_figures(self.label, workbench.figures)
