"""The audit actions of sign-in, accounts, roles and API tokens, with the labels the trail shows."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.login_locked": _("Sign-in refused: account locked"),
    "auth.login_address_locked": _("Sign-in refused: too many failures from this address"),
    "auth.address_locked": _("Address held after many failed sign-ins"),
    "auth.mfa_enrol": _("Two-step verification set up"),
    "auth.mfa_verify": _("Two-step verification passed"),
    "auth.mfa_failed": _("Two-step verification failed"),
    "auth.mfa_reset": _("Two-step verification reset"),
    "auth.mfa_recovery_codes": _("Recovery codes renewed"),
    "account.create": _("Account opened"),
    "account.set_password": _("Password changed"),
    "account.activate": _("Account reactivated"),
    "account.deactivate": _("Account deactivated"),
    "account.unlock": _("Account unlocked"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "token.issue": _("API token issued"),
    "token.revoke": _("API token revoked"),
}
