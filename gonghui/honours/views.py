"""Officer pages for honours: campaigns, quotas and rules, nominations and their review,
objections, the vote, the register, benefits and sanatorium sessions."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.models import Role
from gonghui.core import audit
from gonghui.core.crypto import decrypt
from gonghui.core.forms import add_validation_errors
from gonghui.core.pdf import FontMissing
from gonghui.core.tables import query_without, quick_page
from gonghui.core.tabular import UnreadableFile, open_table
from gonghui.core.types import AuthedRequest
from gonghui.honours import actions, lists
from gonghui.honours.certificates import certificate_pdf
from gonghui.honours.forms import (
    AllowanceForm,
    AttachmentForm,
    BenefitForm,
    CampaignForm,
    ClearanceForm,
    CommitteeForm,
    ConclusionForm,
    HonoureeForm,
    HonoureeStatusForm,
    ImportForm,
    NominationEditForm,
    NominationForm,
    NoticeForm,
    QuotaForm,
    RateForm,
    RuleForm,
    SessionForm,
    StepForm,
)
from gonghui.honours.importer import HONOUREE_SPEC, apply_honouree_import, plan_honouree_import
from gonghui.honours.models import (
    Attachment,
    BatchState,
    CertificateBatch,
    HonourLevel,
    NominationStatus,
    ProportionRule,
    QuotaAllocation,
    VoteChoice,
)
from gonghui.honours.permissions import (
    can_manage_campaign,
    get_campaign_for_user,
    get_honouree_for_user,
    get_nomination_for_user,
    get_objection_for_user,
    get_session_for_user,
    is_officer_of,
    nominating_orgs,
    nomination_roles,
    visible_campaigns,
    visible_honourees,
    visible_nominations,
    visible_objections,
    visible_sessions,
)
from gonghui.honours.register import RegisterQuery, benefit_totals, register
from gonghui.honours.workflow import NOMINATION_FLOW
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.permissions import can, deny, orgs_for_action
from gonghui.people.actions import identity_digest
from gonghui.people.identity import parse_identity
from gonghui.people.permissions import visible_people


def _organisers(user: Any) -> Any:
    return orgs_for_action(user, "edit").filter(
        type__in=[OrgType.FEDERATION, OrgType.PREFECTURE, OrgType.COUNTY, OrgType.INDUSTRY]
    )


# Campaigns -------------------------------------------------------------------------------


def campaign_list(request: AuthedRequest) -> HttpResponse:
    campaigns = visible_campaigns(request.user)
    context = {
        "campaigns": campaigns,
        "can_create": _organisers(request.user).exists(),
        "awaiting": visible_nominations(request.user)
        .filter(status=NominationStatus.SUBMITTED, reviewer__in=_direct_orgs(request.user))
        .select_related("campaign", "person", "organisation")[:50],
    }
    return render(request, "honours/campaign_list.html", context)


def _direct_orgs(user: Any) -> list[int]:
    from gonghui.orgs.permissions import assignments

    return [a.organisation_id for a in assignments(user) if a.role == Role.OFFICER]


def campaign_create(request: AuthedRequest) -> HttpResponse:
    organisers = _organisers(request.user)
    if not organisers.exists():
        deny(
            request.user,
            action="edit",
            object_type="honours.campaign",
            object_id="",
            not_found=False,
        )
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
                ),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Campaign created."))
            return redirect(campaign)
    return render(request, "honours/campaign_form.html", {"form": form})


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
        "can_nominate": nominating_orgs(request.user, campaign).exists(),
        "can_allocate": orgs_for_action(request.user, "edit")
        .filter(path__startswith=campaign.organiser.path)
        .exists(),
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
    parents = orgs_for_action(request.user, "edit").filter(path__startswith=campaign.organiser.path)
    children = Organisation.objects.filter(parent__in=parents).order_by("path")
    form = QuotaForm(request.POST or None, organisations=children)
    if request.method == "POST":
        if "formula" in request.POST:
            parent = parents.filter(pk=request.POST.get("parent") or 0).first()
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


# Nominations ----------------------------------------------------------------------------


def _find_member(request: AuthedRequest, number: str) -> Any:
    try:
        identity = parse_identity(number)
    except ValidationError as error:
        raise ValidationError({"identity_number": error.messages}) from error
    person = (
        visible_people(request.user).filter(identity_hash=identity_digest(identity.number)).first()
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
    )


def nomination_create(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    orgs = nominating_orgs(request.user, campaign)
    if not orgs.exists():
        deny(
            request.user,
            action="nominate",
            object_type="honours.campaign",
            object_id=str(pk),
            not_found=False,
        )
    collective = campaign.kind.is_collective
    form = NominationForm(request.POST or None, organisations=orgs, collective=collective)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = None if collective else _find_member(request, data["identity_number"])
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
    return render(request, "honours/nomination_form.html", {"form": form, "campaign": campaign})


def nomination_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk, action="edit")
    initial = {
        "unit_name": nomination.unit_name,
        "trade": nomination.trade,
        "achievements": nomination.achievements,
        "summary": nomination.summary,
        "democratic_record": nomination.democratic_record,
        "publication_consent": nomination.publication_consent,
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
    from gonghui.core.models import AuditEvent

    return AuditEvent.objects.filter(
        object_type="honours.nomination", object_id=str(nomination.pk)
    ).order_by("id")


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
    from django.http import FileResponse

    nomination = get_nomination_for_user(request.user, pk)
    attachment = Attachment.objects.filter(nomination=nomination, pk=attachment_pk).first()
    if attachment is None:
        deny(
            request.user,
            action="view",
            object_type="honours.attachment",
            object_id=str(attachment_pk),
            not_found=True,
        )
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


# Objections ------------------------------------------------------------------------------


def objection_list(request: AuthedRequest) -> HttpResponse:
    objections = visible_objections(request.user).select_related(
        "nomination__person", "nomination__campaign", "assigned_to"
    )
    return render(request, "honours/objection_list.html", {"objections": objections})


def objection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    objection = get_objection_for_user(request.user, pk)
    can_conclude = can(request.user, objection.assigned_to, "edit") or is_officer_of(
        request.user, objection.nomination.campaign.organiser
    )
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


# The register ----------------------------------------------------------------------------


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
    from gonghui.honours.register import export_register

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
            }
        ),
        "entries": entries,
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


def benefits(request: AuthedRequest) -> HttpResponseBase:
    from gonghui.honours.models import BenefitEntry

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
    from gonghui.honours.models import AllowanceRate

    totals = benefit_totals(entries, by=grouping)
    context = {
        "totals": totals,
        "grouping": grouping,
        "allowance_form": allowance_form,
        "rate_form": rate_form,
        "rates": AllowanceRate.objects.all(),
        "can_pay": payers.exists(),
        "can_set_rates": payers.filter(parent__isnull=True).exists(),
    }
    if request.GET.get("export") in {"csv", "xlsx"}:
        from gonghui.honours.register import export_totals

        return export_totals(request.user, totals, grouping, request.GET["export"])
    return render(request, "honours/benefits.html", context)


@require_POST
def rate_set(request: AuthedRequest) -> HttpResponse:
    federation = orgs_for_action(request.user, "edit").filter(parent__isnull=True).first()
    if federation is None:
        deny(
            request.user,
            action="edit",
            object_type="honours.allowancerate",
            object_id="",
            not_found=False,
        )
    form = RateForm(request.POST)
    if form.is_valid():
        actions.set_allowance_rate(by=request.user, organisation=federation, **form.cleaned_data)
        messages.success(request, _("Allowance rate saved."))
    return redirect("honours:benefits")


# Sanatorium ------------------------------------------------------------------------------


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
    from django.db.models import Count

    sessions = visible_sessions(request.user).annotate(booked=Count("bookings"))
    context = {"sessions": sessions, "form": form, "can_create": organisers.exists()}
    return render(request, "honours/session_list.html", context)


def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    booked = session.bookings.select_related("honouree__kind", "honouree__organisation")
    booked_ids = {b.honouree_id for b in booked}
    mine = visible_honourees(request.user).filter(
        organisation__in=orgs_for_action(request.user, "edit")
    )
    candidates = [
        h for h in lists.sanatorium_priority(mine, session.starts_on) if h.pk not in booked_ids
    ]
    context = {
        "session": session,
        "bookings": booked,
        "left": session.places - len(booked),
        "candidates": candidates[:100],
    }
    return render(request, "honours/session_detail.html", context)


@require_POST
def session_book(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    honouree = get_honouree_for_user(
        request.user, int(request.POST.get("honouree") or 0), action="edit"
    )
    try:
        actions.book_stay(by=request.user, session=session, honouree=honouree)
        messages.success(request, _("%(name)s is booked.") % {"name": honouree.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(session)


def honouree_import(request: AuthedRequest) -> HttpResponse:
    """Past honourees from a spreadsheet, into unions the officer may edit; all or nothing."""
    allowed = orgs_for_action(request.user, "edit")
    if not allowed.exists():
        deny(
            request.user,
            action="import",
            object_type="honours.honouree",
            object_id="",
            not_found=False,
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "headers": HONOUREE_SPEC.headers}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                with open_table(handle.name, spec=HONOUREE_SPEC) as table, transaction.atomic():
                    plan = plan_honouree_import(table, allowed=allowed)
                    if plan.is_clean and not form.cleaned_data["dry_run"]:
                        n = apply_honouree_import(plan=plan, by=request.user, source=upload.name)
                        messages.success(
                            request, _("%(n)s honourees added to the register.") % {"n": n}
                        )
                        return redirect("honours:register")
            except UnreadableFile as error:
                form.add_error("file", error.message)
            else:
                context.update(
                    errors=plan.errors[:500], error_count=len(plan.errors), ready=len(plan.rows)
                )
    return render(request, "honours/honouree_import.html", context)


@require_POST
def certificates_request(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, action="manage")
    try:
        batch = actions.request_certificates(by=request.user, campaign=campaign)
    except ValidationError as error:
        return _back(request, campaign, error)
    return redirect(batch)


def certificates_batch(request: AuthedRequest, pk: int) -> HttpResponseBase:
    batch = (
        CertificateBatch.objects.filter(pk=pk, campaign__in=visible_campaigns(request.user))
        .select_related("campaign")
        .first()
    )
    if batch is None or not can_manage_campaign(request.user, batch.campaign):
        deny(
            request.user,
            action="view",
            object_type="honours.certificatebatch",
            object_id=str(pk),
            not_found=True,
        )
    if request.GET.get("download") and batch.state == BatchState.DONE:
        audit.record(action="certificate.download", by=request.user, obj=batch)
        return FileResponse(
            batch.file.open("rb"),
            as_attachment=True,
            filename=f"荣誉证书-{batch.campaign.year}-{batch.pk}.pdf",
        )
    template = "honours/certificates.html#progress" if request.htmx else "honours/certificates.html"
    return render(request, template, {"batch": batch})


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
