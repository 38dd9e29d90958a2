from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "gonghui.people"
    label = "people"
    verbose_name = _("Members")

    def ready(self) -> None:
        from gonghui.core.audit_actions import declare
        from gonghui.people.audit_actions import ACTIONS

        declare(self.label, ACTIONS)
        from gonghui.core.imports.kinds import register
        from gonghui.people.imports import ROSTER_IMPORT

        register(ROSTER_IMPORT)

        # the sealed identity numbers and mobiles, and their keyed hashes, for `rotate_keys`
        from gonghui.core.rotation import SealedColumns
        from gonghui.core.rotation import register as register_sealed
        from gonghui.people.models import Person

        register_sealed(
            SealedColumns(
                Person,
                sealed={"identity_sealed": "identity_number", "phone_sealed": "phone"},
                hashed={"identity_hash": "identity_sealed", "phone_hash": "phone_sealed"},
            )
        )

        # the workbench: what waits for a user, and the figures of their scope
        from gonghui.core.workbench import contribute_figures
        from gonghui.people import workbench

        contribute_figures(self.label, workbench.figures)

        # the members counted a union at a time, counted afresh each round of the worker
        from gonghui.core.housekeeping import every_round
        from gonghui.people.tallies import refresh_all_tallies

        every_round(refresh_all_tallies)
