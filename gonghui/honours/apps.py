from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoursConfig(AppConfig):
    name = "gonghui.honours"
    label = "honours"
    verbose_name = _("Honours")

    def ready(self) -> None:
        # the audit trail names honours' actions in words, as it does the core's
        from gonghui.core.models import ACTION_LABELS
        from gonghui.honours.audit_labels import HONOURS_ACTION_LABELS

        ACTION_LABELS.update(HONOURS_ACTION_LABELS)

        from gonghui.core.uploads import keep_uploads_of
        from gonghui.honours.models import HonoureeImport
        from gonghui.people.models import JobStage

        keep_uploads_of(HonoureeImport, busy_stages=[JobStage.CHECKING, JobStage.APPLYING])
