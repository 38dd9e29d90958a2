from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from gonghui.accounts.audit_actions import ACTIONS
        from gonghui.core.audit_actions import declare

        declare(self.label, ACTIONS)

        # the workbench: what waits for a user, and the figures of their scope
        from gonghui.accounts import workbench
        from gonghui.core.workbench import contribute_todos

        contribute_todos(self.label, workbench.todos)
