"""Writes in honours: campaigns, quotas, rules, nominations and their steps, objections,
votes, the register, benefits and sanatorium bookings. Each is atomic and audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.crypto import encrypt
from gonghui.honours import lists
from gonghui.honours.calendar import notice_end
from gonghui.honours.compliance import broken
from gonghui.honours.models import (
    AllowanceRate,
    Attachment,
    BenefitEntry,
    BenefitKind,
    Booking,
    Campaign,
    CertificateBatch,
    Clearance,
    CommitteeMember,
    Condition,
    Direction,
    Honouree,
    HonoureeStatus,
    HonourKind,
    Justification,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionOutcome,
    ObjectionStatus,
    ProportionRule,
    QuotaAllocation,
    SanatoriumSession,
    Vote,
    VoteChoice,
)
from gonghui.honours.workflow import NOMINATION_FLOW, PUBLIC
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.permissions import can
from gonghui.people.models import Membership, Person

S = NominationStatus


def _require(user: Any, org: Organisation, action: str = "edit") -> None:
    if not can(user, org, action):
        raise PermissionDenied(_("You may not do this for %(org)s.") % {"org": org.name})


# Campaigns, rules and quotas ------------------------------------------------------------


@dataclass(frozen=True)
class CampaignSettings:
    kind: HonourKind
    year: int
    name: str
    total_quota: int
    review_levels: tuple[str, ...] = (OrgType.COUNTY, OrgType.PREFECTURE, OrgType.FEDERATION)
    notice_days: int = 5
    pass_numerator: int = 2
    pass_denominator: int = 3
    clearance_types: tuple[str, ...] = ("市场监管", "税务", "人社", "安监", "环保")


def _check_settings(settings: CampaignSettings) -> None:
    errors: dict[str, str] = {}
    if settings.total_quota < 1:
        errors["total_quota"] = _("The quota must be at least 1.")
    if not 1 <= settings.notice_days <= 60:
        errors["notice_days"] = _("The notice lasts 1 to 60 working days.")
    if not 0 < settings.pass_numerator <= settings.pass_denominator:
        errors["pass_numerator"] = _("The pass threshold must be a fraction between 0 and 1.")
    unknown = [level for level in settings.review_levels if level not in OrgType.values]
    if unknown:
        errors["review_levels"] = _("Unknown organisation type: %(types)s.") % {
            "types": ", ".join(unknown)
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_campaign(*, by: Any, organiser: Organisation, settings: CampaignSettings) -> Campaign:
    """Open a campaign organised by `organiser`; its figures are the campaign's own data."""
    _require(by, organiser)
    _check_settings(settings)
    campaign = Campaign.objects.create(
        kind=settings.kind,
        year=settings.year,
        name=settings.name.strip(),
        organiser=organiser,
        total_quota=settings.total_quota,
        review_levels=list(settings.review_levels),
        notice_days=settings.notice_days,
        pass_numerator=settings.pass_numerator,
        pass_denominator=settings.pass_denominator,
        clearance_types=[c.strip() for c in settings.clearance_types if c.strip()],
    )
    audit.record(
        action="campaign.create",
        by=by,
        obj=campaign,
        changes=audit.diff({}, campaign.snapshot()),
    )
    return campaign


@transaction.atomic
def add_rule(
    *,
    by: Any,
    campaign: Campaign,
    subset: str,
    condition: str,
    direction: str,
    percent: Decimal,
) -> ProportionRule:
    """Add a proportion rule to a campaign."""
    _require(by, campaign.organiser)
    if subset not in Condition.values or condition not in Condition.values:
        raise ValidationError(_("Unknown condition."))
    if direction not in Direction.values:
        raise ValidationError(_("Unknown direction."))
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError({"percent": _("A percentage is between 0 and 100.")})
    rule = ProportionRule.objects.create(
        campaign=campaign, subset=subset, condition=condition, direction=direction, percent=percent
    )
    audit.record(action="campaign.rule_add", by=by, obj=rule, extra={"rule": str(rule)})
    return rule


@transaction.atomic
def remove_rule(*, by: Any, rule: ProportionRule) -> None:
    _require(by, rule.campaign.organiser)
    audit.record(action="campaign.rule_remove", by=by, obj=rule, extra={"rule": str(rule)})
    rule.delete()


def _budget_holder(campaign: Campaign, org: Organisation) -> Organisation:
    """The organisation whose quota `org`'s allocation comes out of: its parent."""
    parent = org.parent
    if (
        parent is None
        or not org.path.startswith(campaign.organiser.path)
        or org == campaign.organiser
    ):
        raise ValidationError(
            _("Quotas go to organisations under %(org)s.") % {"org": campaign.organiser.name}
        )
    return parent


def _check_allocation(campaign: Campaign, org: Organisation, quota: int) -> None:
    parent = _budget_holder(campaign, org)
    budget = lists.quota_of(campaign, parent)
    if budget is None:
        raise ValidationError(
            _("Give %(parent)s a quota first: %(org)s's quota comes out of it.")
            % {"parent": parent.name, "org": org.name}
        )
    siblings = (
        QuotaAllocation.objects.filter(campaign=campaign, organisation__parent=parent)
        .exclude(organisation=org)
        .values_list("quota", flat=True)
    )
    if sum(siblings) + quota > budget:
        raise ValidationError(
            _(
                "%(parent)s has a quota of %(budget)s; %(given)s is already given to others, "
                "so %(org)s can have at most %(left)s."
            )
            % {
                "parent": parent.name,
                "budget": budget,
                "given": sum(siblings),
                "org": org.name,
                "left": budget - sum(siblings),
            }
        )
    below = sum(
        QuotaAllocation.objects.filter(campaign=campaign, organisation__parent=org).values_list(
            "quota", flat=True
        )
    )
    if below > quota:
        raise ValidationError(
            _("%(org)s has already passed %(below)s places on to the unions below it.")
            % {"org": org.name, "below": below}
        )


@transaction.atomic
def allocate_quota(
    *, by: Any, campaign: Campaign, organisation: Organisation, quota: int, by_formula: bool = False
) -> QuotaAllocation:
    """Give a sub-organisation its quota, out of its parent's; never more than the parent has."""
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one allocator at a time
    parent = _budget_holder(campaign, organisation)
    _require(by, parent)
    if quota < 0:
        raise ValidationError({"quota": _("A quota cannot be negative.")})
    _check_allocation(campaign, organisation, quota)
    allocation, created = QuotaAllocation.objects.get_or_create(
        campaign=campaign, organisation=organisation, defaults={"quota": quota}
    )
    before = None if created else allocation.quota
    if not created:
        allocation.quota = quota
        allocation.by_formula = by_formula
        allocation.save(update_fields=["quota", "by_formula"])
    elif by_formula:
        allocation.by_formula = True
        allocation.save(update_fields=["by_formula"])
    audit.record(
        action="campaign.quota",
        by=by,
        obj=allocation,
        changes={"quota": (before, quota)},
        extra={"campaign": campaign.pk, "by_formula": by_formula},
    )
    return allocation


def member_counts(children: list[Organisation]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for child in children:
        counts[child.pk] = (
            Membership.objects.current().filter(union__path__startswith=child.path).count()
        )
    return counts


def share_by_members(total: int, counts: Mapping[int, int]) -> dict[int, int]:
    """Split `total` in proportion to `counts` by largest remainders (ties: the bigger union)."""
    members = sum(counts.values())
    if not members:
        return dict.fromkeys(counts, 0)
    exact = {pk: Decimal(total * n) / members for pk, n in counts.items()}
    shares = {pk: int(value) for pk, value in exact.items()}
    left = total - sum(shares.values())
    order = sorted(counts, key=lambda pk: (exact[pk] - shares[pk], counts[pk], -pk), reverse=True)
    for pk in order[:left]:
        shares[pk] += 1
    return shares


@transaction.atomic
def allocate_by_members(
    *, by: Any, campaign: Campaign, parent: Organisation
) -> list[QuotaAllocation]:
    """Share `parent`'s quota among its children in proportion to their current members."""
    _require(by, parent)
    budget = lists.quota_of(campaign, parent)
    if budget is None:
        raise ValidationError(_("%(org)s has no quota to share.") % {"org": parent.name})
    children = list(Organisation.objects.filter(parent=parent))
    if not children:
        raise ValidationError(_("%(org)s has no organisations beneath it.") % {"org": parent.name})
    shares = share_by_members(budget, member_counts(children))
    # clear first, so that the new shares are checked against an empty budget
    QuotaAllocation.objects.filter(campaign=campaign, organisation__in=children).update(quota=0)
    return [
        allocate_quota(
            by=by, campaign=campaign, organisation=child, quota=shares[child.pk], by_formula=True
        )
        for child in children
    ]


# Nominations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NominationDetails:
    achievements: str
    summary: str
    democratic_record: str
    publication_consent: bool
    unit_name: str = ""
    trade: str = ""


def _check_eligible(campaign: Campaign, person: Person, exclude: int | None = None) -> None:
    others = Nomination.objects.in_campaign(campaign).filter(person=person).alive()
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError(
            _("%(name)s is already nominated in this campaign.") % {"name": person.name}
        )
    held = Honouree.objects.filter(
        person=person, status=HonoureeStatus.ACTIVE, level=campaign.kind.level
    )
    if held.exists():
        raise ValidationError(
            _("%(name)s already holds an honour at this level.") % {"name": person.name}
        )


def _apply_details(nomination: Nomination, details: NominationDetails) -> None:
    nomination.achievements = details.achievements.strip()
    nomination.summary = details.summary.strip()[:300]
    nomination.democratic_record = details.democratic_record.strip()
    nomination.publication_consent = details.publication_consent
    nomination.unit_name = details.unit_name.strip()[:128]
    nomination.trade = details.trade.strip()[:64]
    errors = {}
    if not nomination.achievements:
        errors["achievements"] = _("Describe the achievements.")
    if not nomination.summary:
        errors["summary"] = _("Write a short summary for the public notice.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def nominate(
    *,
    by: Any,
    campaign: Campaign,
    organisation: Organisation,
    details: NominationDetails,
    person: Person | None = None,
    collective_name: str = "",
) -> Nomination:
    """Start a draft nomination of a member (or a collective) by their union."""
    _require(by, organisation)
    if not organisation.path.startswith(campaign.organiser.path):
        raise ValidationError(_("This union is outside the campaign."))
    if campaign.kind.is_collective:
        if not collective_name.strip():
            raise ValidationError({"collective_name": _("Name the team or unit.")})
        person = None
    else:
        if person is None:
            raise ValidationError({"person": _("Choose the member to nominate.")})
        membership = Membership.objects.current().filter(person=person).select_related("union")
        current = membership.first()
        if current is None or not current.union.path.startswith(organisation.path):
            raise ValidationError(
                {
                    "person": _("%(name)s is not a current member of a union under %(org)s.")
                    % {"name": person.name, "org": organisation.name}
                }
            )
        Person.objects.select_for_update().get(pk=person.pk)  # one nomination at a time
        _check_eligible(campaign, person)
    nomination = Nomination(
        campaign=campaign,
        organisation=organisation,
        person=person,
        collective_name=collective_name.strip()[:128],
        created_by=by,
    )
    if person is not None and not details.unit_name and person.unit_id and person.unit:
        details = NominationDetails(**{**details.__dict__, "unit_name": person.unit.name})
    _apply_details(nomination, details)
    nomination.save()
    audit.record(
        action="nomination.create",
        by=by,
        obj=nomination,
        extra={"campaign": campaign.pk, "consent": nomination.publication_consent},
    )
    return nomination


@transaction.atomic
def update_nomination(*, by: Any, nomination: Nomination, details: NominationDetails) -> Nomination:
    """Change a draft or a returned nomination."""
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _require(by, locked.organisation)
    if locked.status not in {S.DRAFT, S.RETURNED}:
        raise ValidationError(_("Only a draft or a returned nomination can be changed."))
    before = {"summary": locked.summary, "consent": locked.publication_consent}
    _apply_details(locked, details)
    locked.save()
    audit.record(
        action="nomination.update",
        by=by,
        obj=locked,
        changes=audit.diff(
            before, {"summary": locked.summary, "consent": locked.publication_consent}
        ),
    )
    return locked


@transaction.atomic
def record_clearance(
    *, by: Any, nomination: Nomination, kind: str, is_cleared: bool, note: str = ""
) -> Clearance:
    """Record a department's sign-off (or refusal) on an enterprise head."""
    if not (
        can(by, nomination.organisation, "edit") or can(by, nomination.campaign.organiser, "edit")
    ):
        raise PermissionDenied
    if kind not in nomination.campaign.clearance_types:
        raise ValidationError({"kind": _("This campaign does not ask for that clearance.")})
    clearance, _created = Clearance.objects.update_or_create(
        nomination=nomination,
        kind=kind,
        defaults={"is_cleared": is_cleared, "note": note.strip()[:200], "recorded_by": by},
    )
    audit.record(
        action="nomination.clearance",
        by=by,
        obj=nomination,
        extra={"kind": kind, "cleared": is_cleared, "note": clearance.note},
    )
    return clearance


ALLOWED_ATTACHMENTS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def add_attachment(*, by: Any, nomination: Nomination, title: str, upload: Any) -> Attachment:
    """Attach a supporting document (certificate scans, meeting minutes …)."""
    if not (
        can(by, nomination.organisation, "edit") or can(by, nomination.campaign.organiser, "edit")
    ):
        raise PermissionDenied
    name = str(getattr(upload, "name", ""))
    if not name.lower().endswith(ALLOWED_ATTACHMENTS):
        raise ValidationError({"file": _("Attach a PDF, image, Word, Excel or OFD file.")})
    if getattr(upload, "size", 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("An attachment is at most 20 MB.")})
    attachment = Attachment.objects.create(
        nomination=nomination, title=title.strip()[:128], file=upload
    )
    audit.record(
        action="nomination.attachment", by=by, obj=nomination, extra={"title": attachment.title}
    )
    return attachment


def submit_nomination(*, by: Any, nomination: Nomination) -> Nomination:
    """Send a draft (or returned) nomination to its first reviewing level."""
    return NOMINATION_FLOW.apply(nomination, "submit", by=by)


@transaction.atomic
def justify_list(
    *, by: Any, campaign: Campaign, organisation: Organisation, text: str
) -> Justification:
    """Record why the list at `organisation` may go on although it breaks a rule (audited)."""
    _require(by, organisation)
    if len(text.strip()) < 10:
        raise ValidationError({"justification": _("Write the justification in full.")})
    figures = lists.figures_at(campaign, organisation)
    bad = broken(figures)
    if not bad:
        raise ValidationError(_("The list breaks no rule; nothing to justify."))
    justification = Justification.objects.create(
        campaign=campaign,
        organisation=organisation,
        text=text.strip(),
        broken_rules=[f.rule.pk for f in bad],
        recorded_by=by,
    )
    audit.record(
        action="campaign.justify",
        by=by,
        obj=justification,
        extra={
            "campaign": campaign.pk,
            "rules": [f"{f.describe()}: {f.percent}%" for f in bad],
            "text": justification.text,
        },
    )
    return justification


@transaction.atomic
def approve_nomination(*, by: Any, nomination: Nomination, justification: str = "") -> Nomination:
    """Approve at the current level: send up, or shortlist at the last level.

    With a justification, the list's broken rules are first recorded as justified.
    """
    current = Nomination.objects.select_related("reviewer", "campaign").get(pk=nomination.pk)
    if justification.strip() and current.reviewer is not None:
        justify_list(
            by=by, campaign=current.campaign, organisation=current.reviewer, text=justification
        )
    last = current.level + 1 >= len(current.review_chain)
    return NOMINATION_FLOW.apply(nomination, "shortlist" if last else "send_up", by=by)


def return_nomination(*, by: Any, nomination: Nomination, reason: str) -> Nomination:
    return NOMINATION_FLOW.apply(nomination, "return", by=by, reason=reason)


def reject_nomination(*, by: Any, nomination: Nomination, reason: str) -> Nomination:
    return NOMINATION_FLOW.apply(nomination, "reject", by=by, reason=reason)


def withdraw_nomination(*, by: Any, nomination: Nomination, reason: str) -> Nomination:
    return NOMINATION_FLOW.apply(nomination, "withdraw", by=by, reason=reason)


# Public notice and objections ------------------------------------------------------------


@transaction.atomic
def publish_notice(*, by: Any, campaign: Campaign, starts_on: date) -> Campaign:
    """Open the public notice: every shortlisted nominee goes into it for the notice period."""
    _require(by, campaign.organiser)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    shortlisted = list(Nomination.objects.in_campaign(locked).filter(status=S.SHORTLISTED))
    if not shortlisted:
        raise ValidationError(_("There is nobody on the shortlist to publish."))
    if locked.notice_starts and not locked.has_notice_ended(timezone.localdate()):
        raise ValidationError(_("A notice for this campaign is already open."))
    locked.notice_starts = starts_on
    locked.notice_ends = notice_end(starts_on, locked.notice_days)
    locked.save(update_fields=["notice_starts", "notice_ends"])
    for nomination in shortlisted:
        NOMINATION_FLOW.apply(nomination, "publish", by=by)
    audit.record(
        action="campaign.publish_notice",
        by=by,
        obj=locked,
        extra={"starts": starts_on, "ends": locked.notice_ends, "nominees": len(shortlisted)},
    )
    return locked


@transaction.atomic
def file_objection(*, nomination: Nomination, reporter: str, contact: str, facts: str) -> Objection:
    """A member of the public objects to a nominee in notice; the nominating union investigates."""
    if len(facts.strip()) < 5:
        raise ValidationError({"facts": _("Describe the facts (at least 5 characters).")})
    if not contact.strip():
        raise ValidationError({"contact": _("Leave a way to reach you (kept confidential).")})
    locked = Nomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    if locked.status == S.IN_NOTICE:
        NOMINATION_FLOW.apply(locked, "object", by=None, roles=PUBLIC)
    elif locked.status != S.OBJECTION or not locked.campaign.is_notice_open(timezone.localdate()):
        raise ValidationError(_("This nominee is not in public notice."))
    objection = Objection.objects.create(
        nomination=locked,
        assigned_to=locked.organisation,
        reporter_sealed=encrypt(reporter.strip()[:64], field="objection_reporter")
        if reporter.strip()
        else "",
        contact_sealed=encrypt(contact.strip()[:128], field="objection_contact"),
        facts=facts.strip()[:5000],
    )
    audit.record(
        action="objection.file",
        obj=objection,
        actor_name="public",
        extra={"nomination": locked.pk, "named": bool(reporter.strip())},
    )
    return objection


@transaction.atomic
def conclude_objection(
    *, by: Any, objection: Objection, outcome: str, conclusion: str
) -> Objection:
    """Close the case with a written conclusion: keep, withdraw or replace the nominee."""
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if not (
        can(by, locked.assigned_to, "edit") or can(by, locked.nomination.campaign.organiser, "edit")
    ):
        raise PermissionDenied
    if locked.status != ObjectionStatus.OPEN:
        raise ValidationError(_("This objection is already concluded."))
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if len(conclusion.strip()) < 10:
        raise ValidationError({"conclusion": _("Write the conclusion of the investigation.")})
    locked.status = ObjectionStatus.CONCLUDED
    locked.outcome = outcome
    locked.conclusion = conclusion.strip()
    locked.concluded_at = timezone.now()
    locked.concluded_by = by
    locked.save(update_fields=["status", "outcome", "conclusion", "concluded_at", "concluded_by"])
    audit.record(
        action="objection.conclude",
        by=by,
        obj=locked,
        changes={"status": (ObjectionStatus.OPEN, ObjectionStatus.CONCLUDED)},
        extra={"outcome": outcome, "conclusion": locked.conclusion},
    )
    nomination = locked.nomination
    if outcome == ObjectionOutcome.KEEP:
        if not nomination.objections.open().exists() and nomination.status == S.OBJECTION:
            NOMINATION_FLOW.apply(nomination, "keep", by=by, reason=locked.conclusion)
    elif nomination.status not in {S.WITHDRAWN}:
        NOMINATION_FLOW.apply(nomination, "withdraw", by=by, reason=locked.conclusion)
    return locked


# Committee vote ------------------------------------------------------------------------


@transaction.atomic
def start_vote(*, by: Any, campaign: Campaign) -> list[Nomination]:
    """After the notice, send every nominee without an open objection to the committee."""
    _require(by, campaign.organiser)
    moved = []
    for nomination in Nomination.objects.in_campaign(campaign).filter(status=S.IN_NOTICE):
        if not nomination.objections.open().exists():
            moved.append(NOMINATION_FLOW.apply(nomination, "to_vote", by=by))
    if not moved:
        if not campaign.has_notice_ended(timezone.localdate()):
            raise ValidationError(_("The public notice has not ended yet."))
        raise ValidationError(_("Nobody is ready for the vote."))
    return moved


@transaction.atomic
def set_committee(*, by: Any, campaign: Campaign, names: list[str]) -> list[CommitteeMember]:
    """Name the review committee (names are added; a member who has voted stays)."""
    _require(by, campaign.organiser)
    clean = [n.strip()[:64] for n in names if n.strip()]
    if not clean:
        raise ValidationError({"names": _("Name at least one committee member.")})
    members = [CommitteeMember.objects.get_or_create(campaign=campaign, name=n)[0] for n in clean]
    audit.record(action="campaign.committee", by=by, obj=campaign, extra={"members": clean})
    return members


@transaction.atomic
def record_votes(*, by: Any, nomination: Nomination, choices: Mapping[int, str]) -> list[Vote]:
    """Enter the committee's ballots on one nominee: {member id: yes/no/abstain}; absent
    members are left out."""
    locked = Nomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    _require(by, locked.campaign.organiser)
    if locked.status != S.VOTING:
        raise ValidationError(_("This nominee is not before the committee."))
    members = {m.pk: m for m in locked.campaign.committee.all()}
    votes = []
    for member_id, choice in choices.items():
        if member_id not in members:
            raise ValidationError(_("Unknown committee member."))
        if choice not in VoteChoice.values:
            raise ValidationError(_("A vote is yes, no or abstain."))
        vote, _created = Vote.objects.update_or_create(
            nomination=locked,
            member=members[member_id],
            defaults={"choice": choice, "recorded_by": by},
        )
        votes.append(vote)
    audit.record(
        action="nomination.votes",
        by=by,
        obj=locked,
        extra={"ballots": {members[m].name: c for m, c in choices.items()}},
    )
    return votes


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    numerator: int
    denominator: int

    @property
    def present(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def passed(self) -> bool:
        """Yes votes reach the threshold of the members present (exact, no rounding)."""
        return self.present > 0 and self.yes * self.denominator >= self.numerator * self.present


def tally(nomination: Nomination) -> Tally:
    counts = dict(
        nomination.votes.values_list("choice").annotate(n=Count("pk")).values_list("choice", "n")
    )
    return Tally(
        yes=counts.get(VoteChoice.YES, 0),
        no=counts.get(VoteChoice.NO, 0),
        abstain=counts.get(VoteChoice.ABSTAIN, 0),
        numerator=nomination.campaign.pass_numerator,
        denominator=nomination.campaign.pass_denominator,
    )


def _prefecture_of(org: Organisation) -> Organisation | None:
    candidates: list[Organisation] = [*Organisation.objects.ancestors(org), org]
    return next((c for c in candidates if c.type == OrgType.PREFECTURE), None)


@transaction.atomic
def close_vote(*, by: Any, nomination: Nomination) -> Nomination:
    """Count the ballots: approved (and entered in the register) or not approved."""
    result = tally(nomination)
    if not result.present:
        raise ValidationError(_("No ballots are recorded for this nominee."))
    data = {"passed": result.passed, "tally": (result.yes, result.no, result.abstain)}
    name = "approve" if result.passed else "not_approve"
    moved = NOMINATION_FLOW.apply(nomination, name, by=by, data=data)
    if result.passed:
        enter_register(by=by, nomination=moved)
    return moved


def enter_register(*, by: Any, nomination: Nomination) -> Honouree:
    campaign = nomination.campaign
    person = nomination.person
    honouree = Honouree.objects.create(
        person=person,
        name=nomination.display_name,
        is_collective=person is None,
        organisation=nomination.organisation,
        prefecture=_prefecture_of(nomination.organisation),
        unit_name=nomination.unit_name,
        trade=nomination.trade,
        kind=campaign.kind,
        level=campaign.kind.level,
        year=campaign.year,
        campaign=campaign,
        nomination=nomination,
        is_frontline=bool(person and person.is_frontline),
        publication_consent=nomination.publication_consent,
        story=nomination.summary,
    )
    audit.record(action="honouree.create", by=by, obj=honouree, extra={"nomination": nomination.pk})
    return honouree


# The register, benefits and sanatorium stays ---------------------------------------------------


@transaction.atomic
def set_honouree_status(*, by: Any, honouree: Honouree, status: str, reason: str) -> Honouree:
    """Revoke an honour or record a death; the reason is kept."""
    locked = Honouree.objects.select_for_update().get(pk=honouree.pk)
    _require(by, locked.organisation)
    if status not in HonoureeStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status != HonoureeStatus.ACTIVE and not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    before = locked.status
    locked.status = status
    locked.status_reason = reason.strip()[:200]
    locked.save(update_fields=["status", "status_reason"])
    audit.record(
        action="honouree.status",
        by=by,
        obj=locked,
        changes={"status": (before, status)},
        extra={"reason": locked.status_reason},
    )
    return locked


@transaction.atomic
def update_honouree(
    *, by: Any, honouree: Honouree, story: str, publication_consent: bool, receives_allowance: bool
) -> Honouree:
    locked = Honouree.objects.select_for_update().get(pk=honouree.pk)
    _require(by, locked.organisation)
    before = {"consent": locked.publication_consent, "allowance": locked.receives_allowance}
    locked.story = story.strip()
    locked.publication_consent = publication_consent
    locked.receives_allowance = receives_allowance
    locked.save(update_fields=["story", "publication_consent", "receives_allowance"])
    audit.record(
        action="honouree.update",
        by=by,
        obj=locked,
        changes=audit.diff(
            before, {"consent": publication_consent, "allowance": receives_allowance}
        ),
    )
    return locked


@transaction.atomic
def record_benefit(
    *, by: Any, honouree: Honouree, kind: str, on: date, amount: Decimal, note: str = ""
) -> BenefitEntry:
    """Add a line to an honouree's ledger: award, check-up, visit, hardship support …"""
    _require(by, honouree.organisation)
    if kind not in BenefitKind.values:
        raise ValidationError({"kind": _("Unknown kind of benefit.")})
    if amount < 0:
        raise ValidationError({"amount": _("An amount cannot be negative.")})
    if honouree.status == HonoureeStatus.REVOKED:
        raise ValidationError(_("This honour is revoked."))
    entry = BenefitEntry.objects.create(
        honouree=honouree, kind=kind, on=on, amount=amount, note=note.strip()[:200], recorded_by=by
    )
    audit.record(
        action="benefit.record",
        by=by,
        obj=entry,
        extra={"honouree": honouree.pk, "kind": kind, "amount": str(amount)},
    )
    return entry


@transaction.atomic
def set_allowance_rate(
    *, by: Any, organisation: Organisation, level: str, amount: Decimal
) -> AllowanceRate:
    """The monthly allowance by honour level is the federation's decision."""
    if organisation.parent_id is not None:
        raise PermissionDenied
    _require(by, organisation)
    if amount < 0:
        raise ValidationError({"amount": _("An amount cannot be negative.")})
    rate, _created = AllowanceRate.objects.update_or_create(
        level=level, defaults={"monthly_amount": amount}
    )
    audit.record(
        action="benefit.rate",
        by=by,
        organisation=organisation,
        obj=rate,
        extra={"amount": str(amount)},
    )
    return rate


@transaction.atomic
def pay_allowances(*, by: Any, organisation: Organisation, period: str) -> int:
    """Record the month's allowance for every eligible active honouree under `organisation`,
    once a month each (a second run adds nobody twice)."""
    _require(by, organisation)
    try:
        year, month = (int(p) for p in period.split("-"))
        paid_on = date(year, month, 1)
    except ValueError as error:
        raise ValidationError({"period": _("Write the month as YYYY-MM.")}) from error
    rates = dict(AllowanceRate.objects.values_list("level", "monthly_amount"))
    eligible = (
        Honouree.objects.active()
        .filter(receives_allowance=True, organisation__path__startswith=organisation.path)
        .exclude(benefits__kind=BenefitKind.ALLOWANCE, benefits__period=period)
    )
    entries = [
        BenefitEntry(
            honouree=h,
            kind=BenefitKind.ALLOWANCE,
            on=paid_on,
            period=period,
            amount=rates[h.level],
            recorded_by=by,
        )
        for h in eligible
        if h.level in rates
    ]
    BenefitEntry.objects.bulk_create(entries)
    audit.record_many(
        [
            audit.Entry(
                action="benefit.allowance",
                by=by,
                obj=e,
                extra={"honouree": e.honouree_id, "period": period, "amount": str(e.amount)},
            )
            for e in entries
        ]
    )
    return len(entries)


@transaction.atomic
def create_session(
    *, by: Any, organisation: Organisation, name: str, starts_on: date, ends_on: date, places: int
) -> SanatoriumSession:
    _require(by, organisation)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A session ends after it starts.")})
    if places < 1:
        raise ValidationError({"places": _("A session has at least one place.")})
    session = SanatoriumSession.objects.create(
        organisation=organisation,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        places=places,
    )
    audit.record(action="sanatorium.session", by=by, obj=session, extra={"places": places})
    return session


@transaction.atomic
def book_stay(*, by: Any, session: SanatoriumSession, honouree: Honouree) -> Booking:
    """Book a place; the session row is locked so that places are never overbooked."""
    locked = SanatoriumSession.objects.select_for_update().get(pk=session.pk)
    _require(by, honouree.organisation)
    if honouree.status != HonoureeStatus.ACTIVE:
        raise ValidationError(_("Only an active honouree can be booked."))
    if Booking.objects.filter(session=locked, honouree=honouree).exists():
        raise ValidationError(
            _("%(name)s is already booked on this session.") % {"name": honouree.name}
        )
    taken = Booking.objects.filter(session=locked).count()
    if taken >= locked.places:
        raise ValidationError(
            _("This session is full (%(places)s places).") % {"places": locked.places}
        )
    booking = Booking.objects.create(session=locked, honouree=honouree, booked_by=by)
    BenefitEntry.objects.create(
        honouree=honouree,
        kind=BenefitKind.SANATORIUM,
        on=locked.starts_on,
        note=locked.name[:200],
        recorded_by=by,
    )
    audit.record(action="sanatorium.book", by=by, obj=booking, extra={"session": locked.pk})
    return booking


@transaction.atomic
def request_certificates(*, by: Any, campaign: Campaign) -> CertificateBatch:
    """Queue the campaign's certificates for printing in the background."""
    _require(by, campaign.organiser)
    if not Honouree.objects.filter(campaign=campaign).exists():
        raise ValidationError(_("This campaign has no honourees yet."))
    batch = CertificateBatch.objects.create(campaign=campaign, requested_by=by)
    audit.record(action="certificate.request", by=by, obj=batch, extra={"campaign": campaign.pk})
    from gonghui.honours.certificates import print_batch

    transaction.on_commit(lambda: print_batch.enqueue(batch.pk))
    return batch
