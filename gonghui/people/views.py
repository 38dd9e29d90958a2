from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.accounts.models import User
from gonghui.accounts.types import Actor
from gonghui.core.forms import add_validation_errors
from gonghui.core.tables import query_without
from gonghui.core.tabular import csv_response, xlsx_response
from gonghui.orgs.permissions import get_unit_by_credit_code_for_user, orgs_for_action
from gonghui.people import actions
from gonghui.people.export import EXPORT_HEADERS, Export, record_export, reveal_scope
from gonghui.people.forms import EndForm, PersonForm, RegisterForm, RosterFilters, TransferForm
from gonghui.people.models import MembershipStatus, SkillLevel
from gonghui.people.permissions import (
    can_reveal,
    get_membership_for_user,
    get_person_for_user,
    get_person_to_reveal_for_user,
    get_registering_unions_for_user,
)
from gonghui.people.roster import Cursor, RosterQuery, roster, roster_page


def _query(request: AuthedRequest) -> RosterQuery:
    form = RosterFilters(request.GET)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    return RosterQuery(
        q=data.get("q", ""),
        union=data.get("union", "").strip(),
        skill_level=data.get("skill_level", ""),
        status=data.get("status") or MembershipStatus.ACTIVE,
        frontline=bool(data.get("frontline")),
        migrant=bool(data.get("migrant")),
        head=bool(data.get("head")),
    )


def member_list(request: AuthedRequest) -> HttpResponse:
    query = _query(request)
    cursor = Cursor.decode(request.GET.get("cursor", ""))
    page = roster_page(request.user, query, cursor=cursor)
    context = {
        "page": page,
        "query": query,
        "skill_levels": list(SkillLevel.choices)[1:],
        "statuses": MembershipStatus.choices,
        "querystring": query_without(request, "cursor", "page"),
        "can_register": orgs_for_action(request.user, "edit").exists(),
        "can_reveal_any": not reveal_scope(request.user).is_empty,
    }
    if request.htmx:
        return render(request, "people/member_list.html#results", context)
    return render(request, "people/member_list.html", context)


def member_count(request: AuthedRequest) -> HttpResponse:
    """Counting millions of rows is asked for, not done on every page view."""
    total = roster(request.user, _query(request)).count()
    return render(request, "people/member_list.html#count", {"total": total})


def _details(form: PersonForm, user: User) -> actions.PersonDetails:
    code = form.cleaned_data.get("unit_code", "")
    unit = None
    if code.strip():
        unit = get_unit_by_credit_code_for_user(user, code)
        if unit is None:
            raise ValidationError(
                {"unit_code": _("No employer unit with this credit code within your scope.")}
            )
    return actions.PersonDetails(
        name=form.cleaned_data["name"],
        phone=form.cleaned_data.get("phone", ""),
        unit=unit,
        post=form.cleaned_data.get("post", ""),
        skill_level=form.cleaned_data.get("skill_level", ""),
        is_frontline=form.cleaned_data.get("is_frontline", False),
        is_migrant=form.cleaned_data.get("is_migrant", False),
        is_enterprise_head=form.cleaned_data.get("is_enterprise_head", False),
    )


def member_register(request: AuthedRequest) -> HttpResponse:
    allowed = get_registering_unions_for_user(request.user)
    form = RegisterForm(
        request.POST or None, allowed_orgs=allowed, initial={"union": request.GET.get("union", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.register_member(
                by=request.user,
                identity_number=form.cleaned_data["identity_number"],
                details=_details(form, request.user),
                union=form.cleaned_data["union"],
                joined_on=form.cleaned_data.get("joined_on"),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_validation_errors(form, error)
            else:
                # errors about the number itself belong beside it
                target = "identity_number" if error.code in _IDENTITY_CODES else None
                form.add_error(target, error)
        else:
            messages.success(
                request,
                _("%(name)s is now a member of %(union)s.")
                % {"name": membership.person.name, "union": membership.union.name},
            )
            return redirect(membership.person)
    return render(request, "people/member_form.html", {"form": form})


_IDENTITY_CODES = {"scientific", "format", "province", "birth_date", "future", "check"}


def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    memberships = person.memberships.select_related("union", "transferred_to").order_by(
        "-joined_on", "-pk"
    )
    current = next((m for m in memberships if m.status == MembershipStatus.ACTIVE), None)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "current": current,
            "can_reveal": can_reveal(request.user, person),
            "can_edit": current is not None
            and orgs_for_action(request.user, "edit").filter(pk=current.union_id).exists(),
            "transfer_form": TransferForm(allowed_orgs=None),
            "end_form": EndForm(),
        },
    )


@require_POST
def person_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_person_to_reveal_for_user(request.user, pk)
    field = "phone" if request.POST.get("field") == "phone" else "identity_number"
    value = actions.reveal(by=request.user, person=person, field=field)
    return render(request, "people/person_detail.html#revealed", {"value": value, "field": field})


def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, action="edit")
    initial = {
        "name": person.name,
        "phone": person.reveal_phone()
        if person.phone_sealed and can_reveal(request.user, person)
        else "",
        "unit_code": person.unit.credit_code if person.unit else "",
        "post": person.post,
        "skill_level": person.skill_level,
        "is_frontline": person.is_frontline,
        "is_migrant": person.is_migrant,
        "is_enterprise_head": person.is_enterprise_head,
    }
    form = PersonForm(request.POST or None, initial=initial)
    keep_phone = not can_reveal(request.user, person)
    if keep_phone:
        form.fields["phone"].help_text = _(
            "Shown masked (%(masked)s); leave empty to keep it, or type a new one."
        ) % {"masked": person.phone_masked or "—"}
    if request.method == "POST" and form.is_valid():
        try:
            details = _details(form, request.user)
            if keep_phone and not details.phone and person.phone_sealed:
                details = actions.PersonDetails(
                    **{**details.__dict__, "phone": person.reveal_phone()}
                )
            actions.update_person(by=request.user, person=person, details=details)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(person)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@require_POST
def membership_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, action="edit")
    # the receiving union must be one the user may act on too
    form = TransferForm(request.POST, allowed_orgs=orgs_for_action(request.user, "edit"))
    if form.is_valid():
        try:
            actions.transfer_member(
                by=request.user,
                membership=membership,
                to_union=form.cleaned_data["to_union"],
                on=form.cleaned_data.get("on"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Membership transferred to %(union)s.")
                % {"union": form.cleaned_data["to_union"].name},
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(membership.person)


@require_POST
def membership_end(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request.user, pk, action="edit")
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            actions.end_membership(
                by=request.user,
                membership=membership,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data.get("on"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The membership has ended; the record is kept."))
    else:
        messages.error(request, _("Say why the membership ends."))
    return redirect(membership.person)


def member_export(request: AuthedRequest, format: str) -> HttpResponseBase:
    """The roster as the list shows it (same filters), masked unless the user may reveal."""
    query = _query(request)
    reveal = request.GET.get("reveal") == "1"
    export = Export(
        roster(request.user, query), reveal_within=reveal_scope(request.user) if reveal else None
    )
    filename = f"会员名册-{timezone.localdate():%Y%m%d}.{format}"
    rows = _audited(
        export,
        by=request.user,
        format=format,
        filters={"q": query.q, "union": query.union, "reveal": reveal},
    )
    if format == "xlsx":
        return xlsx_response(rows, EXPORT_HEADERS, filename=filename)
    return csv_response(rows, EXPORT_HEADERS, filename=filename)


def _audited(export: Export, *, by: Actor, format: str, filters: dict[str, Any]) -> Any:
    """Yield the rows, then record the export with what was actually sent (even if cut short)."""
    try:
        yield from export
    finally:
        record_export(by=by, export=export, organisation=None, format=format, filters=filters)
