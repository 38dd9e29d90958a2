"""Pages anyone may read without signing in: the public notice with its objection form, and
the hall of honour. They show name, unit, honour and achievements only, and only for people
whose consent to publication is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gonghui.core.forms import add_validation_errors
from gonghui.core.middleware import client_ip
from gonghui.core.models import AuditEvent
from gonghui.core.tables import query_without, quick_page
from gonghui.honours import actions
from gonghui.honours.forms import ObjectionForm
from gonghui.honours.models import Campaign, Honouree, HonourLevel, Nomination, NominationStatus
from gonghui.honours.register import RegisterQuery, register
from gonghui.orgs.models import Organisation, OrgType

IN_NOTICE = [NominationStatus.IN_NOTICE, NominationStatus.OBJECTION]
# How long an approved list stays on the notice page (the hall of honour keeps it for good)
RESULTS_SHOWN_FOR = timedelta(days=90)
# Reports accepted from one address in an hour: enough for an office, not for a script.
OBJECTIONS_PER_HOUR = 5
TOO_MANY_OBJECTIONS = gettext_lazy(
    "Too many reports have come from this address in the last hour. Please try again "
    "later, or send your report by letter to the organising federation."
)


def too_many_objections_from(request: HttpRequest) -> bool:
    """Whether this address has filed its hour's worth of objections (page and API alike)."""
    ip = client_ip(request)
    if ip is None:
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = AuditEvent.objects.filter(action="objection.file", ip=ip, at__gte=since)
    return recent.count() >= OBJECTIONS_PER_HOUR


def _published_nominees(campaign: Campaign) -> Any:
    return (
        Nomination.objects.in_campaign(campaign)
        .publishable()
        .filter(status__in=IN_NOTICE)
        .select_related("person", "campaign__kind")
        .order_by("organisation__path", "pk")
    )


@login_not_required
def notices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    campaigns = Campaign.objects.in_notice(today).select_related("kind", "organiser")
    listing = [(c, _published_nominees(c)) for c in campaigns]
    decided = Campaign.objects.with_results_since(
        timezone.now() - RESULTS_SHOWN_FOR
    ).select_related("kind", "organiser")
    results = [
        (
            c,
            Honouree.objects.publishable()
            .filter(campaign=c)
            .order_by("organisation__path", "name"),
        )
        for c in decided
    ]
    context = {"listing": listing, "results": results, "today": today}
    return render(request, "honours/public_notices.html", context)


def nomination_open_to_objection(pk: int) -> Nomination:
    """A nominee shown on an open public notice, or 404: nobody else can be objected to."""
    nomination = (
        Nomination.objects.publishable()
        .filter(pk=pk, status__in=IN_NOTICE)
        .select_related("campaign__kind", "person")
        .first()
    )
    if nomination is None or not nomination.campaign.is_notice_open(timezone.localdate()):
        raise Http404
    return nomination


@login_not_required
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = nomination_open_to_objection(pk)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and too_many_objections_from(request):
        form.add_error(
            None,
            TOO_MANY_OBJECTIONS,
        )
    elif request.method == "POST" and form.is_valid():
        try:
            actions.file_objection(nomination=nomination, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return render(
                request, "honours/public_objection.html", {"nomination": nomination, "filed": True}
            )
    return render(
        request, "honours/public_objection.html", {"nomination": nomination, "form": form}
    )


@login_not_required
def hall(request: HttpRequest) -> HttpResponse:
    query = RegisterQuery.from_params(request.GET)
    if query.status:  # the public sees the honours held, whatever the filter says
        query = RegisterQuery(**{**query.__dict__, "status": ""})
    page = quick_page(request, register(Honouree.objects.publishable(), query), per_page=24)
    prefectures = Organisation.objects.filter(
        type=OrgType.PREFECTURE, pk__in=Honouree.objects.publishable().values("prefecture")
    )
    years = (
        Honouree.objects.publishable().order_by("-year").values_list("year", flat=True).distinct()
    )
    context = {
        "page": page,
        "query": query,
        "levels": HonourLevel.choices,
        "prefectures": prefectures,
        "years": list(years),
        "querystring": query_without(request, "page"),
    }
    return render(request, "honours/public_hall.html", context)


@login_not_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    honouree = Honouree.objects.publishable().filter(pk=pk).exclude(photo="").first()
    if honouree is None:
        raise Http404
    return FileResponse(honouree.photo.open("rb"))
