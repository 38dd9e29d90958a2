"""The honours API under /api/v1/honours/: the same actions and scope as the pages, as JSON."""

from dataclasses import replace
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router
from ninja.pagination import paginate

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Id, Pages, answers
from gonghui.honours import actions, lists
from gonghui.honours.api_public import router as public_router
from gonghui.honours.api_settings import router as settings_router
from gonghui.honours.api_uploads import router as uploads_router
from gonghui.honours.models import (
    BenefitEntry,
    CertificateBatch,
    HonourKind,
    QuotaAllocation,
)
from gonghui.honours.permissions import (
    get_campaign_for_user,
    get_honouree_for_user,
    get_kept_federation_for_user,
    get_nomination_for_user,
    get_objection_for_user,
    get_session_for_user,
    visible_campaigns,
    visible_honourees,
    visible_nominations,
    visible_objections,
    visible_sessions,
)
from gonghui.honours.register import RegisterQuery, benefit_totals, register
from gonghui.honours.schemas import (
    AllowancesIn,
    BallotsIn,
    BatchOut,
    BenefitIn,
    BenefitOut,
    BookingIn,
    CampaignIn,
    CampaignOut,
    CampaignSettingsIn,
    ClearanceIn,
    CommitteeIn,
    ConclusionIn,
    HonoureeEditIn,
    HonoureeFilters,
    HonoureeOut,
    KindIn,
    KindOut,
    NominationEditIn,
    NominationFilters,
    NominationIn,
    NominationOut,
    NoticeIn,
    ObjectionOut,
    PanelOut,
    QuotaIn,
    QuotaOut,
    RuleIn,
    RuleOut,
    SessionIn,
    SessionOut,
    StatusIn,
    TotalOut,
    TransitionIn,
)
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import get_org_for_user
from gonghui.people.permissions import get_person_for_user

router = Router(tags=["honours"])
router.add_router("", settings_router)
router.add_router("", uploads_router)
router.add_router("", public_router)


@router.get(
    "/honours/kinds",
    response=answers({200: list[KindOut]}),
    summary="Honours that campaigns can award",
)
def list_kinds(request: AuthedRequest) -> Any:
    return HonourKind.objects.all()


@router.post(
    "/honours/kinds",
    response=answers({201: KindOut}, 400, 403),
    summary="Add an honour that campaigns can award (the regional federation)",
)
def create_kind(request: AuthedRequest, payload: KindIn) -> Any:
    federation = get_kept_federation_for_user(request.user, object_type="honours.honourkind")
    return 201, actions.create_honour_kind(
        by=request.user,
        federation=federation,
        name=payload.name,
        level=payload.level,
        is_collective=payload.is_collective,
    )


def _campaigns(request: AuthedRequest) -> Any:
    return visible_campaigns(request.user).prefetch_related("rules")


@router.get(
    "/honours/campaigns",
    response=answers({200: list[CampaignOut]}),
    summary="Campaigns you can see",
)
@paginate(Pages)
def list_campaigns(request: AuthedRequest) -> Any:
    return _campaigns(request)


@router.get(
    "/honours/campaigns/{campaign_id}",
    response=answers({200: CampaignOut}, 404),
    summary="One campaign",
)
def get_campaign(request: AuthedRequest, campaign_id: Id) -> Any:
    return get_campaign_for_user(request.user, campaign_id)


@router.post(
    "/honours/campaigns",
    response=answers({201: CampaignOut}, 400, 403, 404),
    summary="Open a campaign",
)
def create_campaign(request: AuthedRequest, payload: CampaignIn) -> Any:
    organiser = get_org_for_user(request.user, payload.organiser_code, action="edit")
    kind = HonourKind.objects.filter(pk=payload.kind_id).first()
    if kind is None:
        raise ValidationError({"kind_id": ["unknown honour kind"]})
    campaign = actions.create_campaign(
        by=request.user,
        organiser=organiser,
        settings=actions.CampaignSettings(
            kind=kind,
            year=payload.year,
            name=payload.name,
            total_quota=payload.total_quota,
            review_levels=tuple(payload.review_levels),
            notice_days=payload.notice_days,
            pass_numerator=payload.pass_numerator,
            pass_denominator=payload.pass_denominator,
            clearance_types=tuple(payload.clearance_types),
            notice_contact_phone=payload.notice_contact_phone,
            notice_contact_address=payload.notice_contact_address,
        ),
    )
    return 201, campaign


@router.patch(
    "/honours/campaigns/{campaign_id}",
    response=answers({200: CampaignOut}, 400, 403, 404),
    summary="Change a campaign's figures (only the fields sent), while they still can change",
)
def update_campaign(request: AuthedRequest, campaign_id: Id, payload: CampaignSettingsIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    sent = payload.dict(exclude_unset=True)
    for key in ("review_levels", "clearance_types"):
        if key in sent:
            sent[key] = tuple(sent[key] or ())
    current = actions.CampaignSettings(
        kind=campaign.kind,
        year=campaign.year,
        name=campaign.name,
        total_quota=campaign.total_quota,
        review_levels=tuple(campaign.review_levels),
        notice_days=campaign.notice_days,
        pass_numerator=campaign.pass_numerator,
        pass_denominator=campaign.pass_denominator,
        clearance_types=tuple(campaign.clearance_types),
        notice_contact_phone=campaign.notice_contact_phone,
        notice_contact_address=campaign.notice_contact_address,
    )
    settings = replace(current, **{k: v for k, v in sent.items() if v is not None})
    return actions.update_campaign(by=request.user, campaign=campaign, settings=settings)


@router.post(
    "/honours/campaigns/{campaign_id}/rules",
    response=answers({201: RuleOut}, 400, 403, 404),
    summary="Add a proportion rule",
)
def add_rule(request: AuthedRequest, campaign_id: Id, payload: RuleIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    return 201, actions.add_rule(by=request.user, campaign=campaign, **payload.dict())


@router.get(
    "/honours/campaigns/{campaign_id}/quotas",
    response=answers({200: list[QuotaOut]}, 404),
    summary="Quotas allocated in a campaign",
)
def list_quotas(request: AuthedRequest, campaign_id: Id) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id)
    return QuotaAllocation.objects.filter(campaign=campaign).select_related("organisation")


@router.put(
    "/honours/campaigns/{campaign_id}/quotas",
    response=answers({200: QuotaOut}, 400, 403, 404),
    summary="Give an organisation its quota (out of its parent's)",
)
def set_quota(request: AuthedRequest, campaign_id: Id, payload: QuotaIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id)
    organisation = get_org_for_user(request.user, payload.organisation_code)
    return actions.allocate_quota(
        by=request.user, campaign=campaign, organisation=organisation, quota=payload.quota
    )


@router.get(
    "/honours/campaigns/{campaign_id}/compliance/{organisation_code}",
    response=answers({200: PanelOut}, 404),
    summary="The compliance panel of the list at one reviewing organisation",
)
def compliance(request: AuthedRequest, campaign_id: Id, organisation_code: str) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id)
    organisation: Organisation = get_org_for_user(request.user, organisation_code)
    panel = lists.panel(campaign, organisation)
    return {
        "organisation_code": organisation.code,
        "size": panel.size,
        "sent_up": panel.sent_up,
        "quota": panel.quota,
        "is_compliant": panel.is_compliant,
        "is_justified": panel.is_justified,
        "figures": [
            {
                "rule": str(f.rule),
                "rule_id": f.rule.pk,
                "of_quota": f.rule.is_of_quota,
                "has_quota": f.has_quota,
                "base": f.base,
                "matching": f.matching,
                "percent": f.percent,
                "is_met": f.is_met,
            }
            for f in panel.figures
        ],
    }


@router.post(
    "/honours/campaigns/{campaign_id}/notice",
    response=answers({200: CampaignOut}, 400, 403, 404),
    summary="Publish the shortlist for public notice",
)
def publish_notice(request: AuthedRequest, campaign_id: Id, payload: NoticeIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    return actions.publish_notice(by=request.user, campaign=campaign, starts_on=payload.starts_on)


@router.post(
    "/honours/campaigns/{campaign_id}/committee",
    response=answers({200: list[dict[str, Any]]}, 400, 403, 404),
    summary="Name the review committee",
)
def set_committee(request: AuthedRequest, campaign_id: Id, payload: CommitteeIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    members = actions.set_committee(by=request.user, campaign=campaign, names=payload.names)
    return [{"id": m.pk, "name": m.name} for m in members]


@router.post(
    "/honours/campaigns/{campaign_id}/vote",
    response=answers({200: list[NominationOut]}, 400, 403, 404),
    summary="After the notice, send nominees without open objections to the committee",
)
def start_vote(request: AuthedRequest, campaign_id: Id) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    return actions.start_vote(by=request.user, campaign=campaign)


@router.get(
    "/honours/nominations",
    response=answers({200: list[NominationOut]}),
    summary="Nominations in scope",
)
@paginate(Pages)
def list_nominations(request: AuthedRequest, filters: Query[NominationFilters]) -> Any:
    rows = visible_nominations(request.user).select_related("organisation", "reviewer", "person")
    if filters.campaign:
        rows = rows.filter(campaign_id=filters.campaign)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows


@router.get("/honours/nominations/{nomination_id}", response=answers({200: NominationOut}, 404))
def get_nomination(request: AuthedRequest, nomination_id: Id) -> Any:
    return get_nomination_for_user(request.user, nomination_id)


@router.patch(
    "/honours/nominations/{nomination_id}",
    response=answers({200: NominationOut}, 400, 403, 404),
    summary="Change a draft or returned nomination (only the fields sent)",
)
def update_nomination(request: AuthedRequest, nomination_id: Id, payload: NominationEditIn) -> Any:
    nomination = get_nomination_for_user(request.user, nomination_id, action="edit")
    current = actions.NominationDetails(
        achievements=nomination.achievements,
        summary=nomination.summary,
        democratic_record=nomination.democratic_record,
        publication_consent=nomination.publication_consent,
        unit_name=nomination.unit_name,
        trade=nomination.trade,
        is_farmer=nomination.is_farmer,
    )
    sent = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return actions.update_nomination(
        by=request.user, nomination=nomination, details=replace(current, **sent)
    )


@router.post(
    "/honours/campaigns/{campaign_id}/nominations",
    response=answers({201: NominationOut}, 400, 403, 404),
    summary="Nominate a member (person_id) or a collective (collective_name) as a draft",
)
def create_nomination(request: AuthedRequest, campaign_id: Id, payload: NominationIn) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id)
    organisation = get_org_for_user(request.user, payload.organisation_code, action="edit")
    person = get_person_for_user(request.user, payload.person_id) if payload.person_id else None
    nomination = actions.nominate(
        by=request.user,
        campaign=campaign,
        organisation=organisation,
        person=person,
        collective_name=payload.collective_name,
        details=actions.NominationDetails(
            achievements=payload.achievements,
            summary=payload.summary,
            democratic_record=payload.democratic_record,
            publication_consent=payload.publication_consent,
            is_farmer=payload.is_farmer,
            unit_name=payload.unit_name,
            trade=payload.trade,
        ),
    )
    return 201, nomination


@router.post(
    "/honours/nominations/{nomination_id}/transitions",
    response=answers({200: NominationOut}, 400, 403, 404),
    summary="Submit, approve (send up or shortlist), return, reject or withdraw",
)
def transition(request: AuthedRequest, nomination_id: Id, payload: TransitionIn) -> Any:
    nomination = get_nomination_for_user(request.user, nomination_id)
    by = request.user
    match payload.step:
        case "submit":
            return actions.submit_nomination(by=by, nomination=nomination)
        case "approve":
            return actions.approve_nomination(
                by=by, nomination=nomination, justification=payload.justification
            )
        case "return":
            return actions.return_nomination(by=by, nomination=nomination, reason=payload.reason)
        case "reject":
            return actions.reject_nomination(by=by, nomination=nomination, reason=payload.reason)
        case _:
            return actions.withdraw_nomination(by=by, nomination=nomination, reason=payload.reason)


@router.post(
    "/honours/nominations/{nomination_id}/clearances",
    response=answers({200: NominationOut}, 400, 403, 404),
    summary="Record a department's clearance of an enterprise head",
)
def record_clearance(request: AuthedRequest, nomination_id: Id, payload: ClearanceIn) -> Any:
    nomination = get_nomination_for_user(request.user, nomination_id, action="edit")
    actions.record_clearance(by=request.user, nomination=nomination, **payload.dict())
    return nomination


@router.post(
    "/honours/nominations/{nomination_id}/votes",
    response=answers({200: NominationOut}, 400, 403, 404),
    summary="Enter committee ballots ({member id: yes/no/abstain}); close to count them",
)
def record_votes(request: AuthedRequest, nomination_id: Id, payload: BallotsIn) -> Any:
    nomination = get_nomination_for_user(request.user, nomination_id)
    actions.record_votes(by=request.user, nomination=nomination, choices=payload.ballots)
    if payload.close:
        return actions.close_vote(by=request.user, nomination=nomination)
    nomination.refresh_from_db()
    return nomination


@router.get(
    "/honours/objections",
    response=answers({200: list[ObjectionOut]}),
    summary="Objections in scope",
)
@paginate(Pages)
def list_objections(request: AuthedRequest) -> Any:
    return visible_objections(request.user).select_related("assigned_to")


@router.post(
    "/honours/objections/{objection_id}/conclusion",
    response=answers({200: ObjectionOut}, 400, 403, 404),
    summary="Conclude an objection: keep, withdraw or replace, with a written conclusion",
)
def conclude_objection(request: AuthedRequest, objection_id: Id, payload: ConclusionIn) -> Any:
    objection = get_objection_for_user(request.user, objection_id, action="conclude")
    return actions.conclude_objection(
        by=request.user,
        objection=objection,
        outcome=payload.outcome,
        conclusion=payload.conclusion,
    )


@router.get(
    "/honours/honourees",
    response=answers({200: list[HonoureeOut]}),
    summary="The register, in scope",
)
@paginate(Pages)
def list_honourees(request: AuthedRequest, filters: Query[HonoureeFilters]) -> Any:
    query = RegisterQuery.from_params(filters.dict(exclude_none=True))
    return register(visible_honourees(request.user), query)


@router.get("/honours/honourees/{honouree_id}", response=answers({200: HonoureeOut}, 404))
def get_honouree(request: AuthedRequest, honouree_id: Id) -> Any:
    return get_honouree_for_user(request.user, honouree_id)


@router.patch(
    "/honours/honourees/{honouree_id}",
    response=answers({200: HonoureeOut}, 400, 403, 404),
    summary="Change the story, publication consent, allowance, retirement or hardship (sent fields)",
)
def update_honouree(request: AuthedRequest, honouree_id: Id, payload: HonoureeEditIn) -> Any:
    honouree = get_honouree_for_user(request.user, honouree_id, action="edit")
    facts: dict[str, Any] = {
        "story": honouree.story,
        "publication_consent": honouree.publication_consent,
        "receives_allowance": honouree.receives_allowance,
        "retired_on": honouree.retired_on,
        "is_in_hardship": honouree.is_in_hardship,
    }
    sent = payload.dict(exclude_unset=True)
    # a retirement date may be cleared with null; the other facts cannot be null
    facts.update({k: v for k, v in sent.items() if v is not None or k == "retired_on"})
    return actions.update_honouree(by=request.user, honouree=honouree, **facts)


@router.get(
    "/honours/honourees/{honouree_id}/benefits",
    response=answers({200: list[BenefitOut]}, 404),
    summary="An honouree's benefits ledger",
)
def list_benefits(request: AuthedRequest, honouree_id: Id) -> Any:
    return get_honouree_for_user(request.user, honouree_id).benefits.all()


@router.post(
    "/honours/honourees/{honouree_id}/benefits",
    response=answers({201: BenefitOut}, 400, 403, 404, 409),
    summary="Record a benefit or service",
)
def record_benefit(request: AuthedRequest, honouree_id: Id, payload: BenefitIn) -> Any:
    honouree = get_honouree_for_user(request.user, honouree_id, action="edit")
    return 201, actions.record_benefit(by=request.user, honouree=honouree, **payload.dict())


@router.get(
    "/honours/benefits/totals",
    response=answers({200: list[TotalOut]}),
    summary="Benefit totals per year, organisation or person",
)
def totals(request: AuthedRequest, by: Literal["year", "organisation", "person"] = "year") -> Any:
    entries = BenefitEntry.objects.filter(honouree__in=visible_honourees(request.user))
    return benefit_totals(entries, by=by)


@router.post(
    "/honours/honourees/{honouree_id}/status",
    response=answers({200: HonoureeOut}, 400, 403, 404),
    summary="Revoke an honour or record a death (with a reason), or restore it",
)
def set_status(request: AuthedRequest, honouree_id: Id, payload: StatusIn) -> Any:
    honouree = get_honouree_for_user(request.user, honouree_id, action="edit")
    return actions.set_honouree_status(
        by=request.user, honouree=honouree, status=payload.status, reason=payload.reason
    )


@router.post(
    "/honours/allowances",
    response=answers({200: dict[str, int]}, 400, 403, 404),
    summary="Record a month's allowances for the eligible honourees under an organisation",
)
def pay_allowances(request: AuthedRequest, payload: AllowancesIn) -> Any:
    organisation = get_org_for_user(request.user, payload.organisation_code, action="edit")
    paid = actions.pay_allowances(by=request.user, organisation=organisation, period=payload.period)
    return {"recorded": paid}


@router.get(
    "/honours/sessions", response=answers({200: list[SessionOut]}), summary="Sanatorium sessions"
)
def list_sessions(request: AuthedRequest) -> Any:
    return visible_sessions(request.user).select_related("organisation")


@router.post(
    "/honours/sessions",
    response=answers({201: SessionOut}, 400, 403, 404),
    summary="Open a sanatorium session",
)
def create_session(request: AuthedRequest, payload: SessionIn) -> Any:
    organisation = get_org_for_user(request.user, payload.organisation_code, action="edit")
    session = actions.create_session(
        by=request.user,
        organisation=organisation,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        places=payload.places,
    )
    return 201, session


@router.post(
    "/honours/sessions/{session_id}/bookings",
    response=answers({201: SessionOut}, 400, 403, 404),
    summary="Book a place for an honouree (never beyond the session's places)",
)
def book(request: AuthedRequest, session_id: Id, payload: BookingIn) -> Any:
    session = get_session_for_user(request.user, session_id)
    honouree = get_honouree_for_user(request.user, payload.honouree_id, action="edit")
    actions.book_stay(by=request.user, session=session, honouree=honouree)
    return 201, session


@router.post(
    "/honours/campaigns/{campaign_id}/certificates",
    response=answers({202: BatchOut}, 400, 403, 404),
    summary="Print the campaign's honour certificates in the background",
)
def request_certificates(request: AuthedRequest, campaign_id: Id) -> Any:
    campaign = get_campaign_for_user(request.user, campaign_id, action="manage")
    return 202, actions.request_certificates(by=request.user, campaign=campaign)


@router.get(
    "/honours/certificates/{batch_id}",
    response=answers({200: BatchOut}, 403, 404),
    summary="A certificate batch's progress, and its download address when ready",
)
def certificate_batch(request: AuthedRequest, batch_id: Id) -> Any:
    batch = CertificateBatch.objects.filter(pk=batch_id).select_related("campaign").first()
    if batch is None:
        raise Http404
    get_campaign_for_user(request.user, batch.campaign_id, action="manage")
    return batch
