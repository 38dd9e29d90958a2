"""The register of honourees: list, export, benefits and allowances, sanatorium sessions, certificates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.bounds import ID, whole_number
from gonghui.core.forms import add_validation_errors
from gonghui.core.pdf import FontMissing
from gonghui.core.tables import query_without, quick_page
from gonghui.honours import actions, lists
from gonghui.honours.certificates import certificate_pdf
from gonghui.honours.forms import (
    AllowanceForm,
    BenefitForm,
    HonoureeForm,
    HonoureeStatusForm,
    PhotoForm,
    RateForm,
    SessionForm,
)
from gonghui.honours.models import (
    AllowanceRate,
    BenefitEntry,
    HonourLevel,
)
from gonghui.honours.permissions import (
    get_honouree_for_user,
    get_honouree_photo_for_user,
    get_kept_federation_for_user,
    get_session_for_user,
    kept_federation,
    visible_bookings,
    visible_honourees,
    visible_sessions,
)
from gonghui.honours.register import (
    RegisterQuery,
    benefit_totals,
    export_register,
    export_totals,
    register,
)
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.permissions import can, orgs_for_action


def _register_query(request: AuthedRequest) -> RegisterQuery:
    return RegisterQuery.from_params(request.GET)


def honouree_list(request: AuthedRequest) -> HttpResponse:
    query = _register_query(request)
    page = quick_page(request, register(visible_honourees(request.user), query))
    context = {
        "page": page,
        "query": query,
        "levels": HonourLevel.choices,
        "querystring": query_without(request, "page"),
        "prefectures": Organisation.objects.filter(type=OrgType.PREFECTURE).filter(
            pk__in=visible_honourees(request.user).values("prefecture")
        ),
    }
    if request.htmx:
        return render(request, "honours/honouree_list.html#results", context)
    return render(request, "honours/honouree_list.html", context)


def honouree_export(request: AuthedRequest, format: str) -> HttpResponseBase:
    return export_register(
        request.user, register(visible_honourees(request.user), _register_query(request)), format
    )


def honouree_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    honouree = get_honouree_for_user(request.user, pk)
    can_edit = can(request.user, honouree.organisation, "edit")
    benefit_form = BenefitForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST":
        honouree = get_honouree_for_user(request.user, pk, action="edit")
        if benefit_form.is_valid():
            try:
                actions.record_benefit(
                    by=request.user, honouree=honouree, **benefit_form.cleaned_data
                )
            except ValidationError as error:
                add_validation_errors(benefit_form, error)
            else:
                messages.success(request, _("Recorded in the ledger."))
                return redirect(honouree)
    entries = honouree.benefits.all()
    context = {
        "honouree": honouree,
        "can_edit": can_edit,
        "benefit_form": benefit_form,
        "status_form": HonoureeStatusForm(initial={"status": honouree.status}),
        "honouree_form": HonoureeForm(
            initial={
                "story": honouree.story,
                "publication_consent": honouree.publication_consent,
                "receives_allowance": honouree.receives_allowance,
                "retired_on": honouree.retired_on,
                "is_in_hardship": honouree.is_in_hardship,
            }
        ),
        "entries": entries,
        "photo_form": PhotoForm(),
        "totals": benefit_totals(entries, by="year"),
        "bookings": honouree.bookings.select_related("session"),
    }
    return render(request, "honours/honouree_detail.html", context)


@require_POST
def honouree_status(request: AuthedRequest, pk: int) -> HttpResponse:
    honouree = get_honouree_for_user(request.user, pk, action="edit")
    form = HonoureeStatusForm(request.POST)
    if form.is_valid():
        try:
            actions.set_honouree_status(by=request.user, honouree=honouree, **form.cleaned_data)
            messages.success(request, _("Status saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(honouree)


@require_POST
def honouree_update(request: AuthedRequest, pk: int) -> HttpResponse:
    honouree = get_honouree_for_user(request.user, pk, action="edit")
    form = HonoureeForm(request.POST)
    if form.is_valid():
        actions.update_honouree(by=request.user, honouree=honouree, **form.cleaned_data)
        messages.success(request, _("Saved."))
    return redirect(honouree)


@require_POST
def honouree_photo(request: AuthedRequest, pk: int) -> HttpResponse:
    honouree = get_honouree_for_user(request.user, pk, action="edit")
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
        return redirect(honouree)
    try:
        actions.set_honouree_photo(
            by=request.user, honouree=honouree, upload=form.cleaned_data["photo"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Portrait saved."))
    return redirect(honouree)


def honouree_photo_file(request: AuthedRequest, pk: int) -> HttpResponseBase:
    honouree = get_honouree_photo_for_user(request.user, pk)
    return FileResponse(honouree.photo.open("rb"))


def benefits(request: AuthedRequest) -> HttpResponseBase:
    entries = BenefitEntry.objects.filter(honouree__in=visible_honourees(request.user))
    grouping = request.GET.get("by", "year")
    if grouping not in {"year", "organisation", "person"}:
        grouping = "year"
    payers = orgs_for_action(request.user, "edit")
    allowance_form = AllowanceForm(request.POST or None, organisations=payers)
    rate_form = RateForm()
    if request.method == "POST" and allowance_form.is_valid():
        try:
            n = actions.pay_allowances(
                by=request.user,
                organisation=allowance_form.cleaned_data["organisation"],
                period=allowance_form.cleaned_data["period"],
            )
        except ValidationError as error:
            add_validation_errors(allowance_form, error)
        else:
            messages.success(request, _("%(n)s monthly allowances recorded.") % {"n": n})
            return redirect("honours:benefits")
    totals = benefit_totals(entries, by=grouping)
    context = {
        "totals": totals,
        "grouping": grouping,
        "allowance_form": allowance_form,
        "rate_form": rate_form,
        "rates": AllowanceRate.objects.all(),
        "can_pay": payers.exists(),
        "can_set_rates": kept_federation(request.user) is not None,
    }
    if request.GET.get("export") in {"csv", "xlsx"}:
        return export_totals(request.user, totals, grouping, request.GET["export"])
    return render(request, "honours/benefits.html", context)


@require_POST
def rate_set(request: AuthedRequest) -> HttpResponse:
    federation = get_kept_federation_for_user(request.user, object_type="honours.allowancerate")
    form = RateForm(request.POST)
    if form.is_valid():
        actions.set_allowance_rate(by=request.user, organisation=federation, **form.cleaned_data)
        messages.success(request, _("Allowance rate saved."))
    return redirect("honours:benefits")


def session_list(request: AuthedRequest) -> HttpResponse:
    organisers = orgs_for_action(request.user, "edit")
    form = SessionForm(request.POST or None, organisations=organisers)
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.create_session(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Session created."))
            return redirect(session)
    sessions = visible_sessions(request.user).annotate(booked=Count("bookings"))
    context = {"sessions": sessions, "form": form, "can_create": organisers.exists()}
    return render(request, "honours/session_list.html", context)


def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    booked = visible_bookings(request.user, session).select_related(
        "honouree__kind", "honouree__organisation"
    )
    booked_ids = set(session.bookings.values_list("honouree_id", flat=True))
    mine = visible_honourees(request.user).filter(
        organisation__in=orgs_for_action(request.user, "edit")
    )
    candidates = [
        h for h in lists.sanatorium_priority(mine, session.starts_on) if h.pk not in booked_ids
    ]
    context = {
        "session": session,
        "bookings": booked,
        "left": session.places - len(booked_ids),
        "candidates": candidates[:100],
    }
    return render(request, "honours/session_detail.html", context)


@require_POST
def session_book(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    honouree = get_honouree_for_user(
        request.user, whole_number(request.POST.get("honouree"), ID) or 0, action="edit"
    )
    try:
        actions.book_stay(by=request.user, session=session, honouree=honouree)
        messages.success(request, _("%(name)s is booked.") % {"name": honouree.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(session)


def certificate_one(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """One honouree's certificate, drawn on request (audited)."""
    honouree = get_honouree_for_user(request.user, pk, action="edit")
    try:
        pdf = certificate_pdf([honouree])
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect(honouree)
    audit.record(action="certificate.print", by=request.user, obj=honouree)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"荣誉证书-{honouree.name}.pdf") or "attachment"
    )
    return response
