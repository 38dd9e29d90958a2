"""Campaign pages: set-up, proportion rules, quotas, the compliance panel, notice, committee, certificates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.core import audit
from gonghui.core.bounds import ID, whole_number
from gonghui.core.forms import add_validation_errors
from gonghui.honours import actions, lists
from gonghui.honours.forms import (
    CalendarDayForm,
    CampaignForm,
    CommitteeForm,
    HonourKindForm,
    NoticeForm,
    QuotaForm,
    RuleForm,
)
from gonghui.honours.models import (
    BatchState,
    CalendarDay,
    HonourKind,
    NominationStatus,
    ProportionRule,
    QuotaAllocation,
)
from gonghui.honours.permissions import (
    allocating_orgs,
    campaign_organisers,
    can_manage_campaign,
    get_campaign_for_user,
    get_campaign_organisers_for_user,
    get_certificate_batch_for_user,
    get_kept_federation_for_user,
    kept_federation,
    nominating_orgs,
    officer_org_ids,
    visible_campaigns,
    visible_nominations,
)
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import can


def campaign_list(request: AuthedRequest) -> HttpResponse:
    campaigns = visible_campaigns(request.user)
    context = {
        "campaigns": campaigns,
        "can_create": campaign_organisers(request.user).exists(),
        "awaiting": visible_nominations(request.user)
        .filter(status=NominationStatus.SUBMITTED, reviewer__in=officer_org_ids(request.user))
        .select_related("campaign", "person", "organisation")[:50],
    }
    return render(request, "honours/campaign_list.html", context)


def campaign_create(request: AuthedRequest) -> HttpResponse:
    organisers = get_campaign_organisers_for_user(request.user)
    form = CampaignForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.create_campaign(
                by=request.user,
                organiser=data["organiser"],
                settings=actions.CampaignSettings(
                    kind=data["kind"],
                    year=data["year"],
                    name=data["name"],
                    total_quota=data["total_quota"],
                    review_levels=tuple(data["review_levels"]),
                    notice_days=data["notice_days"],
                    pass_numerator=data["pass_numerator"],
                    pass_denominator=data["pass_denominator"],
                    clearance_types=form.clearances(),
                    notice_contact_phone=data["notice_contact_phone"],
                    notice_contact_address=data["notice_contact_address"],
                ),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Campaign created."))
            return redirect(campaign)
    return render(request, "honours/campaign_form.html", {"form": form})


def campaign_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    initial = {
        "kind": campaign.kind,
        "organiser": campaign.organiser,
        "year": campaign.year,
        "name": campaign.name,
        "total_quota": campaign.total_quota,
        "review_levels": campaign.review_levels,
        "notice_days": campaign.notice_days,
        "pass_numerator": campaign.pass_numerator,
        "pass_denominator": campaign.pass_denominator,
        "clearance_types": "、".join(campaign.clearance_types),
        "notice_contact_phone": campaign.notice_contact_phone,
        "notice_contact_address": campaign.notice_contact_address,
    }
    organisers = Organisation.objects.filter(pk=campaign.organiser_id)
    form = CampaignForm(request.POST or None, organisers=organisers, initial=initial)
    for fixed in ("kind", "organiser", "year"):
        form.fields[fixed].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_campaign(
                by=request.user,
                campaign=campaign,
                settings=actions.CampaignSettings(
                    kind=campaign.kind,
                    year=campaign.year,
                    name=data["name"],
                    total_quota=data["total_quota"],
                    review_levels=tuple(data["review_levels"]),
                    notice_days=data["notice_days"],
                    pass_numerator=data["pass_numerator"],
                    pass_denominator=data["pass_denominator"],
                    clearance_types=form.clearances(),
                    notice_contact_phone=data["notice_contact_phone"],
                    notice_contact_address=data["notice_contact_address"],
                ),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect(campaign)
    return render(request, "honours/campaign_form.html", {"form": form, "campaign": campaign})


def _panels(request: AuthedRequest, campaign: Any) -> list[lists.LevelPanel]:
    """The compliance panel for every reviewing union the user sees in this campaign."""
    reviewing = Organisation.objects.filter(
        pk__in={
            pk
            for chain in visible_nominations(request.user)
            .in_campaign(campaign)
            .values_list("review_chain", flat=True)
            for pk in chain
        }
    )
    orgs = [o for o in reviewing if can(request.user, o, "view")]
    return [lists.panel(campaign, org) for org in orgs]


def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    status = request.GET.get("status", "")
    nominations = (
        visible_nominations(request.user)
        .in_campaign(campaign)
        .select_related("person", "organisation", "reviewer")
    )
    if status in NominationStatus.values:
        nominations = nominations.filter(status=status)
    manage = can_manage_campaign(request.user, campaign)
    context = {
        "campaign": campaign,
        "nominations": nominations,
        "status": status,
        "statuses": NominationStatus.choices,
        "rules": campaign.rules.all(),
        "allocations": QuotaAllocation.objects.filter(campaign=campaign).select_related(
            "organisation"
        ),
        "panels": _panels(request, campaign),
        "can_manage": manage,
        # what the organiser cannot do now, and why: said instead of offering the button
        "notice_refused": actions.notice_refusal(campaign) if manage else None,
        "vote_refused": actions.vote_refusal(campaign, by=request.user) if manage else None,
        "can_nominate": nominating_orgs(request.user, campaign).exists(),
        "can_allocate": allocating_orgs(request.user, campaign).exists(),
        "rule_form": RuleForm(),
        "notice_form": NoticeForm(initial={"starts_on": timezone.localdate()}),
        "committee_form": CommitteeForm(),
        "committee": campaign.committee.all(),
        "today": timezone.localdate(),
    }
    if request.htmx and request.GET.get("panel"):
        return render(request, "honours/campaign_detail.html#panel", context)
    return render(request, "honours/campaign_detail.html", context)


def _back(
    request: AuthedRequest, campaign: Any, error: ValidationError | None = None
) -> HttpResponse:
    if error is not None:
        messages.error(request, " ".join(error.messages))
    return redirect(campaign)


@require_POST
def rule_add(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _back(request, campaign, ValidationError(_("Check the rule: every part is needed.")))
    try:
        actions.add_rule(by=request.user, campaign=campaign, **form.cleaned_data)
    except ValidationError as error:
        return _back(request, campaign, error)
    messages.success(request, _("Rule added."))
    return _back(request, campaign)


@require_POST
def rule_remove(request: AuthedRequest, pk: int, rule_pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    rule = ProportionRule.objects.filter(campaign=campaign, pk=rule_pk).first()
    if rule is not None:
        actions.remove_rule(by=request.user, rule=rule)
        messages.success(request, _("Rule removed."))
    return _back(request, campaign)


def quotas(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    parents = allocating_orgs(request.user, campaign)
    children = Organisation.objects.filter(parent__in=parents).order_by("path")
    form = QuotaForm(request.POST or None, organisations=children)
    if request.method == "POST":
        if "formula" in request.POST:
            parent = parents.filter(pk=whole_number(request.POST.get("parent"), ID) or 0).first()
            if parent is None:
                messages.error(request, _("Choose an organisation whose quota to share."))
            else:
                try:
                    actions.allocate_by_members(by=request.user, campaign=campaign, parent=parent)
                    messages.success(request, _("Quota shared by member counts."))
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
            return redirect("honours:quotas", pk=campaign.pk)
        if form.is_valid():
            try:
                actions.allocate_quota(
                    by=request.user,
                    campaign=campaign,
                    organisation=form.cleaned_data["organisation"],
                    quota=form.cleaned_data["quota"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Quota saved."))
                return redirect("honours:quotas", pk=campaign.pk)
    allocations = QuotaAllocation.objects.filter(campaign=campaign).select_related("organisation")
    visible = [
        a
        for a in allocations
        if can(request.user, a.organisation, "view")
        or any(a.organisation.path.startswith(p.path) for p in parents)
    ]
    context = {
        "campaign": campaign,
        "form": form,
        "allocations": visible,
        "parents": [p for p in parents if lists.quota_of(campaign, p) is not None],
    }
    return render(request, "honours/quotas.html", context)


@require_POST
def notice_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    form = NoticeForm(request.POST)
    if not form.is_valid():
        return _back(request, campaign, ValidationError(_("Choose the day the notice starts.")))
    try:
        campaign = actions.publish_notice(
            by=request.user, campaign=campaign, starts_on=form.cleaned_data["starts_on"]
        )
    except ValidationError as error:
        return _back(request, campaign, error)
    messages.success(
        request,
        _("The public notice runs from %(start)s to %(end)s.")
        % {"start": campaign.notice_starts, "end": campaign.notice_ends},
    )
    return _back(request, campaign)


@require_POST
def vote_start(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    try:
        moved = actions.start_vote(by=request.user, campaign=campaign)
    except ValidationError as error:
        return _back(request, campaign, error)
    messages.success(request, _("%(n)s nominees are before the committee.") % {"n": len(moved)})
    return _back(request, campaign)


@require_POST
def committee_set(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    form = CommitteeForm(request.POST)
    if form.is_valid():
        try:
            actions.set_committee(
                by=request.user, campaign=campaign, names=form.cleaned_data["names"].splitlines()
            )
            messages.success(request, _("Committee saved."))
        except ValidationError as error:
            return _back(request, campaign, error)
    return _back(request, campaign)


@require_POST
def certificates_request(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    try:
        batch = actions.request_certificates(by=request.user, campaign=campaign)
    except ValidationError as error:
        return _back(request, campaign, error)
    return redirect(batch)


def certificates_batch(request: AuthedRequest, pk: int) -> HttpResponseBase:
    batch = get_certificate_batch_for_user(request.user, pk)
    if request.GET.get("download") and batch.state == BatchState.DONE:
        audit.record(action="certificate.download", by=request.user, obj=batch)
        return FileResponse(
            batch.file.open("rb"),
            as_attachment=True,
            filename=f"荣誉证书-{batch.campaign.year}-{batch.pk}.pdf",
        )
    template = "honours/certificates.html#progress" if request.htmx else "honours/certificates.html"
    return render(request, template, {"batch": batch})


def settings_page(request: AuthedRequest) -> HttpResponse:
    """Honour kinds and the holiday calendar: the regional federation keeps both."""
    federation = kept_federation(request.user)  # the page shows the settings to everyone
    kind_form = HonourKindForm(request.POST if "kind" in request.POST else None, prefix="kind")
    day_form = CalendarDayForm(request.POST if "day" in request.POST else None, prefix="day")
    if request.method == "POST":
        federation = get_kept_federation_for_user(request.user, object_type="honours.honourkind")
        try:
            if "kind" in request.POST and kind_form.is_valid():
                actions.create_honour_kind(
                    by=request.user, federation=federation, **kind_form.cleaned_data
                )
                messages.success(request, _("Honour added."))
                return redirect("honours:settings")
            if "day" in request.POST and day_form.is_valid():
                actions.set_calendar_day(
                    by=request.user, federation=federation, **day_form.cleaned_data
                )
                messages.success(request, _("Calendar day recorded."))
                return redirect("honours:settings")
            if "remove" in request.POST:
                day = parse_date(request.POST.get("remove", ""))
                if day is not None:
                    actions.remove_calendar_day(by=request.user, federation=federation, day=day)
                return redirect("honours:settings")
        except ValidationError as error:
            add_validation_errors(kind_form if "kind" in request.POST else day_form, error)
    context = {
        "kinds": HonourKind.objects.all(),
        "days": CalendarDay.objects.filter(date__gte=timezone.localdate().replace(month=1, day=1)),
        "kind_form": kind_form,
        "day_form": day_form,
        "can_edit": federation is not None,
    }
    return render(request, "honours/settings.html", context)
