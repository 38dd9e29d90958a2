"""Proportion rules measured against the quota ("enterprise staff at least 45 % of the
quota"), and farmers ("migrant workers at least 25 % of farmers"), on the page, the panel,
the send-up and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gonghui.core.models import AuditEvent
from gonghui.core.workflow import TransitionRefused
from gonghui.honours import actions, lists
from gonghui.honours.compliance import evaluate
from gonghui.honours.models import QUOTA, Condition, Direction, NominationStatus, ProportionRule
from tests.honours.conftest import member, nominate
from tests.honours.test_api import _api

pytestmark = pytest.mark.django_db


def _rule(world, honours, subset, condition, direction, percent):
    return actions.add_rule(
        by=world.fed_officer,
        campaign=honours.campaign,
        subset=subset,
        condition=condition,
        direction=direction,
        percent=Decimal(percent),
    )


def _quotas(world, honours, *, city: int = 6, county: int = 4) -> None:
    actions.allocate_quota(
        by=world.fed_officer, campaign=honours.campaign, organisation=world.city_a, quota=city
    )
    actions.allocate_quota(
        by=world.city_officer, campaign=honours.campaign, organisation=world.county_a, quota=county
    )


def _submitted(world, honours, name: str, **flags):
    nomination = nominate(world, honours, member(world.gr_a1, name, **flags))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    return nomination


def test_an_at_least_rule_of_the_quota_needs_enough_nominees_whatever_the_list_size(
    world, honours
) -> None:
    _quotas(world, honours)  # the county may send up 4
    _rule(world, honours, QUOTA, Condition.ENTERPRISE, Direction.AT_LEAST, "50")
    first = _submitted(world, honours, "张工")
    # one enterprise nominee of one on the list is 100 % of the nominees, but 25 % of the quota
    figure = lists.panel(honours.campaign, world.county_a).figures[0]
    assert (figure.matching, figure.base, figure.percent) == (1, 4, Decimal("25.00"))
    assert not figure.is_met
    with pytest.raises(TransitionRefused, match="breaks a proportion rule"):
        actions.approve_nomination(by=world.county_officer, nomination=first)
    first.refresh_from_db()
    assert first.status == NominationStatus.SUBMITTED and first.reviewer == world.county_a
    # a second enterprise nominee makes two of four places: 50 %, met
    _submitted(world, honours, "李工")
    assert lists.panel(honours.campaign, world.county_a).is_compliant
    actions.approve_nomination(by=world.county_officer, nomination=first)
    first.refresh_from_db()
    assert first.reviewer == world.city_a


def test_an_at_most_rule_of_the_quota_is_not_diluted_by_more_nominees(world, honours) -> None:
    _quotas(world, honours)
    _rule(world, honours, QUOTA, Condition.ENTERPRISE_HEAD, Direction.AT_MOST, "25")
    heads = [_submitted(world, honours, n, is_enterprise_head=True) for n in ("赵厂长", "钱经理")]
    for name in ("孙", "周", "吴", "郑"):
        _submitted(world, honours, name + "师傅", is_frontline=True)
    # two heads among six nominees is 33 %; against the quota of four it is 50 %
    figure = lists.panel(honours.campaign, world.county_a).figures[0]
    assert (figure.matching, figure.base, figure.percent) == (2, 4, Decimal("50.00"))
    worker = lists.list_at(honours.campaign, world.county_a)[-1]
    with pytest.raises(TransitionRefused, match="breaks"):
        actions.approve_nomination(by=world.county_officer, nomination=worker)
    # one head withdrawn: one of four is 25 %, exactly the limit
    actions.withdraw_nomination(by=world.fed_officer, nomination=heads[1], reason="本人申请撤回")
    assert lists.panel(honours.campaign, world.county_a).is_compliant
    actions.approve_nomination(by=world.county_officer, nomination=worker)


def test_the_organisers_list_is_measured_against_the_campaign_total(world, honours) -> None:
    rule = _rule(world, honours, QUOTA, Condition.ALL, Direction.AT_LEAST, "30")
    nominations = [nominate(world, honours, member(world.gr_a1, n)) for n in "甲乙丙"]
    figure = evaluate([rule], nominations, honours.campaign.total_quota)[0]
    assert (figure.matching, figure.base, figure.is_met) == (3, 10, True)
    assert lists.quota_of(honours.campaign, world.region) == 10


def test_a_breach_against_the_quota_goes_up_with_a_written_justification(world, honours) -> None:
    _quotas(world, honours)
    rule = _rule(world, honours, QUOTA, Condition.ENTERPRISE, Direction.AT_LEAST, "45")
    office = _submitted(world, honours, "王主任")
    actions.approve_nomination(
        by=world.county_officer,
        nomination=office,
        justification="本县企业推荐人选不足，经县总工会研究同意先行报送。",
    )
    office.refresh_from_db()
    assert office.reviewer == world.city_a
    event = AuditEvent.objects.get(action="campaign.justify")
    assert event.extra["rules"] == [f"{rule}: 25.00%"]


def test_without_an_allocated_quota_the_rule_is_shown_but_does_not_block(world, honours) -> None:
    _rule(world, honours, QUOTA, Condition.ENTERPRISE, Direction.AT_LEAST, "45")
    nomination = _submitted(world, honours, "马工")
    figure = lists.panel(honours.campaign, world.county_a).figures[0]
    assert not figure.has_quota and figure.percent is None and figure.is_met
    actions.approve_nomination(by=world.county_officer, nomination=nomination)


def test_migrant_workers_are_counted_among_farmers(world, honours) -> None:
    rule = _rule(world, honours, Condition.FARMER, Condition.MIGRANT, Direction.AT_LEAST, "50")
    migrant = nominate(world, honours, member(world.gr_a1, "农民工甲", is_migrant=True))
    farmer = nominate(world, honours, member(world.gr_a1, "种植户乙", enterprise=False))
    office = nominate(world, honours, member(world.gr_a1, "科员丙"))
    figure = evaluate([rule], [migrant, farmer, office])[0]
    assert (figure.base, figure.matching) == (1, 1)  # nobody recorded as a farmer yet
    actions.update_nomination(
        by=world.fed_officer,
        nomination=farmer,
        details=actions.NominationDetails(
            achievements=farmer.achievements,
            summary=farmer.summary,
            democratic_record=farmer.democratic_record,
            publication_consent=True,
            is_farmer=True,
        ),
    )
    farmer.refresh_from_db()
    assert farmer.is_farmer
    figure = evaluate([rule], [migrant, farmer, office])[0]
    assert (figure.base, figure.matching, figure.is_met) == (2, 1, True)
    stricter = _rule(world, honours, Condition.FARMER, Condition.MIGRANT, Direction.AT_LEAST, "51")
    assert not evaluate([stricter], [migrant, farmer, office])[0].is_met


def test_a_rule_reads_as_a_sentence(world, honours) -> None:
    of_quota = _rule(world, honours, QUOTA, Condition.ENTERPRISE, Direction.AT_LEAST, "45")
    of_staff = _rule(
        world, honours, Condition.ENTERPRISE, Condition.ENTERPRISE_HEAD, Direction.AT_MOST, "20"
    )
    assert str(of_quota) == "Enterprise staff at least 45% of the quota"
    assert str(of_staff) == "Enterprise heads at most 20% of Enterprise staff"
    with translation.override("zh-hans"):
        assert str(of_quota) == "企业职工不低于名额的45%"
        assert str(of_staff) == "企业负责人不高于企业职工的20%"


def test_an_unknown_base_is_refused(world, honours) -> None:
    with pytest.raises(ValidationError):
        _rule(world, honours, "budget", Condition.ENTERPRISE, Direction.AT_LEAST, "45")
    assert not ProportionRule.objects.exists()


def test_the_federation_sets_a_quota_rule_on_the_page_and_each_panel_shows_it(
    world, honours, client_for
) -> None:
    _quotas(world, honours)
    fed = client_for(world.fed_officer)
    url = f"/honours/campaigns/{honours.campaign.pk}/rules/"
    form = fed.get(f"/honours/campaigns/{honours.campaign.pk}/").content.decode()
    assert 'value="quota"' in form
    response = fed.post(
        url,
        {"subset": "quota", "condition": "enterprise", "direction": "at_least", "percent": "45"},
    )
    assert response.status_code == 302
    assert ProportionRule.objects.get().subset == QUOTA
    _submitted(world, honours, "刘工")
    page = client_for(world.county_officer).get(f"/honours/campaigns/{honours.campaign.pk}/")
    text = page.content.decode()
    assert "1 / quota 4" in text and "25.00%" in text and 'data-testid="rule-broken"' in text
    # the federation's own list is empty so far, measured against the campaign's total
    panels = client_for(world.fed_officer).get(f"/honours/campaigns/{honours.campaign.pk}/")
    assert "0 / quota 10" in panels.content.decode()


def test_the_nomination_form_records_a_farmer(world, honours, client_for) -> None:
    dave = client_for(world.grassroots_officer)
    person = member(world.gr_a1, "牧民乙", enterprise=False)
    response = dave.post(
        f"/honours/campaigns/{honours.campaign.pk}/nominate/",
        {
            "organisation": world.gr_a1.pk,
            "person_id": person.pk,
            "achievements": "带领合作社增收。",
            "summary": "合作社带头人。",
            "democratic_record": "村委会推荐。",
            "is_farmer": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination = person.nominations.get()
    assert nomination.is_farmer
    page = dave.get(nomination.get_absolute_url()).content.decode()
    assert 'data-testid="farmer"' in page


def test_the_api_sets_a_quota_rule_and_reports_it_per_level(world, honours) -> None:
    _quotas(world, honours)
    fed, carol, charlie = _api("fed"), _api("carol"), _api("charlie")
    campaign = honours.campaign.pk
    created = fed.post(
        f"/api/v1/honours/campaigns/{campaign}/rules",
        {"subset": "quota", "condition": "enterprise", "direction": "at_least", "percent": "45"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["subset"] == "quota"
    person = member(world.gr_a1, "何工", is_migrant=True)
    nominated = _api("dave").post(
        f"/api/v1/honours/campaigns/{campaign}/nominations",
        {
            "organisation_code": "CA-K-1",
            "person_id": person.pk,
            "achievements": "技改十项。",
            "summary": "技改能手。",
            "democratic_record": "职工大会推荐。",
            "is_farmer": True,
        },
        content_type="application/json",
    )
    assert nominated.status_code == 201 and nominated.json()["is_farmer"] is True
    step = f"/api/v1/honours/nominations/{nominated.json()['id']}/transitions"
    _api("dave").post(step, {"step": "submit"}, content_type="application/json")
    panel = carol.get(f"/api/v1/honours/campaigns/{campaign}/compliance/CA-K").json()
    figure = panel["figures"][0]
    assert figure["of_quota"] and figure["has_quota"]
    assert (figure["matching"], figure["base"], figure["is_met"]) == (1, 4, False)
    refused = carol.post(step, {"step": "approve"}, content_type="application/json")
    assert refused.status_code == 400 and "breaks a proportion rule" in refused.json()["detail"]
    justified = carol.post(
        step,
        {"step": "approve", "justification": "本县企业推荐人选不足，经研究同意先行报送。"},
        content_type="application/json",
    )
    assert justified.status_code == 200 and justified.json()["reviewer_code"] == "CA"
    outsider = charlie.get(f"/api/v1/honours/campaigns/{campaign}/compliance/CA-K")
    assert outsider.status_code == 404
