"""The hardship pages' forms: a file's figures, a household member, a step, an aid payment,
a visit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import DateInput
from gonghui.orgs.models import Organisation
from gonghui.services.actions import AssistanceDetails, FileDetails, MemberDetails, VisitDetails
from gonghui.services.bounds import AMOUNT, DIBAO_LINE, MONEY
from gonghui.services.models import AssistanceKind, Cause, CloseReason, Finances, Relation


def _money(label: Any, *, required: bool = False, help_text: Any = "") -> forms.Field:
    return MONEY.form_field(
        label=label,
        required=required,
        initial=Decimal(0) if not required else None,
        help_text=help_text,
    )


class FileForm(forms.Form):
    union = forms.ModelChoiceField(label=_("Keeping union"), queryset=Organisation.objects.none())
    identity_number = forms.CharField(
        label=_("Worker's identity number"),
        max_length=20,
        help_text=_("The worker must be a current member of the keeping union."),
    )
    dibao_line = DIBAO_LINE.form_field(
        label=_("Local 低保 line (yuan a month)"),
        help_text=_("The line where the household lives; kept on the file with its tier."),
    )
    income = _money(_("Household's annual disposable income (yuan)"), required=True)
    medical = _money(_("Medical expenses this year"))
    schooling = _money(_("Schooling expenses this year"))
    disability = _money(_("Disability expenses this year"))
    job_seeking = _money(_("Job-seeking expenses this year"))
    cause = forms.ChoiceField(
        label=_("Cause (for hardship by accident)"), choices=Cause.choices, required=False
    )
    hardship_costs = _money(_("The year's costs of the hardship (yuan)"))
    cause_note = forms.CharField(
        label=_("What happened"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    worker_income = _money(_("The worker's own annual income (yuan)"))
    worker_disabled = forms.BooleanField(label=_("The worker is disabled"), required=False)
    worker_ill = forms.BooleanField(label=_("The worker is seriously ill"), required=False)

    def __init__(self, *args: Any, unions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unions is None:
            del self.fields["union"]
            del self.fields["identity_number"]
        else:
            self.fields["union"].queryset = unions  # type: ignore[attr-defined]
            if not self.is_bound and len(unions[:2]) == 1:
                self.initial.setdefault("union", unions[0])

    def details(self) -> FileDetails:
        data = self.cleaned_data

        def money(name: str) -> Decimal:
            return data.get(name) or Decimal(0)

        return FileDetails(
            dibao_line=data["dibao_line"],
            cause=data.get("cause") or "",
            finances=Finances(
                income=money("income"),
                medical=money("medical"),
                schooling=money("schooling"),
                disability=money("disability"),
                job_seeking=money("job_seeking"),
                hardship_costs=money("hardship_costs"),
                cause_note=data.get("cause_note", "").strip(),
            ),
            worker_income=money("worker_income"),
            worker_disabled=bool(data.get("worker_disabled")),
            worker_ill=bool(data.get("worker_ill")),
        )


class MemberForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Relation"), choices=[c for c in Relation.choices if c[0] != Relation.SELF]
    )
    name = forms.CharField(label=_("Member's name"), max_length=64)
    birth_year = forms.IntegerField(label=_("Birth year"), min_value=1900, max_value=2100)
    income = _money(_("Annual income (yuan)"))
    is_disabled = forms.BooleanField(label=_("Disabled"), required=False)
    is_ill = forms.BooleanField(label=_("Seriously ill"), required=False)
    identity_number = forms.CharField(
        label=_("Identity number (if any)"),
        max_length=20,
        required=False,
        help_text=_("With it, the member cannot be listed in a second open household."),
    )

    def details(self) -> MemberDetails:
        data = self.cleaned_data
        return MemberDetails(
            relation=data["relation"],
            name=data["name"],
            birth_year=data["birth_year"],
            income=data.get("income") or Decimal(0),
            is_disabled=bool(data.get("is_disabled")),
            is_ill=bool(data.get("is_ill")),
            identity_number=data.get("identity_number", ""),
        )


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(s, s) for s in ("submit", "approve", "return", "close")])
    reason = forms.CharField(required=False, max_length=2000)
    close_reason = forms.ChoiceField(choices=CloseReason.choices, required=False)


class AssistanceForm(forms.Form):
    paid_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("Kind"), choices=AssistanceKind.choices)
    amount = AMOUNT.form_field(label=_("Amount (yuan)"))
    fund_source = forms.CharField(label=_("Fund source"), max_length=64)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def details(self) -> AssistanceDetails:
        data = self.cleaned_data
        return AssistanceDetails(
            paid_on=data["paid_on"],
            kind=data["kind"],
            amount=data["amount"],
            fund_source=data["fund_source"],
            note=data.get("note", ""),
        )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Date of the visit"), widget=DateInput(), initial=timezone.localdate
    )
    visitors = forms.CharField(label=_("Who visited"), max_length=128)
    findings = forms.CharField(
        label=_("What was found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Read by every officer who sees the file: no identity or phone numbers."),
    )

    def details(self) -> VisitDetails:
        data = self.cleaned_data
        return VisitDetails(
            visited_on=data["visited_on"], visitors=data["visitors"], findings=data["findings"]
        )
