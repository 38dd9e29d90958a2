from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.contests.actions import AspectSpec
from gonghui.contests.bounds import MINIMUM_COMPETITORS
from gonghui.contests.models import ContestLevel, ContestStatus, MedalPolicyChoice
from gonghui.core.forms import DateInput
from gonghui.core.tabular.base import parse_typed_number
from gonghui.orgs.widgets import AccountPicker, UnitPicker

DATE = DateInput()


class ContestForm(forms.Form):
    code = forms.CharField(label=_("Contest code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=128)
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)
    organiser = OrganisationCodeField(label=_("Organising union code"))
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE)
    level = forms.ChoiceField(label=_("Level"), choices=ContestLevel.choices)

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].allowed = allowed_orgs  # type: ignore[attr-defined]


class ContestEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128)
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE)
    level = forms.ChoiceField(label=_("Level"), choices=ContestLevel.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ContestStatus.choices)


class SkillForm(forms.Form):
    code = forms.CharField(label=_("Skill code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=128)
    medal_policy = forms.ChoiceField(label=_("Medal policy"), choices=MedalPolicyChoice.choices)
    minimum_competitors = MINIMUM_COMPETITORS.form_field(
        label=_("Minimum number of competitors"),
        initial=1,
        help_text=_("Below it the skill is void and awards nothing."),
    )

    @classmethod
    def for_edit(cls, skill: Any, data: Any = None) -> SkillForm:
        form = cls(
            data,
            initial={
                "code": skill.code,
                "name": skill.name,
                "medal_policy": skill.medal_policy,
                "minimum_competitors": skill.minimum_competitors,
            },
        )
        form.fields["code"].disabled = True  # a skill's code never changes
        return form


class SchemeForm(forms.Form):
    """A scheme pasted from a spreadsheet: one aspect per line, cells separated by tabs or |."""

    lines = forms.CharField(
        label=_("Aspects"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono", "spellcheck": "false"}),
        help_text=_(
            "One aspect per line: sub-criterion, aspect code, description, type (M or J), maximum mark, "
            "and for a J aspect optionally what scores 0, 1, 2 and 3 mean; separated by tabs (as "
            "copied from a spreadsheet) or by |. The maxima must add up to 100."
        ),
    )

    def clean_lines(self) -> list[AspectSpec]:
        aspects: list[AspectSpec] = []
        errors: list[str] = []
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), 1):
            if not line.strip():
                continue
            cells = [c.strip() for c in (line.split("\t") if "\t" in line else line.split("|"))]
            if len(cells) not in (5, 9):
                errors.append(
                    str(_("Line %(line)d: 5 cells expected (9 with descriptors), %(count)d found."))
                    % {"line": number, "count": len(cells)}
                )
                continue
            sub, code, description, kind, maximum = cells[:5]
            descriptors = tuple(cells[5:])
            try:
                value = parse_typed_number(maximum)
            except ValueError as refused:
                errors.append(
                    str(_("Line %(line)d: %(problem)s")) % {"line": number, "problem": refused}
                )
                continue
            aspects.append(
                AspectSpec(
                    code,
                    description,
                    kind.upper(),
                    value,
                    sub_criterion=sub,
                    descriptors=descriptors,
                )
            )
        if errors:
            raise forms.ValidationError(errors)
        if not aspects:
            raise forms.ValidationError(_("Enter at least one aspect."))
        return aspects


class EntrantForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=16)
    name = forms.CharField(label=_("Full name"), max_length=64)
    identity_number = forms.CharField(label=_("Identity number"), max_length=20)
    unit_code = forms.CharField(
        label=_("Employer unit's credit code"),
        max_length=18,
        required=False,
        widget=UnitPicker(),
        help_text=_("Empty: the unit in the roster."),
    )
    union = OrganisationCodeField(
        label=_("Grassroots union code"), required=False, help_text=_("Empty: the roster's.")
    )

    def __init__(self, *args: Any, allowed_orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].allowed = allowed_orgs  # type: ignore[attr-defined]


class JudgeForm(EntrantForm):
    is_chief = forms.BooleanField(label=_("Chief judge"), required=False)
    account = forms.CharField(
        label=_("Account (username)"),
        max_length=150,
        required=False,
        widget=AccountPicker(),
        help_text=_(
            "Optional. A chief judge with an account signs off and reopens the marks with it, and nobody else can."
        ),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
