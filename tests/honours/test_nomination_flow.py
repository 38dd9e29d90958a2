"""A nomination's way from draft to the register, and every step refused to the wrong person."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.core.workflow import TransitionRefused
from gonghui.honours import actions
from gonghui.honours.compliance import evaluate
from gonghui.honours.models import (
    Honouree,
    HonoureeStatus,
    HonourKind,
    Nomination,
    NominationStatus,
    ObjectionOutcome,
    VoteChoice,
)
from gonghui.honours.permissions import visible_nominations
from gonghui.honours.workflow import NOMINATION_FLOW
from tests.honours.conftest import DETAILS, member, nominate

pytestmark = pytest.mark.django_db
S = NominationStatus


def _to_notice(world, honours, nomination: Nomination, *, starts_on: date) -> Nomination:
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    actions.publish_notice(by=world.fed_officer, campaign=honours.campaign, starts_on=starts_on)
    nomination.refresh_from_db()
    return nomination


def _past_notice_start() -> date:
    return timezone.localdate() - timedelta(days=30)


def _committee(world, honours) -> list[int]:
    members = actions.set_committee(
        by=world.fed_officer, campaign=honours.campaign, names=["甲", "乙", "丙", "丁", "戊", "己"]
    )
    return [m.pk for m in members]


def test_nomination_walks_every_level_to_the_register(world, honours) -> None:
    worker = member(world.gr_a1, "王建国", is_frontline=True)
    nomination = nominate(world, honours, worker)
    assert nomination.status == S.DRAFT and nomination.unit_name == "王建国所在企业"

    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.review_chain == [world.county_a.pk, world.city_a.pk, world.region.pk]
    assert nomination.reviewer == world.county_a

    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.reviewer) == (S.SUBMITTED, world.city_a)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == S.SHORTLISTED and nomination.reviewer is None

    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=_past_notice_start()
    )
    nomination.refresh_from_db()
    assert nomination.status == S.IN_NOTICE
    actions.start_vote(by=world.fed_officer, campaign=honours.campaign)
    members = _committee(world, honours)
    ballots = dict.fromkeys(members[:4], VoteChoice.YES) | {members[4]: VoteChoice.NO}
    actions.record_votes(by=world.fed_officer, nomination=nomination, choices=ballots)
    actions.close_vote(by=world.fed_officer, nomination=nomination)

    nomination.refresh_from_db()
    assert nomination.status == S.APPROVED
    assert (nomination.votes_yes, nomination.votes_no) == (4, 1)
    honouree = Honouree.objects.get(nomination=nomination)
    assert honouree.person == worker and honouree.prefecture == world.city_a
    assert honouree.level == honours.kind.level and honouree.year == 2026
    assert honouree.status == HonoureeStatus.ACTIVE and honouree.is_frontline
    steps = list(
        AuditEvent.objects.filter(object_type="honours.nomination")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == [
        "nomination.create",
        "nomination.submit",
        "nomination.send_up",
        "nomination.send_up",
        "nomination.shortlist",
        "nomination.publish",
        "nomination.to_vote",
        "nomination.votes",
        "nomination.approve",
    ]


def test_a_direct_grassroots_union_skips_the_missing_county_level(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a3, "李娜"), union=world.gr_a3)
    actions.submit_nomination(by=world.city_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.review_chain == [world.city_a.pk, world.region.pk]


@pytest.mark.parametrize(
    ("level", "allowed", "refused"),
    [
        # level 0 is the county: only its own officer, not the city or federation above it
        (0, "county_officer", ["grassroots_officer", "city_officer", "city_viewer", "outsider"]),
        (1, "city_officer", ["grassroots_officer", "county_officer", "fed_officer", "outsider"]),
        (2, "fed_officer", ["grassroots_officer", "county_officer", "city_officer", "outsider"]),
    ],
)
def test_each_level_is_reviewed_by_its_own_officers_only(
    world, honours, level, allowed, refused
) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "张伟"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    reviewers = [world.county_officer, world.city_officer, world.fed_officer]
    for reviewer in reviewers[:level]:
        actions.approve_nomination(by=reviewer, nomination=nomination)
    for name in refused:
        user = getattr(world, name)
        for step in (
            lambda u: actions.approve_nomination(by=u, nomination=nomination),
            lambda u: actions.return_nomination(by=u, nomination=nomination, reason="补充材料"),
            lambda u: actions.reject_nomination(by=u, nomination=nomination, reason="不符合条件"),
        ):
            with pytest.raises(TransitionRefused) as refused_error:
                step(user)
            assert refused_error.value.code == "role"
    nomination.refresh_from_db()
    assert nomination.level == level and nomination.status == S.SUBMITTED
    actions.approve_nomination(by=getattr(world, allowed), nomination=nomination)


def test_only_the_nominating_side_submits(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "赵敏"))
    for user in (world.outsider, world.city_viewer):
        with pytest.raises(TransitionRefused):
            actions.submit_nomination(by=user, nomination=nomination)
    # a union officer of a sibling grassroots union cannot either
    nomination.refresh_from_db()
    assert nomination.status == S.DRAFT


def test_return_needs_a_reason_and_the_nomination_comes_back_for_changes(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "孙强"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    with pytest.raises(TransitionRefused) as refused:
        actions.return_nomination(by=world.county_officer, nomination=nomination, reason=" ")
    assert refused.value.code == "reason"
    actions.return_nomination(by=world.county_officer, nomination=nomination, reason="补充事迹材料")
    nomination.refresh_from_db()
    assert nomination.status == S.RETURNED and nomination.last_reason == "补充事迹材料"
    actions.update_nomination(by=world.grassroots_officer, nomination=nomination, details=DETAILS)
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == S.SUBMITTED and nomination.reviewer == world.county_a


def test_a_nomination_returned_from_a_higher_level_is_reviewed_again_from_the_first(
    world, honours, client_for
) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "钱进"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    actions.return_nomination(by=world.city_officer, nomination=nomination, reason="补充获奖证书")
    nomination.refresh_from_db()
    assert nomination.status == S.RETURNED and nomination.reviewer is None
    client = client_for(world.grassroots_officer)
    page = client.get(nomination.get_absolute_url()).content.decode()
    assert 'data-testid="resubmit-note"' in page and "补充获奖证书" in page
    actions.update_nomination(by=world.grassroots_officer, nomination=nomination, details=DETAILS)
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    nomination.refresh_from_db()
    # the county signs off the changed dossier before the city sees it again
    assert (nomination.reviewer, nomination.level) == (world.county_a, 0)
    with pytest.raises(TransitionRefused):
        actions.approve_nomination(by=world.city_officer, nomination=nomination)


def test_rejected_is_final(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "周杰"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.reject_nomination(by=world.county_officer, nomination=nomination, reason="不符合条件")
    with pytest.raises(TransitionRefused) as refused:
        actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    assert refused.value.code == "state"
    with pytest.raises(TransitionRefused):
        actions.withdraw_nomination(by=world.fed_officer, nomination=nomination, reason="x")


def test_withdrawal_is_possible_at_any_live_point_with_a_reason(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "吴涛"))
    nomination = _to_notice(world, honours, nomination, starts_on=timezone.localdate())
    with pytest.raises(TransitionRefused):
        actions.withdraw_nomination(by=world.outsider, nomination=nomination, reason="本人申请")
    with pytest.raises(TransitionRefused):
        actions.withdraw_nomination(by=world.grassroots_officer, nomination=nomination, reason="")
    actions.withdraw_nomination(
        by=world.grassroots_officer, nomination=nomination, reason="本人申请"
    )
    nomination.refresh_from_db()
    assert nomination.status == S.WITHDRAWN
    event = AuditEvent.objects.get(action="nomination.withdraw")
    assert event.extra["reason"] == "本人申请"


def test_the_same_person_cannot_be_nominated_twice_in_a_campaign(world, honours) -> None:
    worker = member(world.gr_a1, "郑红")
    nominate(world, honours, worker)
    with pytest.raises(ValidationError, match="already nominated"):
        nominate(world, honours, worker)


def test_a_withdrawn_nomination_frees_the_person(world, honours) -> None:
    worker = member(world.gr_a1, "冯刚")
    first = nominate(world, honours, worker)
    actions.withdraw_nomination(by=world.grassroots_officer, nomination=first, reason="材料重报")
    assert nominate(world, honours, worker).status == S.DRAFT


def test_an_honour_already_held_at_that_level_blocks_nomination(world, honours) -> None:
    worker = member(world.gr_a1, "陈静")
    Honouree.objects.create(
        person=worker,
        name=worker.name,
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2021,
    )
    with pytest.raises(ValidationError, match="already holds"):
        nominate(world, honours, worker)


def test_a_member_of_another_union_cannot_be_nominated_here(world, honours) -> None:
    stranger = member(world.gr_b1, "杨洋")
    with pytest.raises(ValidationError, match="not a current member"):
        nominate(world, honours, stranger)


def test_the_outsider_cannot_nominate_in_city_a(world, honours) -> None:
    worker = member(world.gr_a1, "许丽")
    with pytest.raises(PermissionDenied):
        actions.nominate(
            by=world.outsider,
            campaign=honours.campaign,
            organisation=world.gr_a1,
            person=worker,
            details=DETAILS,
        )


def test_submission_needs_the_democratic_record(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "何平"))
    Nomination.objects.filter(pk=nomination.pk).update(democratic_record="")
    with pytest.raises(TransitionRefused, match="democratic recommendation"):
        actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)


def test_enterprise_heads_need_every_clearance_before_shortlisting(world, honours) -> None:
    head = member(world.gr_a1, "马总", is_enterprise_head=True)
    nomination = nominate(world, honours, head)
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    with pytest.raises(TransitionRefused, match="clearances"):
        actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    for kind in honours.campaign.clearance_types[:-1]:
        actions.record_clearance(
            by=world.fed_officer, nomination=nomination, kind=kind, is_cleared=True
        )
    with pytest.raises(TransitionRefused, match="环保"):
        actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    actions.record_clearance(
        by=world.fed_officer, nomination=nomination, kind="环保", is_cleared=True
    )
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == S.SHORTLISTED


def test_an_open_objection_blocks_the_vote_until_concluded(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "黄海"))
    nomination = _to_notice(world, honours, nomination, starts_on=timezone.localdate())
    objection = actions.file_objection(
        nomination=nomination,
        reporter="",
        contact="13900001111",
        facts="该同志所报事迹与实际不符。",
    )
    nomination.refresh_from_db()
    assert nomination.status == S.OBJECTION
    assert objection.assigned_to == world.gr_a1
    assert "13900001111" not in objection.contact_sealed
    # the notice ends; the nominee with an open objection does not go to the vote
    honours.campaign.notice_ends = timezone.localdate() - timedelta(days=1)
    honours.campaign.save(update_fields=["notice_ends"])
    with pytest.raises(ValidationError, match="Nobody is ready"):
        actions.start_vote(by=world.fed_officer, campaign=honours.campaign)
    with pytest.raises(TransitionRefused):
        NOMINATION_FLOW.apply(nomination, "to_vote", by=world.fed_officer)
    with pytest.raises(PermissionDenied):
        actions.conclude_objection(
            by=world.outsider,
            objection=objection,
            outcome="keep",
            conclusion="经调查，反映不属实。",
        )
    actions.conclude_objection(
        by=world.grassroots_officer,
        objection=objection,
        outcome=ObjectionOutcome.KEEP,
        conclusion="经调查，反映不属实，保留推荐资格。",
    )
    nomination.refresh_from_db()
    assert nomination.status == S.IN_NOTICE
    actions.start_vote(by=world.fed_officer, campaign=honours.campaign)
    nomination.refresh_from_db()
    assert nomination.status == S.VOTING


def test_an_upheld_objection_withdraws_the_nominee(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "罗兰"))
    nomination = _to_notice(world, honours, nomination, starts_on=timezone.localdate())
    objection = actions.file_objection(
        nomination=nomination, reporter="知情人", contact="letter", facts="存在安全生产责任事故。"
    )
    actions.conclude_objection(
        by=world.fed_officer,
        objection=objection,
        outcome=ObjectionOutcome.WITHDRAW,
        conclusion="经核实，反映属实，撤销推荐。",
    )
    nomination.refresh_from_db()
    assert nomination.status == S.WITHDRAWN


def test_no_objection_once_the_notice_has_closed(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "梁军"))
    nomination = _to_notice(world, honours, nomination, starts_on=_past_notice_start())
    with pytest.raises(TransitionRefused, match="closed"):
        actions.file_objection(
            nomination=nomination, reporter="", contact="x@example.com", facts="迟到的反映材料。"
        )


def test_the_vote_cannot_start_before_the_notice_ends(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "谢娟"))
    _to_notice(world, honours, nomination, starts_on=timezone.localdate())
    with pytest.raises(ValidationError, match="not ended"):
        actions.start_vote(by=world.fed_officer, campaign=honours.campaign)


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "passed"),
    [
        (4, 2, 0, True),  # exactly two thirds of those present
        (3, 2, 0, False),  # 60 %: below
        (4, 1, 1, True),
        (3, 1, 1, False),  # abstentions count as present
        (6, 0, 0, True),
    ],
)
def test_the_vote_passes_only_at_the_threshold_of_members_present(
    world, honours, yes, no, abstain, passed
) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "邓超"))
    nomination = _to_notice(world, honours, nomination, starts_on=_past_notice_start())
    actions.start_vote(by=world.fed_officer, campaign=honours.campaign)
    members = _committee(world, honours)
    choices = [VoteChoice.YES] * yes + [VoteChoice.NO] * no + [VoteChoice.ABSTAIN] * abstain
    actions.record_votes(
        by=world.fed_officer,
        nomination=nomination,
        choices=dict(zip(members, choices, strict=False)),
    )
    actions.close_vote(by=world.fed_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == (S.APPROVED if passed else S.NOT_APPROVED)
    assert Honouree.objects.filter(nomination=nomination).exists() is passed


def test_votes_are_entered_by_the_organiser_only(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "曹操"))
    nomination = _to_notice(world, honours, nomination, starts_on=_past_notice_start())
    actions.start_vote(by=world.fed_officer, campaign=honours.campaign)
    members = _committee(world, honours)
    for user in (world.city_officer, world.outsider):
        with pytest.raises(PermissionDenied):
            actions.record_votes(by=user, nomination=nomination, choices={members[0]: "yes"})
    with pytest.raises(ValidationError, match="No ballots"):
        actions.close_vote(by=world.fed_officer, nomination=nomination)


@pytest.mark.parametrize(
    "user", ["city_officer", "county_officer", "grassroots_officer", "city_viewer", "outsider"]
)
def test_only_the_organiser_publishes_the_notice_starts_and_closes_the_vote(
    world, honours, user
) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "韩梅"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    for reviewer in (world.county_officer, world.city_officer, world.fed_officer):
        actions.approve_nomination(by=reviewer, nomination=nomination)
    someone = getattr(world, user)
    with pytest.raises(PermissionDenied):
        actions.publish_notice(
            by=someone, campaign=honours.campaign, starts_on=_past_notice_start()
        )
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=_past_notice_start()
    )
    with pytest.raises(PermissionDenied):
        actions.start_vote(by=someone, campaign=honours.campaign)
    with pytest.raises(PermissionDenied):
        actions.set_committee(by=someone, campaign=honours.campaign, names=["甲"])
    actions.start_vote(by=world.fed_officer, campaign=honours.campaign)
    members = _committee(world, honours)
    actions.record_votes(by=world.fed_officer, nomination=nomination, choices={members[0]: "yes"})
    with pytest.raises(TransitionRefused) as refused:
        actions.close_vote(by=someone, nomination=nomination)
    assert refused.value.code == "role"
    nomination.refresh_from_db()
    assert nomination.status == S.VOTING


def test_honour_kinds_and_holidays_are_kept_by_the_federation(world) -> None:
    kind = actions.create_honour_kind(
        by=world.fed_officer,
        federation=world.region,
        name="天山工匠",
        level="regional",
        is_collective=False,
    )
    assert str(kind) == "天山工匠"
    with pytest.raises(ValidationError):
        actions.create_honour_kind(
            by=world.fed_officer,
            federation=world.region,
            name="天山工匠",
            level="regional",
            is_collective=False,
        )
    with pytest.raises(PermissionDenied):
        actions.create_honour_kind(
            by=world.city_officer,
            federation=world.city_a,
            name="甲市工匠",
            level="prefecture",
            is_collective=False,
        )
    actions.set_calendar_day(
        by=world.fed_officer,
        federation=world.region,
        day=date(2026, 10, 1),
        is_workday=False,
        name="国庆节",
    )
    with pytest.raises(PermissionDenied):
        actions.set_calendar_day(
            by=world.outsider,
            federation=world.region,
            day=date(2026, 10, 2),
            is_workday=False,
            name="x",
        )
    assert AuditEvent.objects.filter(action__in=["honour.kind", "calendar.day"]).count() == 2


def test_a_citys_campaign_is_run_by_the_citys_own_officers(world, honours) -> None:
    city_campaign = actions.create_campaign(
        by=world.city_officer,
        organiser=world.city_a,
        settings=actions.CampaignSettings(
            kind=honours.kind, year=2026, name="甲市劳模", total_quota=3
        ),
    )
    with pytest.raises(PermissionDenied):
        actions.create_campaign(
            by=world.fed_officer,
            organiser=world.city_a,
            settings=actions.CampaignSettings(
                kind=honours.kind, year=2026, name="代办", total_quota=3
            ),
        )
    with pytest.raises(PermissionDenied):  # the federation above does not run the city's campaign
        actions.set_committee(by=world.fed_officer, campaign=city_campaign, names=["甲"])
    nomination = actions.nominate(
        by=world.grassroots_officer,
        campaign=city_campaign,
        organisation=world.gr_a1,
        person=member(world.gr_a1, "市级人选"),
        details=DETAILS,
    )
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.review_chain == [world.county_a.pk, world.city_a.pk]
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    with pytest.raises(TransitionRefused):
        actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == S.SHORTLISTED
    assert nomination.pk in set(visible_nominations(world.fed_officer).values_list("pk", flat=True))


def test_a_collective_is_nominated_by_name_and_counts_only_among_all(world, honours) -> None:
    kind = HonourKind.objects.create(name="工人先锋号", level="regional", is_collective=True)
    campaign = actions.create_campaign(
        by=world.fed_officer,
        organiser=world.region,
        settings=actions.CampaignSettings(
            kind=kind, year=2026, name="工人先锋号评选", total_quota=2
        ),
    )
    with pytest.raises(ValidationError, match="team or unit"):
        actions.nominate(
            by=world.grassroots_officer,
            campaign=campaign,
            organisation=world.gr_a1,
            details=DETAILS,
        )
    team = actions.nominate(
        by=world.grassroots_officer,
        campaign=campaign,
        organisation=world.gr_a1,
        collective_name="甲县一厂焊接班",
        person=member(world.gr_a1, "班长"),  # ignored: the honour goes to the team
        details=DETAILS,
    )
    assert team.person is None and str(team) == "甲县一厂焊接班"
    rule = actions.add_rule(
        by=world.fed_officer,
        campaign=campaign,
        subset="all",
        condition="frontline",
        direction="at_most",
        percent=Decimal(0),
    )
    assert [(f.base, f.matching, f.is_met) for f in evaluate([rule], [team])] == [(1, 0, True)]
