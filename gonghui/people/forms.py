from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.core.forms import DateInput
from gonghui.orgs.widgets import UnitPicker
from gonghui.people.models import MembershipStatus, SkillLevel


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=64)
    phone = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    unit_code = forms.CharField(
        label=_("Employer unit's credit code"),
        max_length=18,
        required=False,
        widget=UnitPicker(),
        help_text=_("The unified social credit code of a unit registered under the union."),
    )
    post = forms.CharField(label=_("Post"), max_length=64, required=False)
    skill_level = forms.ChoiceField(
        label=_("Skill level"), choices=SkillLevel.choices, required=False
    )
    is_frontline = forms.BooleanField(label=_("Front-line worker"), required=False)
    is_migrant = forms.BooleanField(label=_("Migrant worker"), required=False)
    is_enterprise_head = forms.BooleanField(label=_("Enterprise head"), required=False)


class RegisterForm(PersonForm):
    identity_number = forms.CharField(label=_("Identity number"), max_length=20)
    union = OrganisationCodeField(label=_("Union code"))
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DateInput())
    field_order = ["identity_number", "name", "union", "joined_on"]

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].allowed = allowed_orgs  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    to_union = OrganisationCodeField(label=_("New union (name or code)"))
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_union"].allowed = allowed_orgs  # type: ignore[attr-defined]


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())


class RosterFilters(forms.Form):
    q = forms.CharField(required=False)
    union = forms.CharField(required=False)
    skill_level = forms.ChoiceField(choices=SkillLevel.choices, required=False)
    status = forms.ChoiceField(choices=MembershipStatus.choices, required=False)
    frontline = forms.BooleanField(required=False)
    migrant = forms.BooleanField(required=False)
    head = forms.BooleanField(required=False)
