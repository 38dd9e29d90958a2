from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.bounds import YEAR
from gonghui.core.forms import DateInput
from gonghui.honours.bounds import (
    ALLOCATED_QUOTA,
    AMOUNT,
    MONTHLY_AMOUNT,
    NOTICE_DAYS,
    PASS_PART,
    PERCENT,
    PLACES,
    TOTAL_QUOTA,
)
from gonghui.honours.models import (
    BASE_CHOICES,
    BenefitKind,
    Condition,
    Direction,
    HonoureeStatus,
    HonourKind,
    HonourLevel,
    ObjectionOutcome,
)
from gonghui.orgs.models import Organisation, OrgType

DATE = DateInput()
# Bottom-up, the order in which a nomination meets them
REVIEW_LEVEL_CHOICES = [
    (t, OrgType(t).label)
    for t in (
        OrgType.GRASSROOTS,
        OrgType.COUNTY,
        OrgType.INDUSTRY,
        OrgType.PREFECTURE,
        OrgType.FEDERATION,
    )
]


class CampaignForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Honour"), queryset=HonourKind.objects.all())
    organiser = forms.ModelChoiceField(
        label=_("Organising federation"), queryset=Organisation.objects.none()
    )
    year = YEAR.form_field(label=_("Year"))
    name = forms.CharField(label=_("Name"), max_length=128)
    total_quota = TOTAL_QUOTA.form_field(label=_("Total quota"))
    review_levels = forms.MultipleChoiceField(
        label=_("Review levels"),
        choices=REVIEW_LEVEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each nomination is reviewed by its unions of these types, bottom-up; the organiser reviews last."
        ),
    )
    notice_days = NOTICE_DAYS.form_field(label=_("Notice period (working days)"), initial=5)
    notice_contact_phone = forms.CharField(
        label=_("Telephone for the public during the notice"), max_length=32, required=False
    )
    notice_contact_address = forms.CharField(
        label=_("Address for the public during the notice"), max_length=128, required=False
    )
    pass_numerator = PASS_PART.form_field(label=_("Pass threshold: numerator"), initial=2)
    pass_denominator = PASS_PART.form_field(
        label=_("Pass threshold: denominator"),
        initial=3,
        help_text=_("Yes votes needed, as a share of the committee members present (default 2/3)."),
    )
    clearance_types = forms.CharField(
        label=_("Clearances for enterprise heads"),
        initial="市场监管、税务、人社、安监、环保",
        help_text=_(
            "Departments that must sign off an enterprise head, separated by 、 or commas."
        ),
    )

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault(
                "review_levels", [OrgType.COUNTY, OrgType.PREFECTURE, OrgType.FEDERATION]
            )
            self.initial.setdefault("year", timezone.localdate().year)
            if len(organisers) == 1:
                self.initial.setdefault("organiser", organisers[0])

    def clearances(self) -> tuple[str, ...]:
        text = self.cleaned_data["clearance_types"].replace(",", "、").replace("，", "、")
        return tuple(part.strip() for part in text.split("、") if part.strip())


class RuleForm(forms.Form):
    subset = forms.ChoiceField(
        label=_("Among"),
        choices=BASE_CHOICES,
        help_text=_(
            "Choose the quota at each level to measure against the quota of the union whose "
            "list it is (the campaign's total quota for the organiser)."
        ),
    )
    condition = forms.ChoiceField(label=_("the share of"), choices=Condition.choices[1:])
    direction = forms.ChoiceField(label=_("is"), choices=Direction.choices)
    percent = PERCENT.form_field(label=_("percent"))


class QuotaForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    quota = ALLOCATED_QUOTA.form_field(label=_("Quota"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class NominationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Nominating union"), queryset=Organisation.objects.none()
    )
    identity_number = forms.CharField(
        label=_("Member's identity number"),
        max_length=20,
        required=False,
        help_text=_(
            "Or find the member by name above. The member must be on the roster of a union "
            "under the nominating union."
        ),
    )
    collective_name = forms.CharField(
        label=_("Collective (team or unit)"), max_length=128, required=False
    )
    unit_name = forms.CharField(
        label=_("Unit"),
        max_length=128,
        required=False,
        help_text=_("Leave empty to use the member's employer unit on the roster."),
    )
    trade = forms.CharField(label=_("Trade"), max_length=64, required=False)
    achievements = forms.CharField(
        label=_("Achievements"), widget=forms.Textarea(attrs={"rows": 6})
    )
    summary = forms.CharField(
        label=_("Short summary for the public notice"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the public: no identity number, phone or other personal data."),
    )
    democratic_record = forms.CharField(
        label=_("Democratic recommendation record"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Meeting (职代会 or 职工大会), date, members present, votes."),
    )
    publication_consent = forms.BooleanField(
        label=_("The nominee consents to publication"), required=False
    )
    is_farmer = forms.BooleanField(
        label=_("The nominee is a farmer (agricultural worker)"),
        required=False,
        help_text=_(
            "For proportion rules on farmers. Migrant workers on the roster count as farmers "
            "without this."
        ),
    )

    def __init__(self, *args: Any, organisations: Any, collective: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if organisations is not None and not self.is_bound and len(organisations[:2]) == 1:
            self.initial.setdefault("organisation", organisations[0])
        if collective:
            del self.fields["identity_number"]
        else:
            del self.fields["collective_name"]


class NominationEditForm(NominationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, organisations=None, collective=True, **kwargs)
        del self.fields["organisation"]
        del self.fields["collective_name"]


class StepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[(s, s) for s in ("submit", "approve", "return", "reject", "withdraw")]
    )
    reason = forms.CharField(required=False, max_length=2000)
    justification = forms.CharField(required=False, max_length=4000)


class ClearanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Department"), choices=[])
    is_cleared = forms.BooleanField(label=_("Cleared"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, k) for k in kinds]  # type: ignore[attr-defined]


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=128)
    file = forms.FileField(label=_("File"))


class NoticeForm(forms.Form):
    starts_on = forms.DateField(label=_("Notice starts on"), widget=DATE)


class CommitteeForm(forms.Form):
    names = forms.CharField(
        label=_("Committee members"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One name per line."),
    )


class ObjectionForm(forms.Form):
    reporter = forms.CharField(
        label=_("Your name (optional, kept confidential)"), max_length=64, required=False
    )
    contact = forms.CharField(
        label=_("How to reach you (phone, e-mail or address; kept confidential)"), max_length=128
    )
    facts = forms.CharField(
        label=_("Facts"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Please report facts you know; the nominating union investigates each report."),
    )


class ConclusionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ObjectionOutcome.choices)
    conclusion = forms.CharField(
        label=_("Written conclusion"), widget=forms.Textarea(attrs={"rows": 4})
    )


class BenefitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BenefitKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    amount = AMOUNT.form_field(label=_("Amount (yuan)"), initial=0)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class HonoureeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HonoureeStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class HonoureeForm(forms.Form):
    story = forms.CharField(
        label=_("Story"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    publication_consent = forms.BooleanField(label=_("Consents to publication"), required=False)
    receives_allowance = forms.BooleanField(
        label=_("Receives the monthly allowance"), required=False
    )
    retired_on = forms.DateField(label=_("Retired on"), required=False, widget=DATE)
    is_in_hardship = forms.BooleanField(label=_("In hardship (困难劳模)"), required=False)


class AllowanceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    period = forms.RegexField(label=_("Month (YYYY-MM)"), regex=r"^\d{4}-\d{2}$", max_length=7)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class RateForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=HonourLevel.choices)
    amount = MONTHLY_AMOUNT.form_field(label=_("Monthly amount (yuan)"))


class SessionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organised by"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=128)
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE)
    places = PLACES.form_field(label=_("Places"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class HonourKindForm(forms.Form):
    name = forms.CharField(label=_("Honour"), max_length=64)
    level = forms.ChoiceField(label=_("Level"), choices=HonourLevel.choices)
    is_collective = forms.BooleanField(label=_("Awarded to a collective"), required=False)


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    is_workday = forms.BooleanField(
        label=_("A working day (a weekend made a working day, 调休)"), required=False
    )
    name = forms.CharField(label=_("Name (e.g. 国庆节)"), max_length=64, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Portrait (JPEG, PNG or WebP, at most 5 MB)"))
