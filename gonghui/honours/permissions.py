"""Who sees and does what in honours; every list and look-up goes through here.

A campaign is seen by officers and viewers within the organiser's subtree and by those above
it; nominations, objections and honourees by those whose scope holds the nominating union;
roles on a nomination (nominator, reviewer, organiser) come from officer roles on the
nominating union, the union reviewing it now, and the organising federation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gonghui.accounts.models import BUSINESS_ROLES, Role, User
from gonghui.accounts.types import Actor
from gonghui.core.access import deny, first_or_404
from gonghui.honours.models import (
    Attachment,
    Booking,
    Campaign,
    CertificateBatch,
    Honouree,
    HonoureeQuerySet,
    Nomination,
    NominationQuerySet,
    NominationStatus,
    Objection,
    ObjectionQuerySet,
    ProportionRule,
    SanatoriumSession,
)
from gonghui.orgs.models import SEGMENT, Organisation, OrgType
from gonghui.orgs.permissions import assignments, can, orgs_for_action, scope

OFFICER = frozenset({Role.OFFICER})


def _reach_q(user: User, field: str, roles: frozenset[str] = BUSINESS_ROLES) -> Q:
    """Rows whose organisation `field` is in the user's subtree or above it (its ancestors)."""
    user_scope = scope(user, roles)
    ancestors = {
        path[:end] for path in user_scope.paths for end in range(SEGMENT, len(path) + 1, SEGMENT)
    }
    return user_scope.q(f"{field}__") | Q(**{f"{field}__path__in": sorted(ancestors)})


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if scope(user, BUSINESS_ROLES).is_empty:
        return Campaign.objects.none()
    return Campaign.objects.filter(_reach_q(user, "organiser")).select_related("kind", "organiser")


def get_campaign_for_user(user: User, pk: int, action: str = "view") -> Campaign:
    """The campaign if visible (else 404); `manage` needs an officer role on the organiser (403)."""
    campaign = first_or_404(
        visible_campaigns(user).filter(pk=pk), user, action=action, object_id=pk
    )
    if action == "manage" and not can_manage_campaign(user, campaign):
        deny(
            user, action=action, object_type="honours.campaign", object_id=str(pk), not_found=False
        )
    return campaign


def can_manage_campaign(user: User, campaign: Campaign) -> bool:
    """Campaign-wide steps (rules, notice, committee, vote) are the organiser's own officers'."""
    return is_officer_of(user, campaign.organiser)


def visible_nominations(user: User) -> NominationQuerySet:
    return Nomination.objects.filter(scope(user, BUSINESS_ROLES).q("organisation__"))


def is_officer_of(user: User, org: Organisation) -> bool:
    """An officer role held on this very organisation, not inherited from above.

    Each review level is signed off by that level's own officers: an officer higher up
    cannot skip a level by acting for the union beneath.
    """
    return any(a.role == Role.OFFICER and a.organisation_id == org.pk for a in assignments(user))


def nomination_roles(user: Actor, nomination: Nomination) -> frozenset[str]:
    """The workflow roles the user holds on this nomination now."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = set()
    if can(user, nomination.organisation, "edit"):
        roles.add("nominator")
    if (
        nomination.status == NominationStatus.SUBMITTED
        and nomination.reviewer is not None
        and is_officer_of(user, nomination.reviewer)
    ):
        roles.add("reviewer")
    if is_officer_of(user, nomination.campaign.organiser):
        roles.add("organiser")
    return frozenset(roles)


def get_nomination_for_user(user: User, pk: int, action: str = "view") -> Nomination:
    """A visible nomination (else 404); `edit` needs the nominator or organiser role (else 403)."""
    nomination = first_or_404(
        visible_nominations(user)
        .select_related("campaign__kind", "campaign__organiser", "organisation", "reviewer")
        .select_related("person__unit")
        .filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if action == "edit" and not nomination_roles(user, nomination) & {"nominator", "organiser"}:
        deny(
            user,
            action=action,
            object_type="honours.nomination",
            object_id=str(pk),
            not_found=False,
        )
    return nomination


def nominating_orgs(user: User, campaign: Campaign) -> QuerySet[Organisation]:
    """Unions the user may nominate from: their officer scope within the organiser's subtree."""
    return Organisation.objects.filter(scope(user, OFFICER).q()).filter(
        path__startswith=campaign.organiser.path
    )


def allocating_orgs(user: User, campaign: Campaign) -> QuerySet[Organisation]:
    """Organisations whose share of this campaign's quota the user passes on to the unions
    beneath them: their officer scope within the organiser's subtree."""
    return orgs_for_action(user, "edit").filter(path__startswith=campaign.organiser.path)


def visible_objections(user: User) -> ObjectionQuerySet:
    return Objection.objects.filter(
        scope(user, BUSINESS_ROLES).q("assigned_to__")
        | scope(user, BUSINESS_ROLES).q("nomination__campaign__organiser__")
    )


def get_objection_for_user(user: User, pk: int, action: str = "view") -> Objection:
    objection = first_or_404(
        visible_objections(user)
        .select_related(
            "nomination__campaign__organiser", "assigned_to", "nomination__organisation"
        )
        .filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if action == "conclude" and not can_conclude_objection(user, objection):
        deny(
            user, action=action, object_type="honours.objection", object_id=str(pk), not_found=False
        )
    return objection


def can_conclude_objection(user: User, objection: Objection) -> bool:
    """An objection is investigated by the union it is assigned to (or one above it) and
    concluded by them or by the organiser's own officers."""
    return can(user, objection.assigned_to, "edit") or is_officer_of(
        user, objection.nomination.campaign.organiser
    )


def visible_honourees(user: User) -> HonoureeQuerySet:
    return Honouree.objects.filter(scope(user, BUSINESS_ROLES).q("organisation__"))


def get_honouree_for_user(user: User, pk: int, action: str = "view") -> Honouree:
    honouree = first_or_404(
        visible_honourees(user).select_related("kind", "organisation", "person").filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if action == "edit" and not can(user, honouree.organisation, "edit"):
        deny(
            user, action=action, object_type="honours.honouree", object_id=str(pk), not_found=False
        )
    return honouree


def visible_sessions(user: User) -> QuerySet[SanatoriumSession]:
    if scope(user, BUSINESS_ROLES).is_empty:
        return SanatoriumSession.objects.none()
    return SanatoriumSession.objects.filter(_reach_q(user, "organisation"))


def visible_bookings(user: User, session: SanatoriumSession) -> QuerySet[Booking]:
    """A session's bookings of honourees the user may see: a session organised above the user
    is shared with other subtrees, whose people it must not show."""
    return session.bookings.filter(honouree__in=visible_honourees(user))


def get_session_for_user(user: User, pk: int, action: str = "view") -> SanatoriumSession:
    session = first_or_404(
        visible_sessions(user).select_related("organisation").filter(pk=pk),
        user,
        action=action,
        object_id=pk,
    )
    if action == "manage" and not can(user, session.organisation, "edit"):
        deny(user, action=action, object_type="honours.session", object_id=str(pk), not_found=False)
    return session


def kept_federation(user: User) -> Organisation | None:
    """The regional federation whose honour kinds and holiday calendar `user` keeps, if any."""
    return orgs_for_action(user, "edit").filter(parent__isnull=True).first()


def officer_org_ids(user: User) -> list[int]:
    """The organisations on which the user holds an officer role themselves (not inherited)."""
    return [a.organisation_id for a in assignments(user) if a.role == Role.OFFICER]


def campaign_organisers(user: User) -> QuerySet[Organisation]:
    """Organisations whose own officer the user is and which may organise a campaign."""
    return Organisation.objects.filter(pk__in=officer_org_ids(user)).filter(
        type__in=[OrgType.FEDERATION, OrgType.PREFECTURE, OrgType.COUNTY, OrgType.INDUSTRY]
    )


def get_campaign_organisers_for_user(user: User) -> QuerySet[Organisation]:
    """The organisations for which the user may open a campaign; 403 when there are none."""
    organisers = campaign_organisers(user)
    if not organisers.exists():
        deny(user, action="edit", object_type="honours.campaign", object_id="", not_found=False)
    return organisers


def get_nominating_orgs_for_user(user: User, campaign: Campaign) -> QuerySet[Organisation]:
    """The unions the user may nominate from in this campaign; 403 when there are none."""
    orgs = nominating_orgs(user, campaign)
    if not orgs.exists():
        deny(
            user,
            action="nominate",
            object_type="honours.campaign",
            object_id=str(campaign.pk),
            not_found=False,
        )
    return orgs


def get_kept_federation_for_user(user: User, *, object_type: str) -> Organisation:
    """The federation whose settings (`object_type`: honour kinds, the calendar, allowance
    rates) the user keeps; 403 for everyone else."""
    federation = kept_federation(user)
    if federation is None:
        deny(user, action="edit", object_type=object_type, object_id="", not_found=False)
    return federation


def get_attachment_for_user(user: User, nomination_pk: int, attachment_pk: int) -> Attachment:
    """An attachment of a nomination the user may see (else 404, as for a missing one)."""
    nomination = get_nomination_for_user(user, nomination_pk)
    attachment = Attachment.objects.filter(nomination=nomination, pk=attachment_pk).first()
    if attachment is None:
        deny(
            user,
            action="view",
            object_type="honours.attachment",
            object_id=str(attachment_pk),
            not_found=True,
        )
    return attachment


def get_certificate_batch_for_user(user: User, pk: int) -> CertificateBatch:
    """A batch of certificates: its campaign's own officers only (else 404)."""
    batch = (
        CertificateBatch.objects.filter(pk=pk, campaign__in=visible_campaigns(user))
        .select_related("campaign")
        .first()
    )
    if batch is None or not can_manage_campaign(user, batch.campaign):
        deny(
            user,
            action="view",
            object_type="honours.certificatebatch",
            object_id=str(pk),
            not_found=True,
        )
    return batch


def get_honouree_photo_for_user(user: User, pk: int) -> Honouree:
    """A visible honouree that has a portrait (else 404)."""
    honouree = get_honouree_for_user(user, pk)
    if not honouree.photo:
        deny(user, action="view", object_type="honours.photo", object_id=str(pk), not_found=True)
    return honouree


def get_rule_for_user(user: User, campaign_pk: int, rule_pk: int) -> ProportionRule:
    """A proportion rule of a campaign the user manages (else 404 or 403)."""
    campaign = get_campaign_for_user(user, campaign_pk, action="manage")
    rule = ProportionRule.objects.filter(campaign=campaign, pk=rule_pk).first()
    if rule is None:
        deny(
            user,
            action="manage",
            object_type="honours.proportionrule",
            object_id=str(rule_pk),
            not_found=True,
        )
    return rule
