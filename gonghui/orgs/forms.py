from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.core.validators import validate_credit_code, validate_division_code
from gonghui.orgs.models import OrgType


class OrganisationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=128)
    type = forms.ChoiceField(label=_("Type"), choices=OrgType.choices)
    division_code = forms.CharField(
        label=_("Division code (GB/T 2260)"),
        max_length=6,
        required=False,
        validators=[validate_division_code],
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        validators=[validate_credit_code],
        help_text=_("18 characters; grassroots unions registered as legal persons start with 81."),
    )


class MoveForm(forms.Form):
    new_parent = OrganisationCodeField(label=_("New parent organisation code"))

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].allowed = allowed_orgs  # type: ignore[attr-defined]


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, validators=[validate_credit_code]
    )
    organisation = OrganisationCodeField(label=_("Union code"))
    division_code = forms.CharField(
        label=_("Division code (GB/T 2260)"),
        max_length=6,
        required=False,
        validators=[validate_division_code],
    )

    def __init__(self, *args: Any, allowed_orgs: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].allowed = allowed_orgs  # type: ignore[attr-defined]
        if editing:
            self.fields["credit_code"].disabled = True
