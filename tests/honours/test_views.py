"""The honours pages: a campaign run through the web by each persona at its level, the
public notice and hall of honour, and the outsider who sees nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.core.models import AuditEvent
from gonghui.honours import actions
from gonghui.honours.models import (
    BenefitEntry,
    Booking,
    Honouree,
    Nomination,
    NominationStatus,
    Objection,
)
from tests.honours.conftest import identity_number, member, nominate

pytestmark = pytest.mark.django_db
S = NominationStatus


def _step(client: Client, nomination: Nomination, step: str, **data: str):
    return client.post(f"/honours/nominations/{nomination.pk}/step/", {"step": step, **data})


def test_a_campaign_runs_through_the_web_at_every_level(world, honours, client_for) -> None:
    fed, alice, carol, dave = (
        client_for(world.fed_officer),
        client_for(world.city_officer),
        client_for(world.county_officer),
        client_for(world.grassroots_officer),
    )
    campaign = honours.campaign
    # the federation sets a rule; the city's list will break it
    response = fed.post(
        f"/honours/campaigns/{campaign.pk}/rules/",
        {"subset": "all", "condition": "frontline", "direction": "at_least", "percent": "50"},
    )
    assert response.status_code == 302
    # quotas down the tree
    assert (
        fed.post(
            f"/honours/campaigns/{campaign.pk}/quotas/",
            {"organisation": world.city_a.pk, "quota": 3},
        ).status_code
        == 302
    )
    assert (
        alice.post(
            f"/honours/campaigns/{campaign.pk}/quotas/",
            {"organisation": world.county_a.pk, "quota": 2},
        ).status_code
        == 302
    )
    too_many = alice.post(
        f"/honours/campaigns/{campaign.pk}/quotas/", {"organisation": world.gr_a3.pk, "quota": 2}
    )
    assert too_many.status_code == 200 and "at most 1" in too_many.content.decode()

    person = member(world.gr_a1, "艾力·买买提")
    page = dave.get(f"/honours/campaigns/{campaign.pk}/nominate/")
    assert page.status_code == 200
    response = dave.post(
        f"/honours/campaigns/{campaign.pk}/nominate/",
        {
            "organisation": world.gr_a1.pk,
            "identity_number": identity_number(_serial_of(person)),
            "achievements": "带领班组完成技术革新十二项。",
            "summary": "技术革新能手。",
            "democratic_record": "职代会推荐，赞成98票。",
            "publication_consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination = Nomination.objects.get(person=person)
    assert _step(dave, nomination, "submit").status_code == 302
    assert _step(carol, nomination, "approve").status_code == 400
    assert (
        _step(
            carol, nomination, "approve", justification="本县仅此一名推荐人选，经研究同意报送。"
        ).status_code
        == 302
    )
    # the city's list (one office worker) breaks the rule: refused, with the reason shown
    refused = _step(alice, nomination, "approve")
    assert refused.status_code == 400
    assert "breaks a proportion rule" in refused.content.decode()
    nomination.refresh_from_db()
    assert nomination.reviewer == world.city_a
    justified = _step(
        alice, nomination, "approve", justification="本市一线推荐人选因故退出，经市总工会研究报送。"
    )
    assert justified.status_code == 302
    assert AuditEvent.objects.filter(action="campaign.justify", actor=world.city_officer).exists()
    assert (
        _step(fed, nomination, "approve", justification="自治区总工会研究同意。").status_code == 302
    )
    nomination.refresh_from_db()
    assert nomination.status == S.SHORTLISTED

    start = (timezone.localdate() - timedelta(days=20)).isoformat()
    assert (
        fed.post(f"/honours/campaigns/{campaign.pk}/notice/", {"starts_on": start}).status_code
        == 302
    )
    assert (
        fed.post(
            f"/honours/campaigns/{campaign.pk}/committee/", {"names": "甲\n乙\n丙"}
        ).status_code
        == 302
    )
    assert fed.post(f"/honours/campaigns/{campaign.pk}/vote/").status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == S.VOTING
    members = list(campaign.committee.values_list("pk", flat=True))
    ballots = {
        f"member-{members[0]}": "yes",
        f"member-{members[1]}": "yes",
        f"member-{members[2]}": "no",
        "close": "1",
    }
    assert fed.post(f"/honours/nominations/{nomination.pk}/votes/", ballots).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == S.APPROVED
    honouree = Honouree.objects.get(nomination=nomination)
    campaign.refresh_from_db()
    assert campaign.vote_closed_at is not None  # every nominee decided: the list is published
    published = Client().get("/public/notices/").content.decode()
    assert "the approved list" in published and "艾力·买买提" in published

    # the register: a benefit and a sanatorium stay
    response = dave.post(
        f"/honours/register/{honouree.pk}/",
        {"kind": "award", "on": "2026-05-01", "amount": "20000", "note": "一次性奖金"},
    )
    assert response.status_code == 302
    session = actions.create_session(
        by=world.fed_officer,
        organisation=world.region,
        name="疗休养",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=6),
        places=1,
    )
    assert "艾力·买买提" in dave.get(f"/honours/sanatorium/{session.pk}/").content.decode()
    assert (
        dave.post(f"/honours/sanatorium/{session.pk}/book/", {"honouree": honouree.pk}).status_code
        == 302
    )
    assert Booking.objects.filter(session=session, honouree=honouree).exists()
    assert BenefitEntry.objects.filter(honouree=honouree).count() == 2
    totals = fed.get("/honours/benefits/?by=organisation").content.decode()
    assert "20000" in totals


def _serial_of(person) -> int:
    # the conftest numbers people in order; find this person's serial by trying the numbers
    from gonghui.people.actions import identity_digest

    for serial in range(1, 10_000):
        if identity_digest(identity_number(serial)) == person.identity_hash:
            return serial
    raise AssertionError("person not numbered by the conftest")


def test_every_page_answers_the_personas(world, honours, client_for) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "甲"))
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2020
    )
    pages = [
        "/honours/",
        f"/honours/campaigns/{honours.campaign.pk}/",
        f"/honours/campaigns/{honours.campaign.pk}/quotas/",
        f"/honours/nominations/{nomination.pk}/",
        "/honours/objections/",
        "/honours/register/",
        f"/honours/register/{honouree.pk}/",
        "/honours/benefits/",
        "/honours/sanatorium/",
    ]
    for user in (
        world.fed_officer,
        world.city_officer,
        world.city_viewer,
        world.grassroots_officer,
    ):
        client = client_for(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user.username, url)
    fed = client_for(world.fed_officer)
    assert fed.get("/honours/campaigns/new/").status_code == 200
    assert fed.get("/honours/register/export.xlsx").status_code == 200
    assert fed.get("/honours/benefits/?export=csv").status_code == 200


def test_the_outsider_sees_nothing_of_city_a(world, honours, client_for) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "甲"))
    honouree = Honouree.objects.create(
        name="保密的名字",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2020,
    )
    charlie = client_for(world.outsider)
    assert charlie.get(f"/honours/nominations/{nomination.pk}/").status_code == 404
    assert charlie.get(f"/honours/register/{honouree.pk}/").status_code == 404
    assert _step(charlie, nomination, "submit").status_code == 404
    assert "保密的名字" not in charlie.get("/honours/register/").content.decode()
    assert (
        "甲"
        not in charlie.get(f"/honours/campaigns/{honours.campaign.pk}/")
        .content.decode()
        .split("nominations")[-1]
    )
    assert charlie.post(f"/honours/campaigns/{honours.campaign.pk}/rules/", {}).status_code == 403
    export = b"".join(charlie.get("/honours/register/export.csv").streaming_content).decode()
    assert "姓名" in export and "保密的名字" not in export
    auditor = client_for(world.auditor)
    assert auditor.get(f"/honours/campaigns/{honours.campaign.pk}/").status_code == 404


def _in_notice(world, honours, person, *, consent: bool = True) -> Nomination:
    nomination = nominate(world, honours, person)
    Nomination.objects.filter(pk=nomination.pk).update(publication_consent=consent)
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    return nomination


def test_the_public_notice_shows_consenting_nominees_and_nothing_sensitive(world, honours) -> None:
    shown = member(world.gr_a1, "公开的人")
    hidden = member(world.gr_a1, "不愿公开的人")
    _in_notice(world, honours, shown)
    _in_notice(world, honours, hidden, consent=False)
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=timezone.localdate()
    )
    page = Client().get("/public/notices/").content.decode()
    assert "公开的人" in page and "技术骨干" in page
    assert "不愿公开的人" not in page
    for person in (shown, hidden):
        assert person.identity_masked not in page
        assert person.reveal_identity_number() not in page
        assert person.reveal_phone() not in page and person.phone_masked not in page


def test_the_public_notice_closes_when_its_period_ends(world, honours) -> None:
    nomination = _in_notice(world, honours, member(world.gr_a1, "过期的人"))
    actions.publish_notice(
        by=world.fed_officer,
        campaign=honours.campaign,
        starts_on=timezone.localdate() - timedelta(days=30),
    )
    assert "过期的人" not in Client().get("/public/notices/").content.decode()
    assert Client().get(f"/public/notices/{nomination.pk}/objection/").status_code == 404


def test_anyone_can_object_and_the_case_goes_to_the_nominating_union(
    world, honours, client_for
) -> None:
    nomination = _in_notice(world, honours, member(world.gr_a1, "被反映的人"))
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=timezone.localdate()
    )
    public = Client()
    form = public.get(f"/public/notices/{nomination.pk}/objection/")
    assert form.status_code == 200
    bad = public.post(f"/public/notices/{nomination.pk}/objection/", {"contact": "", "facts": "短"})
    assert bad.status_code == 200 and Objection.objects.count() == 0
    done = public.post(
        f"/public/notices/{nomination.pk}/objection/",
        {"reporter": "张三", "contact": "13700001234", "facts": "该同志所在企业存在欠薪问题。"},
    )
    assert "Thank you" in done.content.decode()
    objection = Objection.objects.get()
    assert objection.assigned_to == world.gr_a1
    # the reporter stays confidential: not on the list, revealed on request and audited
    dave = client_for(world.grassroots_officer)
    assert "13700001234" not in dave.get(f"/honours/objections/{objection.pk}/").content.decode()
    assert (
        "13700001234" in dave.post(f"/honours/objections/{objection.pk}/reveal/").content.decode()
    )
    assert AuditEvent.objects.filter(
        action="objection.reveal", actor=world.grassroots_officer
    ).exists()
    assert client_for(world.outsider).get(f"/honours/objections/{objection.pk}/").status_code == 404
    assert (
        client_for(world.city_viewer)
        .post(f"/honours/objections/{objection.pk}/reveal/")
        .status_code
        == 403
    )
    response = dave.post(
        f"/honours/objections/{objection.pk}/",
        {"outcome": "keep", "conclusion": "经调查，欠薪问题已于2025年解决。"},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == S.IN_NOTICE


def test_the_hall_of_honour_shows_consenting_honourees_only(world, honours) -> None:
    person = member(world.gr_a1, "有身份证的人")
    Honouree.objects.create(
        person=person,
        name=person.name,
        organisation=world.gr_a1,
        prefecture=world.city_a,
        kind=honours.kind,
        level=honours.kind.level,
        year=2020,
        publication_consent=True,
        story="三十年坚守一线。",
        trade="石油",
    )
    Honouree.objects.create(
        name="不公开",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2020,
    )
    Honouree.objects.create(
        name="已撤销",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2010,
        publication_consent=True,
        status="revoked",
        status_reason="违纪",
    )
    page = Client().get("/public/honours/").content.decode()
    assert "有身份证的人" in page and "三十年坚守一线" in page
    assert "不公开" not in page and "已撤销" not in page
    assert person.identity_masked not in page and person.reveal_phone() not in page
    filtered = (
        Client().get(f"/public/honours/?year=2019&prefecture={world.city_a.pk}").content.decode()
    )
    assert "有身份证的人" not in filtered
    assert (
        "有身份证的人"
        in Client().get("/public/honours/?trade=石油&level=regional").content.decode()
    )


def test_the_federation_keeps_honours_and_holidays_on_the_settings_page(world, client_for) -> None:
    fed = client_for(world.fed_officer)
    response = fed.post(
        "/honours/settings/", {"kind": "1", "kind-name": "自治区劳动模范", "kind-level": "regional"}
    )
    assert response.status_code == 302
    response = fed.post(
        "/honours/settings/", {"day": "1", "day-day": "2026-10-01", "day-name": "国庆节"}
    )
    assert response.status_code == 302
    page = fed.get("/honours/settings/").content.decode()
    assert "自治区劳动模范" in page and "国庆节" in page
    alice = client_for(world.city_officer)
    assert alice.get("/honours/settings/").status_code == 200
    assert (
        alice.post(
            "/honours/settings/", {"kind": "1", "kind-name": "x", "kind-level": "county"}
        ).status_code
        == 403
    )


POST_ONLY = [
    "campaigns/{c}/rules/",
    "campaigns/{c}/rules/1/remove/",
    "campaigns/{c}/notice/",
    "campaigns/{c}/committee/",
    "campaigns/{c}/vote/",
    "campaigns/{c}/certificates/",
    "nominations/{n}/step/",
    "nominations/{n}/clearance/",
    "nominations/{n}/attachments/",
    "nominations/{n}/votes/",
    "objections/1/reveal/",
    "register/{h}/status/",
    "register/{h}/update/",
    "register/{h}/photo/",
    "benefits/rates/",
    "sanatorium/1/book/",
]


def test_no_change_is_made_by_a_get(world, honours, client_for) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "甲"))
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2020
    )
    fed = client_for(world.fed_officer)
    for pattern in POST_ONLY:
        url = "/honours/" + pattern.format(c=honours.campaign.pk, n=nomination.pk, h=honouree.pk)
        assert fed.get(url).status_code == 405, url


def test_a_portrait_must_be_an_image(world, honours, tmp_path, settings, client_for) -> None:
    settings.MEDIA_ROOT = tmp_path
    honouree = Honouree.objects.create(
        name="乙",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2020,
        publication_consent=True,
    )
    dave = client_for(world.grassroots_officer)
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"<script>alert(1)</script>")
    with fake.open("rb") as upload:
        dave.post(f"/honours/register/{honouree.pk}/photo/", {"photo": upload})
    honouree.refresh_from_db()
    assert not honouree.photo
    real = tmp_path / "real.png"
    real.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with real.open("rb") as upload:
        dave.post(f"/honours/register/{honouree.pk}/photo/", {"photo": upload})
    honouree.refresh_from_db()
    assert honouree.photo.name.endswith(".png")
    assert Client().get(f"/public/honours/{honouree.pk}/photo/").status_code == 200
    Honouree.objects.filter(pk=honouree.pk).update(publication_consent=False)
    assert Client().get(f"/public/honours/{honouree.pk}/photo/").status_code == 404
    assert (
        client_for(world.outsider).post(f"/honours/register/{honouree.pk}/photo/").status_code
        == 404
    )


def test_the_register_keeps_retirement_and_hardship(world, honours, client_for) -> None:
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2010
    )
    dave = client_for(world.grassroots_officer)
    response = dave.post(
        f"/honours/register/{honouree.pk}/update/",
        {
            "story": "扎根一线。",
            "receives_allowance": "on",
            "retired_on": "2023-05-31",
            "is_in_hardship": "on",
        },
    )
    assert response.status_code == 302
    honouree.refresh_from_db()
    assert str(honouree.retired_on) == "2023-05-31" and honouree.is_in_hardship
    event = AuditEvent.objects.get(action="honouree.update")
    assert event.changes["hardship"] == [False, True]
    assert (
        client_for(world.city_viewer)
        .post(f"/honours/register/{honouree.pk}/update/", {})
        .status_code
        == 403
    )


def test_objections_from_one_address_are_limited(world, honours) -> None:
    nomination = _in_notice(world, honours, member(world.gr_a1, "被反映的人"))
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=timezone.localdate()
    )
    public = Client(REMOTE_ADDR="203.0.113.9")
    url = f"/public/notices/{nomination.pk}/objection/"
    report = {"contact": "13700001234", "facts": "反映的具体事实。"}
    for _ in range(5):
        assert "Thank you" in public.post(url, report).content.decode()
    refused = public.post(url, report).content.decode()
    assert "Too many reports" in refused and "反映的具体事实" in refused  # nothing typed is lost
    assert Objection.objects.count() == 5
    assert "Thank you" in Client(REMOTE_ADDR="203.0.113.10").post(url, report).content.decode()


def test_the_organiser_changes_campaign_settings_on_a_page(world, honours, client_for) -> None:
    fed = client_for(world.fed_officer)
    url = f"/honours/campaigns/{honours.campaign.pk}/edit/"
    assert fed.get(url).status_code == 200
    response = fed.post(
        url,
        {
            "name": "改名后的评选",
            "total_quota": "15",
            "review_levels": ["prefecture", "federation"],
            "notice_days": "7",
            "pass_numerator": "1",
            "pass_denominator": "2",
            "clearance_types": "市场监管，税务、审计",
        },
    )
    assert response.status_code == 302
    honours.campaign.refresh_from_db()
    assert honours.campaign.name == "改名后的评选" and honours.campaign.clearance_types == [
        "市场监管",
        "税务",
        "审计",
    ]
    assert client_for(world.city_officer).get(url).status_code == 403
    assert (
        client_for(world.outsider).get(url).status_code == 403
    )  # sees the region's campaign, may not change it


def test_the_member_is_found_by_name_and_chosen(world, honours, client_for) -> None:
    person = member(world.gr_a1, "古丽娜尔·艾力")
    member(world.gr_b1, "古丽娜尔·别人")  # another city's member: not offered
    dave = client_for(world.grassroots_officer)
    url = f"/honours/campaigns/{honours.campaign.pk}/nominate/"
    found = dave.get(url, {"q": "古丽娜尔"}).content.decode()
    assert "古丽娜尔·艾力" in found and "古丽娜尔·别人" not in found
    assert person.reveal_identity_number() not in found and person.identity_masked in found
    chosen = dave.get(url, {"person": person.pk}).content.decode()
    assert 'name="person_id"' in chosen and 'name="identity_number"' not in chosen
    form = {
        "organisation": world.gr_a1.pk,
        "achievements": "事迹。",
        "summary": "摘要。",
        "democratic_record": "职代会推荐。",
    }
    assert dave.post(url, {**form, "person_id": person.pk}).status_code == 302
    assert Nomination.objects.get().person == person
    stranger = member(world.gr_b1, "乙市的人")
    refused = dave.post(url, {**form, "person_id": stranger.pk})
    assert refused.status_code == 200 and Nomination.objects.count() == 1
