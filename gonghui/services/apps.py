from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "gonghui.services"
    label = "services"
    verbose_name = _("Worker services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gonghui.core.audit_actions import declare
        from gonghui.services.audit_actions import ACTIONS

        declare(self.label, ACTIONS)

        # the sealed household figures and members' identity numbers, for `rotate_keys`
        from gonghui.core.rotation import SealedColumns
        from gonghui.core.rotation import register as register_sealed
        from gonghui.services.models import SEALED_FIELD, HardshipFile, HouseholdMember

        register_sealed(SealedColumns(HardshipFile, sealed={"finances_sealed": SEALED_FIELD}))
        register_sealed(
            SealedColumns(
                HouseholdMember,
                sealed={"identity_sealed": "identity_number", "details_sealed": SEALED_FIELD},
                hashed={"identity_hash": "identity_sealed"},
            )
        )

        # the workbench: files waiting for approval or returned; open files by tier
        from gonghui.core.workbench import contribute_figures, contribute_todos
        from gonghui.services import workbench

        contribute_todos(self.label, workbench.todos)
        contribute_figures(self.label, workbench.figures)

        # hardship files kept on paper or in Excel, on the one import lifecycle
        from gonghui.core.imports.kinds import register
        from gonghui.services.imports import HARDSHIP_IMPORT

        register(HARDSHIP_IMPORT)
