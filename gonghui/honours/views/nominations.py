"""Nomination pages: nominating, the review steps, clearances, attachments, ballots, and objections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.bounds import ID, whole_number
from gonghui.core.crypto import decrypt
from gonghui.core.forms import add_validation_errors
from gonghui.core.models import AuditEvent
from gonghui.honours import actions, lists
from gonghui.honours.forms import (
    AttachmentForm,
    ClearanceForm,
    ConclusionForm,
    NominationEditForm,
    NominationForm,
    StepForm,
)
from gonghui.honours.models import (
    NominationStatus,
    VoteChoice,
)
from gonghui.honours.permissions import (
    can_conclude_objection,
    get_attachment_for_user,
    get_campaign_for_user,
    get_nominating_orgs_for_user,
    get_nomination_for_user,
    get_objection_for_user,
    nomination_roles,
    visible_objections,
)
from gonghui.honours.workflow import NOMINATION_FLOW
from gonghui.orgs.models import Organisation
from gonghui.people.actions import identity_digests
from gonghui.people.identity import parse_identity
from gonghui.people.models import MembershipStatus
from gonghui.people.permissions import visible_people


def _find_member(request: AuthedRequest, number: str, person_id: int | None = None) -> Any:
    """The member chosen from the search, or typed by identity number; within the scope."""
    if person_id:
        person = visible_people(request.user).filter(pk=person_id).first()
        if person is None:
            raise ValidationError({"identity_number": _("Choose the member again.")})
        return person
    if not number.strip():
        raise ValidationError(
            {"identity_number": _("Find the member by name, or type the identity number.")}
        )
    try:
        identity = parse_identity(number)
    except ValidationError as error:
        raise ValidationError({"identity_number": error.messages}) from error
    person = (
        visible_people(request.user)
        .filter(identity_hash__in=identity_digests(identity.number))
        .first()
    )
    if person is None:
        raise ValidationError(
            {"identity_number": _("No member with this identity number within your scope.")}
        )
    return person


def _details(data: dict[str, Any]) -> actions.NominationDetails:
    return actions.NominationDetails(
        achievements=data["achievements"],
        summary=data["summary"],
        democratic_record=data["democratic_record"],
        publication_consent=data.get("publication_consent", False),
        unit_name=data.get("unit_name", ""),
        trade=data.get("trade", ""),
        is_farmer=data.get("is_farmer", False),
    )


def nomination_create(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    orgs = get_nominating_orgs_for_user(request.user, campaign)
    collective = campaign.kind.is_collective
    chosen = None
    picked = request.POST.get("person_id") or request.GET.get("person", "")
    if not collective and (person_id := whole_number(picked, ID)) is not None:
        chosen = visible_people(request.user).filter(pk=person_id).first()
    form = NominationForm(request.POST or None, organisations=orgs, collective=collective)
    if chosen is not None:
        del form.fields["identity_number"]  # the member is chosen already
    query = request.GET.get("q", "").strip()[:64]
    found = (
        visible_people(request.user)
        .filter(
            name__icontains=query,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__union__in=orgs,
        )
        .select_related("unit")
        .distinct()[:20]
        if query and not collective
        else []
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = (
                None
                if collective
                else _find_member(
                    request, data.get("identity_number", ""), chosen.pk if chosen else None
                )
            )
            nomination = actions.nominate(
                by=request.user,
                campaign=campaign,
                organisation=data["organisation"],
                person=person,
                collective_name=data.get("collective_name", ""),
                details=_details(data),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Nomination saved as a draft."))
            return redirect(nomination)
    context = {
        "form": form,
        "campaign": campaign,
        "chosen": chosen,
        "query": query,
        "found": found,
        "collective": collective,
    }
    return render(request, "honours/nomination_form.html", context)


def nomination_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, action="edit")
    initial = {
        "unit_name": nomination.unit_name,
        "trade": nomination.trade,
        "achievements": nomination.achievements,
        "summary": nomination.summary,
        "democratic_record": nomination.democratic_record,
        "publication_consent": nomination.publication_consent,
        "is_farmer": nomination.is_farmer,
    }
    form = NominationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_nomination(
                by=request.user, nomination=nomination, details=_details(form.cleaned_data)
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Nomination saved."))
            return redirect(nomination)
    return render(
        request,
        "honours/nomination_form.html",
        {"form": form, "campaign": nomination.campaign, "nomination": nomination},
    )


def _nomination_context(request: AuthedRequest, nomination: Any, **extra: Any) -> dict[str, Any]:
    roles = nomination_roles(request.user, nomination)
    available = {t.name for t in NOMINATION_FLOW.available(nomination, request.user)}
    chain = {o.pk: o for o in Organisation.objects.filter(pk__in=nomination.review_chain)}
    panel = None
    if "reviewer" in roles and nomination.reviewer is not None:
        panel = lists.panel(nomination.campaign, nomination.reviewer)
    committee = list(nomination.campaign.committee.all())
    ballots = {v.member_id: v.choice for v in nomination.votes.all()}
    context = {
        "nomination": nomination,
        "campaign": nomination.campaign,
        "roles": roles,
        "can_submit": "submit" in available,
        "can_review": bool(available & {"send_up", "shortlist"}),
        "can_withdraw": "withdraw" in available,
        "can_edit": nomination.status in {NominationStatus.DRAFT, NominationStatus.RETURNED}
        and bool(roles & {"nominator", "organiser"}),
        "can_vote": nomination.status == NominationStatus.VOTING and "organiser" in roles,
        "chain": [chain[pk] for pk in nomination.review_chain if pk in chain],
        "panel": panel,
        "clearances": nomination.clearances.all(),
        "clearance_form": ClearanceForm(kinds=nomination.campaign.clearance_types),
        "needs_clearances": bool(nomination.person and nomination.person.is_enterprise_head),
        "attachments": nomination.attachments.all(),
        "attachment_form": AttachmentForm(),
        "objections": visible_objections(request.user).filter(nomination=nomination),
        "committee": [(m, ballots.get(m.pk, "")) for m in committee],
        "choices": VoteChoice.choices,
        "tally": actions.tally(nomination),
        "history": audit_history(nomination),
        "step": {},
    }
    context.update(extra)
    return context


def audit_history(nomination: Any) -> Any:
    return (
        AuditEvent.objects.filter(object_type="honours.nomination", object_id=str(nomination.pk))
        .select_related("actor")
        .order_by("id")
    )


def nomination_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    return render(
        request, "honours/nomination_detail.html", _nomination_context(request, nomination)
    )


@require_POST
def nomination_step(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect(nomination)
    step = form.cleaned_data["step"]
    reason = form.cleaned_data["reason"]
    try:
        match step:
            case "submit":
                actions.submit_nomination(by=request.user, nomination=nomination)
            case "approve":
                actions.approve_nomination(
                    by=request.user,
                    nomination=nomination,
                    justification=form.cleaned_data["justification"],
                )
            case "return":
                actions.return_nomination(by=request.user, nomination=nomination, reason=reason)
            case "reject":
                actions.reject_nomination(by=request.user, nomination=nomination, reason=reason)
            case "withdraw":
                actions.withdraw_nomination(by=request.user, nomination=nomination, reason=reason)
    except ValidationError as error:
        # the page again, with what was typed, and why it was refused
        nomination.refresh_from_db()
        context = _nomination_context(
            request, nomination, step_error=" ".join(error.messages), step=form.cleaned_data
        )
        return render(request, "honours/nomination_detail.html", context, status=400)
    nomination.refresh_from_db()
    messages.success(
        request,
        _("Done: the nomination is now “%(state)s”.") % {"state": nomination.get_status_display()},
    )
    return redirect(nomination)


@require_POST
def clearance_record(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, action="edit")
    form = ClearanceForm(request.POST, kinds=nomination.campaign.clearance_types)
    if form.is_valid():
        try:
            actions.record_clearance(by=request.user, nomination=nomination, **form.cleaned_data)
            messages.success(request, _("Clearance recorded."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(nomination)


@require_POST
def attachment_add(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, action="edit")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(
                by=request.user,
                nomination=nomination,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Attachment added."))
    else:
        messages.error(request, _("Give the attachment a title and choose a file."))
    return redirect(nomination)


def attachment_download(request: AuthedRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    attachment = get_attachment_for_user(request.user, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.file.name.rsplit("/", 1)[-1],
    )


@require_POST
def votes_record(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    choices = {
        member.pk: request.POST[f"member-{member.pk}"]
        for member in nomination.campaign.committee.all()
        if request.POST.get(f"member-{member.pk}") in VoteChoice.values
    }
    try:
        actions.record_votes(by=request.user, nomination=nomination, choices=choices)
        if "close" in request.POST:
            actions.close_vote(by=request.user, nomination=nomination)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionError:  # pragma: no cover - PermissionDenied is answered by Django
        raise
    else:
        nomination.refresh_from_db()
        messages.success(
            request, _("Ballots recorded: %(state)s.") % {"state": nomination.get_status_display()}
        )
    return redirect(nomination)


def objection_list(request: AuthedRequest) -> HttpResponse:
    objections = visible_objections(request.user).select_related(
        "nomination__person", "nomination__campaign", "assigned_to"
    )
    return render(request, "honours/objection_list.html", {"objections": objections})


def objection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    objection = get_objection_for_user(request.user, pk)
    can_conclude = can_conclude_objection(request.user, objection)
    form = ConclusionForm(request.POST or None)
    if request.method == "POST":
        objection = get_objection_for_user(request.user, pk, action="conclude")
        if form.is_valid():
            try:
                actions.conclude_objection(
                    by=request.user, objection=objection, **form.cleaned_data
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Objection concluded."))
                return redirect(objection)
    context = {"objection": objection, "form": form, "can_conclude": can_conclude}
    return render(request, "honours/objection_detail.html", context)


@require_POST
def objection_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reporter's name and contact, for the investigating officers only; audited."""
    objection = get_objection_for_user(request.user, pk, action="conclude")
    reporter = (
        decrypt(objection.reporter_sealed, field="objection_reporter")
        if objection.reporter_sealed
        else ""
    )
    contact = decrypt(objection.contact_sealed, field="objection_contact")
    audit.record(action="objection.reveal", by=request.user, obj=objection)
    return render(
        request,
        "honours/objection_detail.html#reporter",
        {"reporter": reporter or _("(anonymous)"), "contact": contact},
    )
