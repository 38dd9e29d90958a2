"""Writes to the roster: registering people, joining, transferring, leaving, revealing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.types import Actor
from gonghui.core import audit
from gonghui.core.crypto import blind_index, blind_indexes, encrypt
from gonghui.core.personal import mask_identity_number, mask_phone
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType
from gonghui.people.identity import normalise_name, normalise_phone, parse_identity, pinyin_key
from gonghui.people.models import Membership, MembershipStatus, Person, SkillLevel
from gonghui.people.permissions import sees_union
from gonghui.people.tallies import refresh_tallies

MEMBER_UNION_TYPES = frozenset({OrgType.GRASSROOTS, OrgType.JOINT})
# All that is said of a person whose current union the officer may not see (core.personal).
OUTSIDE_SCOPE = gettext_lazy(
    "This person is registered in a union outside your scope; an officer who can see both "
    "unions can transfer the membership."
)


@dataclass(frozen=True)
class PersonDetails:
    """What an officer types about a person (the identity number comes separately)."""

    name: str
    phone: str = ""
    unit: EmployerUnit | None = None
    post: str = ""
    skill_level: str = SkillLevel.NONE
    is_frontline: bool = False
    is_migrant: bool = False
    is_enterprise_head: bool = False


def identity_digest(number: str) -> str:
    return blind_index(number, field="identity_number")


def phone_digest(phone: str) -> str:
    return blind_index(phone, field="phone")


def identity_digests(number: str) -> list[str]:
    """What to look an identity number up by: its digest under each field key in the ring."""
    return blind_indexes(number, field="identity_number")


def phone_digests(phone: str) -> list[str]:
    return blind_indexes(phone, field="phone")


def _apply_details(person: Person, details: PersonDetails) -> None:
    person.name = normalise_name(details.name)
    person.name_key = pinyin_key(person.name)
    phone = normalise_phone(details.phone) if details.phone.strip() else ""
    if phone != (person.reveal_phone() if person.phone_sealed else ""):
        person.phone_sealed = encrypt(phone, field="phone")
        person.phone_hash = phone_digest(phone)
        person.phone_masked = mask_phone(phone) if phone else ""
    person.unit = details.unit
    person.post = details.post.strip()[:64]
    if details.skill_level not in SkillLevel.values:
        raise ValidationError({"skill_level": _("Unknown skill level.")})
    person.skill_level = details.skill_level
    person.is_frontline = details.is_frontline
    person.is_migrant = details.is_migrant
    person.is_enterprise_head = details.is_enterprise_head


def _keep_memberships_in_step(person: Person) -> None:
    """The person's sort key and traits copied onto their memberships (the roster is read in
    that order, and filtered on those traits)."""
    Membership.objects.filter(person=person).exclude(
        name_key=person.name_key, traits=person.traits
    ).update(name_key=person.name_key, traits=person.traits)


def check_member_union(union: Organisation) -> None:
    """Members join grassroots and joint unions only."""
    if union.type not in MEMBER_UNION_TYPES:
        raise ValidationError(
            {
                "union": _("Members join a grassroots or joint union, not %(name)s.")
                % {"name": union.name}
            }
        )


@transaction.atomic
def register_member(
    *,
    by: Actor,
    identity_number: str,
    details: PersonDetails,
    union: Organisation,
    joined_on: date | None = None,
) -> Membership:
    """Record a person (or find them by identity number) and make them a member of `union`."""
    check_member_union(union)
    person = record_person(by=by, identity_number=identity_number, details=details, union=union)
    return join_union(by=by, person=person, union=union, joined_on=joined_on)


@transaction.atomic
def record_person(
    *,
    by: Actor,
    identity_number: str,
    details: PersonDetails,
    union: Organisation | None = None,
) -> Person:
    """Find a person by identity number (updating their details) or record them, member or not.

    `union` is only where the audit event is filed; nobody joins a union here. Programmes that
    deal with workers who are not members (competitors, judges) record them this way.
    """
    identity = parse_identity(identity_number)
    person = (
        Person.objects.select_for_update()
        .filter(identity_hash__in=identity_digests(identity.number))
        .first()
    )
    created = person is None
    if person is None:
        person = Person(
            identity_hash=identity_digest(identity.number),
            identity_sealed=encrypt(identity.number, field="identity_number"),
            identity_masked=mask_identity_number(identity.number),
            gender=identity.gender,
            birth_year=identity.birth_date.year,
        )
    before = {} if created else person.snapshot()
    _apply_details(person, details)
    person.full_clean(exclude=["identity_sealed", "identity_hash"])
    person.save()
    if not created:
        _keep_memberships_in_step(person)
    if not created and (changes := audit.diff(before, person.snapshot())):
        audit.record(action="person.update", by=by, organisation=union, obj=person, changes=changes)
    elif created:
        audit.record(
            action="person.create",
            by=by,
            organisation=union,
            obj=person,
            changes=audit.diff({}, person.snapshot()),
        )
    return person


@transaction.atomic
def join_union(
    *, by: Actor, person: Person, union: Organisation, joined_on: date | None = None
) -> Membership:
    """Open a membership; refused while the person is a member of another union."""
    check_member_union(union)
    current = (
        Membership.objects.select_for_update()
        .filter(person=person, status=MembershipStatus.ACTIVE)
        .first()
    )
    if current is not None:
        if current.union_id == union.pk:
            return current
        if not sees_union(by, current.union):
            raise ValidationError(OUTSIDE_SCOPE)
        raise ValidationError(
            _("%(name)s is already a member of %(union)s; transfer the membership instead.")
            % {"name": person.name, "union": current.union.name}
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person,
                union=union,
                joined_on=joined_on or timezone.localdate(),
                name_key=person.name_key,
                traits=person.traits,
            )
    except IntegrityError:  # another request opened one at the same moment
        raise ValidationError(
            _("%(name)s has just been registered elsewhere.") % {"name": person.name}
        ) from None
    audit.record(
        action="membership.join",
        by=by,
        organisation=union,
        obj=membership,
        extra={"person": person.pk, "joined_on": membership.joined_on.isoformat()},
    )
    refresh_tallies([union.pk])
    return membership


@transaction.atomic
def transfer_member(
    *, by: Actor, membership: Membership, to_union: Organisation, on: date | None = None
) -> Membership:
    """Close the membership as transferred and open one in `to_union`; both unions see it."""
    check_member_union(to_union)
    membership = (
        Membership.objects.select_for_update()
        .select_related("person", "union")
        .get(pk=membership.pk)
    )
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only a current membership can be transferred."))
    if membership.union_id == to_union.pk:
        raise ValidationError(
            _("The member already belongs to %(union)s.") % {"union": to_union.name}
        )
    day = on or timezone.localdate()
    if day < membership.joined_on:
        raise ValidationError(_("A transfer cannot be dated before the member joined."))
    membership.status, membership.ended_on, membership.transferred_to = (
        MembershipStatus.TRANSFERRED,
        day,
        to_union,
    )
    membership.save(update_fields=["status", "ended_on", "transferred_to"])
    new = Membership.objects.create(
        person=membership.person,
        union=to_union,
        joined_on=day,
        name_key=membership.person.name_key,
        traits=membership.person.traits,
    )
    for union in (membership.union, to_union):
        audit.record(
            action="membership.transfer",
            by=by,
            organisation=union,
            obj=new,
            extra={
                "person": membership.person_id,
                "from": membership.union.code,
                "to": to_union.code,
                "on": day.isoformat(),
            },
        )
    refresh_tallies([membership.union_id, to_union.pk])
    return new


@transaction.atomic
def end_membership(
    *, by: Actor, membership: Membership, reason: str, on: date | None = None
) -> Membership:
    """The member leaves the union (retirement, leaving the job, death …); the record stays."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("This membership has already ended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the membership ends.")})
    membership.status, membership.ended_on = MembershipStatus.LEFT, on or timezone.localdate()
    membership.end_reason = reason.strip()[:200]
    membership.save(update_fields=["status", "ended_on", "end_reason"])
    audit.record(
        action="membership.end",
        by=by,
        organisation=membership.union,
        obj=membership,
        extra={"person": membership.person_id, "reason": membership.end_reason},
    )
    refresh_tallies([membership.union_id])
    return membership


@transaction.atomic
def update_person(*, by: Actor, person: Person, details: PersonDetails) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = person.snapshot()
    _apply_details(person, details)
    person.full_clean(exclude=["identity_sealed", "identity_hash"])
    changes = audit.diff(before, person.snapshot())
    if changes:
        person.save()
        _keep_memberships_in_step(person)
        union = person.memberships.current().values_list("union", flat=True).first()
        audit.record(action="person.update", by=by, organisation=union, obj=person, changes=changes)
    return person


def note_exact_search(*, by: Actor, text: str) -> None:
    """Record a search by a full identity number or mobile, masked: whoever tries the numbers
    that share a masked one, to learn which is whose, leaves a trace of each try."""
    field = "phone" if len(text) == 11 else "identity_number"
    masked = mask_phone(text) if field == "phone" else mask_identity_number(text.upper())
    audit.record(
        action="person.search_exact",
        by=by,
        organisation=getattr(by, "organisation", None),
        extra={"field": field, "searched": masked},
    )


def reveal(*, by: Actor, person: Person, field: str) -> str:
    """The clear identity number or mobile, for a user allowed to see it; always audited."""
    value = person.reveal_identity_number() if field == "identity_number" else person.reveal_phone()
    union = person.memberships.current().values_list("union", flat=True).first()
    audit.record(
        action="person.reveal", by=by, organisation=union, obj=person, extra={"field": field}
    )
    return value
