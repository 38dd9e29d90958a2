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
        from gonghui.core.uploads import keep_uploads_of
        from gonghui.people.models import ImportJob, JobStage
        from gonghui.people.tasks import errors_path, progress_path

        keep_uploads_of(
            ImportJob,
            derived_files=lambda job: [errors_path(job), progress_path(job)],
            busy_stages=[JobStage.CHECKING, JobStage.APPLYING],
        )

        # the workbench: what waits for a user, and the figures of their scope
        from gonghui.core.workbench import contribute_figures
        from gonghui.people import workbench

        contribute_figures(self.label, workbench.figures)

        # the members counted a union at a time, counted afresh each round of the worker
        from gonghui.core.housekeeping import every_round
        from gonghui.people.tallies import refresh_all_tallies

        every_round(refresh_all_tallies)
