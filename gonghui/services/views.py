"""Hardship file pages: the list, a file (household, tier, history, ledger), its forms and steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.core.bounds import ID, whole_number
from gonghui.core.forms import add_validation_errors
from gonghui.core.models import AuditEvent
from gonghui.core.tables import paginate, query_without
from gonghui.people.models import MembershipStatus
from gonghui.people.permissions import visible_people
from gonghui.services import actions
from gonghui.services.eligibility import assess
from gonghui.services.forms import AssistanceForm, FileForm, MemberForm, StepForm, VisitForm
from gonghui.services.models import (
    CloseReason,
    FileStatus,
    HardshipFile,
    Tier,
)
from gonghui.services.permissions import (
    file_roles,
    filtered_files,
    find_member,
    get_file_for_user,
    get_keeping_unions_for_user,
    keeping_unions,
)
from gonghui.services.workflow import HARDSHIP_FLOW


def file_list(request: AuthedRequest) -> HttpResponse:
    files = filtered_files(request.user, request.GET)
    files = files.select_related("person", "union").order_by("-updated_at", "pk")
    return render(
        request,
        "services/file_list.html",
        {
            "page": paginate(request, files),
            "querystring": query_without(request, "page"),
            "filters": request.GET,
            "tiers": Tier.choices,
            "statuses": FileStatus.choices,
            "can_create": keeping_unions(request.user).exists(),
        },
    )


def _last_line(unions: Any) -> Any:
    """The 低保 line on the union's latest file: the default for its next one."""
    latest = HardshipFile.objects.filter(union__in=unions).order_by("-created_at").first()
    return latest.dibao_line if latest else None


def _members_found(request: AuthedRequest, unions: Any) -> tuple[str, Any]:
    """Current members of the keeping unions whose name holds the search text."""
    query = request.GET.get("q", "").strip()[:64]
    if not query:
        return query, []
    found = (
        visible_people(request.user)
        .filter(
            name__icontains=query,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__union__in=unions,
        )
        .select_related("unit")
        .distinct()[:20]
    )
    return query, found


def file_create(request: AuthedRequest) -> HttpResponse:
    unions = get_keeping_unions_for_user(request.user)
    picked = request.POST.get("person_id") or request.GET.get("person", "")
    chosen = None
    if (person_id := whole_number(picked, ID)) is not None:
        chosen = visible_people(request.user).filter(pk=person_id).first()
    form = FileForm(request.POST or None, unions=unions, initial={"dibao_line": _last_line(unions)})
    if chosen is not None:
        del form.fields["identity_number"]  # the worker is chosen already
    if request.method == "POST" and form.is_valid():
        try:
            person = chosen or find_member(request.user, form.cleaned_data["identity_number"])
            file = actions.open_file(
                by=request.user,
                union=form.cleaned_data["union"],
                person=person,
                details=form.details(),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Hardship file opened as a draft."))
            return redirect(file)
    query, found = _members_found(request, unions)
    context = {"form": form, "file": None, "chosen": chosen, "query": query, "found": found}
    return render(request, "services/file_form.html", context)


def _initial(file: HardshipFile) -> dict[str, Any]:
    finances = file.finances()
    worker = file.members.filter(relation="self").first()
    health = worker.details() if worker else {}
    return {
        **{k: v for k, v in finances.__dict__.items()},
        "dibao_line": file.dibao_line,
        "cause": file.cause,
        "worker_income": health.get("income"),
        "worker_disabled": health.get("disabled"),
        "worker_ill": health.get("ill"),
    }


def file_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    file = get_file_for_user(request.user, pk, action="keep")
    form = FileForm(request.POST or None, initial=_initial(file))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_file(by=request.user, file=file, details=form.details())
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(file)
    return render(request, "services/file_form.html", {"form": form, "file": file})


def _detail_context(request: AuthedRequest, file: HardshipFile) -> dict[str, Any]:
    roles = file_roles(request.user, file)
    available = {t.name for t in HARDSHIP_FLOW.available(file, request.user)}
    finances = file.finances()
    members = [(m, m.details()) for m in file.members.all()]
    return {
        "file": file,
        "roles": roles,
        "finances": finances,
        "assessment": assess(
            finances=finances,
            household_size=file.household_size,
            dibao_line=file.dibao_line,
            cause=file.cause,
        ),
        "members": members,
        "available": available,
        "can_edit": file.is_editable and "keeper" in roles,
        "can_assist": file.status == FileStatus.APPROVED and "keeper" in roles,
        "can_visit": file.is_open and "keeper" in roles,
        "visit_form": VisitForm(),
        "visits": file.visits.select_related("recorded_by"),
        "member_form": MemberForm(),
        "assistance_form": AssistanceForm(),
        "close_reasons": CloseReason.choices,
        "ledger": file.assistance.select_related("recorded_by"),
        "history": AuditEvent.objects.filter(
            object_type="services.hardshipfile", object_id=str(file.pk)
        )
        .select_related("actor")
        .order_by("id"),
    }


def file_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    file = get_file_for_user(request.user, pk)
    return render(request, "services/file_detail.html", _detail_context(request, file))


@require_POST
def file_step(request: AuthedRequest, pk: int) -> HttpResponseBase:
    file = get_file_for_user(request.user, pk, action="act")
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect(file)
    step, reason = form.cleaned_data["step"], form.cleaned_data["reason"]
    try:
        if step == "submit":
            actions.submit_file(by=request.user, file=file)
        elif step == "approve":
            actions.approve_file(by=request.user, file=file, note=reason)
        elif step == "return":
            actions.return_file(by=request.user, file=file, reason=reason)
        else:
            actions.close_file(
                by=request.user, file=file, reason=form.cleaned_data["close_reason"], note=reason
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done."))
    return redirect(file)


def _write_from_form(
    request: AuthedRequest, file: HardshipFile, form: Any, name: str, write: Any
) -> HttpResponse | None:
    """Write a valid form's details to the file with `write(by=, file=, details=)`; the file's
    page again with the form and its errors (400) when refused, None when written."""
    if form.is_valid():
        try:
            write(by=request.user, file=file, details=form.details())
        except ValidationError as error:
            add_validation_errors(form, error)
    if form.errors:
        context = _detail_context(request, file) | {name: form}
        return render(request, "services/file_detail.html", context, status=400)
    return None


@require_POST
def member_add(request: AuthedRequest, pk: int) -> HttpResponseBase:
    file = get_file_for_user(request.user, pk, action="keep")
    refused = _write_from_form(request, file, MemberForm(request.POST), "member_form", _add_member)
    return refused or redirect(file)


def _add_member(*, by: Any, file: HardshipFile, details: Any) -> None:
    actions.add_member(by=by, file=file, member=details)


@require_POST
def member_remove(request: AuthedRequest, pk: int, member: int) -> HttpResponseBase:
    file = get_file_for_user(request.user, pk, action="keep")
    try:
        actions.remove_member(by=request.user, file=file, member_id=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(file)


@require_POST
def assistance_add(request: AuthedRequest, pk: int) -> HttpResponseBase:
    file = get_file_for_user(request.user, pk, action="keep")
    refused = _write_from_form(
        request, file, AssistanceForm(request.POST), "assistance_form", actions.record_assistance
    )
    if refused is not None:
        return refused
    messages.success(request, _("Assistance recorded."))
    return redirect(file)


@require_POST
def visit_add(request: AuthedRequest, pk: int) -> HttpResponseBase:
    file = get_file_for_user(request.user, pk, action="keep")
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            actions.record_visit(by=request.user, file=file, details=form.details())
        except ValidationError as error:
            add_validation_errors(form, error)
    context = _detail_context(request, file) | ({"visit_form": form} if form.errors else {})
    if request.htmx:  # the visits card again: the list, or the form with its errors
        return render(request, "services/file_detail.html#visits", context)
    if form.errors:
        return render(request, "services/file_detail.html", context, status=400)
    messages.success(request, _("Visit recorded."))
    return redirect(file)
