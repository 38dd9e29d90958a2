from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import Role
from gonghui.orgs.models import Organisation
from gonghui.orgs.widgets import OrganisationPicker


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class OrganisationCodeField(forms.CharField):
    """An organisation typed by its code, checked against the orgs the user may use."""

    def __init__(self, *args: Any, reach: str = "business", **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", OrganisationPicker(reach=reach))
        super().__init__(*args, **kwargs)
        self.allowed: Any = Organisation.objects.none()

    def clean(self, value: Any) -> Organisation | None:
        code = super().clean(value)
        if not code:
            return None
        org = self.allowed.filter(code=code.strip()).first()
        if org is None:
            raise forms.ValidationError(
                _("No organisation with code %(code)s within your scope."), params={"code": code}
            )
        return org  # type: ignore[no-any-return]


def _password_rules() -> str:
    """The password policy in words, shown under every field where a new password is typed."""
    return " ".join(str(text) for text in password_validators_help_texts())


PASSWORD_RULES = lazy(_password_rules, str)()


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Letters, digits and @ . + - _ only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=64)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = OrganisationCodeField(label=_("Organisation code"), reach="security")
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=PASSWORD_RULES,
    )

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].allowed = allowed_orgs  # type: ignore[attr-defined]


class GrantRoleForm(forms.Form):
    organisation = OrganisationCodeField(label=_("Organisation code"), reach="security")
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].allowed = allowed_orgs  # type: ignore[attr-defined]


class PasswordResetForm(forms.Form):
    """A security administrator sets a new password for an account of their subtree."""

    new = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=PASSWORD_RULES,
    )
    confirm = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, strip=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new") and data.get("new") != data.get("confirm"):
            self.add_error("confirm", _("The two new passwords differ."))
        return data


class PasswordChangeForm(PasswordResetForm):
    """The account's own change: the current password first."""

    current = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, strip=False)
    field_order = ["current", "new", "confirm"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=64, required=False)
