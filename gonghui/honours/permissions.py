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
    Booking,
    Campaign,
    Honouree,
    HonoureeImport,
    HonoureeQuerySet,
    Nomination,
    NominationQuerySet,
    NominationStatus,
    Objection,
    ObjectionQuerySet,
    SanatoriumSession,
)
from gonghui.orgs.models import SEGMENT, Organisation
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
    if action == "conclude" and not (
        can(user, objection.assigned_to, "edit")
        or is_officer_of(user, objection.nomination.campaign.organiser)
    ):
        deny(
            user, action=action, object_type="honours.objection", object_id=str(pk), not_found=False
        )
    return objection


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


def get_honouree_import_for_user(user: User, pk: int) -> HonoureeImport:
    """A web import of past honourees: its file held personal data, so only its uploader sees it."""
    return first_or_404(
        HonoureeImport.objects.filter(pk=pk, created_by=user), user, action="view", object_id=pk
    )
