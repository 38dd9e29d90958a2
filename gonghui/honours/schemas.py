"""The shapes of the honours API: what goes in and what comes out (personal data masked)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool

from gonghui.core.api_schemas import Id, Input
from gonghui.core.bounds import Day, Year
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
    BatchState,
    Campaign,
    CertificateBatch,
    Honouree,
    Nomination,
    NominationStatus,
    Objection,
    QuotaAllocation,
    SanatoriumSession,
)
from gonghui.orgs.models import OrgType


class RuleOut(Schema):
    id: int
    subset: str
    condition: str
    direction: str
    percent: Decimal
    text: str

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj)


class CampaignOut(Schema):
    id: int
    name: str
    year: int
    kind: str
    level: str
    organiser_code: str
    total_quota: int
    review_levels: list[str]
    notice_days: int
    notice_starts: date | None
    notice_ends: date | None
    pass_threshold: str
    clearance_types: list[str]
    notice_contact_phone: str
    notice_contact_address: str
    rules: list[RuleOut]

    @staticmethod
    def resolve_kind(obj: Campaign) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_level(obj: Campaign) -> str:
        return obj.kind.level

    @staticmethod
    def resolve_organiser_code(obj: Campaign) -> str:
        return obj.organiser.code

    @staticmethod
    def resolve_pass_threshold(obj: Campaign) -> str:
        return f"{obj.pass_numerator}/{obj.pass_denominator}"

    @staticmethod
    def resolve_rules(obj: Campaign) -> Any:
        return obj.rules.all()


ReviewLevels = Annotated[list[OrgType], Field(max_length=len(OrgType))]
# departments that clear an enterprise head: a few short names
ClearanceTypes = Annotated[list[Annotated[str, Field(max_length=32)]], Field(max_length=20)]
TotalQuota = Annotated[int, TOTAL_QUOTA.schema()]
NoticeDays = Annotated[int, NOTICE_DAYS.schema()]
PassPart = Annotated[int, PASS_PART.schema()]


class CampaignIn(Input):
    kind_id: Id
    organiser_code: str = Field(max_length=32)
    year: Year
    name: str = Field(max_length=128)
    total_quota: TotalQuota
    review_levels: ReviewLevels = [OrgType.COUNTY, OrgType.PREFECTURE, OrgType.FEDERATION]
    notice_days: NoticeDays = 5
    pass_numerator: PassPart = 2
    pass_denominator: PassPart = 3
    clearance_types: ClearanceTypes = ["市场监管", "税务", "人社", "安监", "环保"]
    notice_contact_phone: str = Field(default="", max_length=32)
    notice_contact_address: str = Field(default="", max_length=128)


class RuleIn(Input):
    subset: str = Field(default="all", max_length=24)
    condition: str = Field(max_length=24)
    direction: Literal["at_least", "at_most"]
    percent: Annotated[Decimal, PERCENT.schema()]


class QuotaIn(Input):
    organisation_code: str = Field(max_length=32)
    quota: Annotated[int, ALLOCATED_QUOTA.schema()]


class QuotaOut(Schema):
    organisation_code: str
    quota: int
    by_formula: bool

    @staticmethod
    def resolve_organisation_code(obj: QuotaAllocation) -> str:
        return obj.organisation.code


class FigureOut(Schema):
    rule: str
    rule_id: int
    of_quota: bool
    has_quota: bool
    base: int
    matching: int
    percent: Decimal | None
    is_met: bool


class PanelOut(Schema):
    organisation_code: str
    size: int
    sent_up: int
    quota: int | None
    is_compliant: bool
    is_justified: bool
    figures: list[FigureOut]


class NominationOut(Schema):
    """A nomination; the member's identity number is masked."""

    id: int
    campaign_id: int
    organisation_code: str
    name: str
    person_id: int | None
    identity_number: str | None
    unit_name: str
    trade: str
    achievements: str
    summary: str
    democratic_record: str
    publication_consent: bool
    is_farmer: bool
    status: str
    reviewer_code: str | None
    last_reason: str
    votes_yes: int
    votes_no: int
    votes_abstain: int

    @staticmethod
    def resolve_organisation_code(obj: Nomination) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_name(obj: Nomination) -> str:
        return obj.display_name

    @staticmethod
    def resolve_identity_number(obj: Nomination) -> str | None:
        return obj.person.identity_masked if obj.person else None

    @staticmethod
    def resolve_reviewer_code(obj: Nomination) -> str | None:
        return obj.reviewer.code if obj.reviewer else None


class NominationIn(Input):
    organisation_code: str = Field(max_length=32)
    person_id: Id | None = None
    collective_name: str = Field(default="", max_length=128)
    achievements: str
    summary: str = Field(max_length=300)
    democratic_record: str
    publication_consent: StrictBool = False
    is_farmer: StrictBool = False
    unit_name: str = Field(default="", max_length=128)
    trade: str = Field(default="", max_length=64)


class TransitionIn(Input):
    step: Literal["submit", "approve", "return", "reject", "withdraw"]
    reason: str = ""
    justification: str = ""


class ClearanceIn(Input):
    kind: str = Field(max_length=32)
    is_cleared: StrictBool = True
    note: str = Field(default="", max_length=200)


class BallotsIn(Input):
    ballots: dict[Id, Literal["yes", "no", "abstain"]]
    close: StrictBool = False


class NoticeIn(Input):
    starts_on: Day


class CommitteeIn(Input):
    names: list[Annotated[str, Field(max_length=64)]] = Field(max_length=200)


class ObjectionOut(Schema):
    """An objection; the reporter's name and contact are never in the API."""

    id: int
    nomination_id: int
    assigned_to_code: str
    facts: str
    status: str
    outcome: str
    conclusion: str
    filed_at: Any

    @staticmethod
    def resolve_assigned_to_code(obj: Objection) -> str:
        return obj.assigned_to.code


class ConclusionIn(Input):
    outcome: Literal["keep", "withdraw", "replace"]
    conclusion: str


class HonoureeOut(Schema):
    id: int
    name: str
    is_collective: bool
    organisation_code: str
    unit_name: str
    trade: str
    kind: str
    level: str
    year: int
    campaign_id: int | None
    status: str
    status_reason: str
    receives_allowance: bool
    retired_on: date | None
    is_in_hardship: bool
    publication_consent: bool
    has_photo: bool
    story: str

    @staticmethod
    def resolve_organisation_code(obj: Honouree) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_kind(obj: Honouree) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_has_photo(obj: Honouree) -> bool:
        return bool(obj.photo)


class HonoureeFilters(Schema):
    q: str = ""
    level: str = ""
    year: Year | None = None
    status: str = ""
    trade: str = ""


class BenefitIn(Input):
    kind: Literal["award", "allowance", "checkup", "sanatorium", "visit", "hardship"]
    on: Day
    amount: Annotated[Decimal, AMOUNT.schema()] = Decimal(0)
    note: str = Field(default="", max_length=200)


class BenefitOut(Schema):
    id: int
    kind: str
    on: date
    period: str
    amount: Decimal
    note: str


class TotalOut(Schema):
    key: str
    entries: int
    amount: Decimal


class KindOut(Schema):
    id: int
    name: str
    level: str
    is_collective: bool


class KindIn(Input):
    name: str = Field(max_length=64)
    level: Literal["national", "regional", "prefecture", "county"]
    is_collective: StrictBool = False


class CalendarDayOut(Schema):
    date: date
    is_workday: bool
    name: str


class CalendarDayIn(Input):
    is_workday: StrictBool = False
    name: str = Field(default="", max_length=64)


class CampaignSettingsIn(Input):
    """Only the fields sent change; the honour, year and organiser stay."""

    name: str | None = Field(default=None, max_length=128)
    total_quota: TotalQuota | None = None
    review_levels: ReviewLevels | None = None
    notice_days: NoticeDays | None = None
    pass_numerator: PassPart | None = None
    pass_denominator: PassPart | None = None
    clearance_types: ClearanceTypes | None = None
    notice_contact_phone: str | None = Field(default=None, max_length=32)
    notice_contact_address: str | None = Field(default=None, max_length=128)


class AttachmentOut(Schema):
    id: int
    title: str
    size: int
    uploaded_at: Any
    download: str

    @staticmethod
    def resolve_size(obj: Any) -> int:
        return int(obj.file.size) if obj.file else 0

    @staticmethod
    def resolve_download(obj: Any) -> str:
        return f"/api/v1/honours/nominations/{obj.nomination_id}/attachments/{obj.pk}/file"


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    detail: str
    dry_run: bool
    ready: int
    created: int
    errors: list[ImportErrorOut]


class ObjectionIn(Input):
    """A member of the public's report; the name may be left out and is kept confidential."""

    reporter: str = Field(default="", max_length=64)
    contact: str = Field(max_length=128)
    facts: str = Field(max_length=5000)


class ObjectionFiledOut(Schema):
    filed: bool
    message: str


class NominationFilters(Schema):
    campaign: Id | None = None
    status: NominationStatus | None = None


class StatusIn(Input):
    status: Literal["active", "revoked", "deceased"]
    reason: str = Field(default="", max_length=200)


class AllowancesIn(Input):
    organisation_code: str = Field(max_length=32)
    period: str = Field(pattern=r"^\d{4}-\d{2}$")


class SessionOut(Schema):
    id: int
    name: str
    organisation_code: str
    starts_on: date
    ends_on: date
    places: int
    booked: int

    @staticmethod
    def resolve_organisation_code(obj: SanatoriumSession) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_booked(obj: SanatoriumSession) -> int:
        return obj.bookings.count()


class SessionIn(Input):
    organisation_code: str = Field(max_length=32)
    name: str = Field(max_length=128)
    starts_on: Day
    ends_on: Day
    places: Annotated[int, PLACES.schema()]


class BookingIn(Input):
    honouree_id: Id


class BatchOut(Schema):
    id: int
    campaign_id: int
    state: str
    total: int
    done: int
    download: str | None

    @staticmethod
    def resolve_download(obj: CertificateBatch) -> str | None:
        return f"{obj.get_absolute_url()}?download=1" if obj.state == BatchState.DONE else None


class NominationEditIn(Input):
    """A draft's or a returned nomination's details; only the fields sent change."""

    achievements: str | None = None
    summary: str | None = Field(default=None, max_length=300)
    democratic_record: str | None = None
    publication_consent: StrictBool | None = None
    is_farmer: StrictBool | None = None
    unit_name: str | None = Field(default=None, max_length=128)
    trade: str | None = Field(default=None, max_length=64)


class HonoureeEditIn(Input):
    """What the register keeps beside the honour; only the fields sent change."""

    story: str | None = None
    publication_consent: StrictBool | None = None
    receives_allowance: StrictBool | None = None
    retired_on: Day | None = None
    is_in_hardship: StrictBool | None = None


class ByMembersIn(Input):
    parent_code: str = Field(max_length=32)


class RateOut(Schema):
    level: str
    monthly_amount: Decimal


class RateIn(Input):
    monthly_amount: Annotated[Decimal, MONTHLY_AMOUNT.schema()]
