"""The review committee's vote, and entry into the register of those approved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.workflow import Context, TransitionRefused
from gonghui.honours.actions.common import require_organiser as _require_organiser
from gonghui.honours.models import (
    Campaign,
    CommitteeMember,
    Honouree,
    Nomination,
    NominationStatus,
    Vote,
    VoteChoice,
)
from gonghui.honours.workflow import NOMINATION_FLOW
from gonghui.orgs.models import Organisation, OrgType

S = NominationStatus


def vote_refusal(campaign: Campaign, *, by: User) -> str | None:
    """Why no nominee can go to the committee now: the workflow's own answer for each nominee
    in notice (its guards: the notice has ended, no objection is open)."""
    in_notice = list(Nomination.objects.in_campaign(campaign).filter(status=S.IN_NOTICE))
    if not in_notice:
        return _("Nobody is ready for the vote.")
    refusals = []
    for nomination in in_notice:
        context = Context(by=by, roles=NOMINATION_FLOW.roles_of(by, nomination))
        try:
            NOMINATION_FLOW.check(nomination, "to_vote", context)
        except TransitionRefused as refused:
            refusals.append(" ".join(refused.messages))
        else:
            return None
    return refusals[0]


@transaction.atomic
def start_vote(*, by: User, campaign: Campaign) -> list[Nomination]:
    """After the notice, send every nominee without an open objection to the committee."""
    _require_organiser(by, campaign)
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
def set_committee(*, by: User, campaign: Campaign, names: list[str]) -> list[CommitteeMember]:
    """Name the review committee (names are added; a member who has voted stays)."""
    _require_organiser(by, campaign)
    clean = [n.strip()[:64] for n in names if n.strip()]
    if not clean:
        raise ValidationError({"names": _("Name at least one committee member.")})
    members = [CommitteeMember.objects.get_or_create(campaign=campaign, name=n)[0] for n in clean]
    audit.record(action="campaign.committee", by=by, obj=campaign, extra={"members": clean})
    return members


@transaction.atomic
def record_votes(*, by: User, nomination: Nomination, choices: Mapping[int, str]) -> list[Vote]:
    """Enter the committee's ballots on one nominee: {member id: yes/no/abstain}; absent
    members are left out."""
    locked = Nomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    _require_organiser(by, locked.campaign)
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
def close_vote(*, by: Actor, nomination: Nomination) -> Nomination:
    """Count the ballots: approved (and entered in the register) or not approved."""
    result = tally(nomination)
    if not result.present:
        raise ValidationError(_("No ballots are recorded for this nominee."))
    data = {"passed": result.passed, "tally": (result.yes, result.no, result.abstain)}
    name = "approve" if result.passed else "not_approve"
    moved = NOMINATION_FLOW.apply(nomination, name, by=by, data=data)
    if result.passed:
        enter_register(by=by, nomination=moved)
    campaign = Campaign.objects.select_for_update().get(pk=moved.campaign_id)
    if not campaign.nominations.filter(status__in=[S.VOTING, S.IN_NOTICE, S.OBJECTION]).exists():
        # the last nominee is decided: the approved list can be published
        campaign.vote_closed_at = timezone.now()
        campaign.save(update_fields=["vote_closed_at"])
        audit.record(action="campaign.results", by=by, obj=campaign)
    return moved


def enter_register(*, by: Actor, nomination: Nomination) -> Honouree:
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
