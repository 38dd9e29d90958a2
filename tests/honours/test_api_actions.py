"""The API's other doors: campaign settings, rules, honour kinds, the holiday calendar,
attachments, portraits, the past-honourees import and public objections. Each is scoped like
its page, audited, and tried by the personas, the outsider included."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gonghui.core.crypto import decrypt
from gonghui.core.models import AuditEvent
from gonghui.honours import actions
from gonghui.honours.importer import HONOUREE_SPEC
from gonghui.honours.models import (
    Attachment,
    CalendarDay,
    Condition,
    Direction,
    Honouree,
    HonourKind,
    NominationStatus,
    Objection,
    ProportionRule,
)
from tests.honours.conftest import member, nominate
from tests.honours.test_api import _api
from tests.honours.test_views import _in_notice

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _patch(client: Client, url: str, body: dict):
    return client.patch(f"/api/v1{url}", body, content_type="application/json")


def test_the_organiser_changes_a_campaign_through_the_api(world, honours) -> None:
    fed, alice, charlie = _api("fed"), _api("alice"), _api("charlie")
    url = f"/honours/campaigns/{honours.campaign.pk}"
    changed = _patch(fed, url, {"total_quota": 12, "notice_days": 7})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["total_quota"], body["notice_days"], body["name"]) == (
        12,
        7,
        honours.campaign.name,
    )
    event = AuditEvent.objects.get(action="campaign.update")
    assert event.changes["total_quota"] == [10, 12] and event.actor == world.fed_officer
    # the same refusals as the page: the levels stay once a nomination is under review
    nomination = nominate(world, honours, member(world.gr_a1, "甲"))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    refused = _patch(fed, url, {"review_levels": ["prefecture", "federation"]})
    assert refused.status_code == 400 and "review_levels" in refused.json()["errors"]
    assert _patch(alice, url, {"total_quota": 1}).status_code == 403
    assert _patch(charlie, url, {"total_quota": 1}).status_code in (403, 404)
    honours.campaign.refresh_from_db()
    assert honours.campaign.total_quota == 12


def test_a_rule_is_removed_through_the_api_by_the_organiser_only(world, honours) -> None:
    rule = actions.add_rule(
        by=world.fed_officer,
        campaign=honours.campaign,
        subset=Condition.ALL,
        condition=Condition.WOMAN,
        direction=Direction.AT_LEAST,
        percent=Decimal(20),
    )
    url = f"/api/v1/honours/campaigns/{honours.campaign.pk}/rules/{rule.pk}"
    assert _api("alice").delete(url).status_code == 403
    assert _api("charlie").delete(url).status_code in (403, 404)
    assert _api("fed").delete(f"{url}0").status_code == 404
    assert ProportionRule.objects.filter(pk=rule.pk).exists()
    assert _api("fed").delete(url).status_code == 204
    assert not ProportionRule.objects.exists()
    assert AuditEvent.objects.filter(action="campaign.rule_remove").exists()


def test_the_federation_adds_honours_and_keeps_the_calendar_through_the_api(world) -> None:
    fed, alice, charlie = _api("fed"), _api("alice"), _api("charlie")
    kind = {"name": "自治区五一劳动奖章", "level": "regional", "is_collective": False}
    created = fed.post("/api/v1/honours/kinds", kind, content_type="application/json")
    assert created.status_code == 201 and created.json()["name"] == "自治区五一劳动奖章"
    again = fed.post("/api/v1/honours/kinds", kind, content_type="application/json")
    assert again.status_code == 400
    for other in (alice, charlie):
        refused = other.post(
            "/api/v1/honours/kinds",
            {"name": "别的荣誉", "level": "county"},
            content_type="application/json",
        )
        assert refused.status_code == 403
    assert list(HonourKind.objects.values_list("name", flat=True)) == ["自治区五一劳动奖章"]

    day = fed.put(
        "/api/v1/honours/calendar/2026-10-01",
        {"is_workday": False, "name": "国庆节"},
        content_type="application/json",
    )
    assert day.status_code == 200 and day.json() == {
        "date": "2026-10-01",
        "is_workday": False,
        "name": "国庆节",
    }
    listed = alice.get("/api/v1/honours/calendar?year=2026").json()
    assert listed == [{"date": "2026-10-01", "is_workday": False, "name": "国庆节"}]
    assert alice.get("/api/v1/honours/calendar?year=2025").json() == []
    for other in (alice, charlie):
        assert (
            other.put(
                "/api/v1/honours/calendar/2026-10-02",
                {"name": "国庆节"},
                content_type="application/json",
            ).status_code
            == 403
        )
        assert other.delete("/api/v1/honours/calendar/2026-10-01").status_code == 403
    assert fed.delete("/api/v1/honours/calendar/2026-10-01").status_code == 204
    assert not CalendarDay.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.day").count() == 1
    assert AuditEvent.objects.filter(action="calendar.remove").count() == 1
    assert Client().get("/api/v1/honours/calendar").status_code == 401


def test_attachments_go_up_and_come_down_through_the_api(world, honours, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    nomination = nominate(world, honours, member(world.gr_a1, "附件人"))
    url = f"/api/v1/honours/nominations/{nomination.pk}/attachments"
    dave = _api("dave")
    added = dave.post(url, {"title": "职代会决议", "file": SimpleUploadedFile("决议.pdf", PDF)})
    assert added.status_code == 201, added.content
    body = added.json()
    assert body["title"] == "职代会决议" and body["size"] == len(PDF)
    assert AuditEvent.objects.filter(action="nomination.attachment").count() == 1
    # the county above sees and downloads it, byte for byte
    listed = _api("carol").get(url).json()
    assert [a["title"] for a in listed] == ["职代会决议"]
    download = _api("carol").get(body["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # a renamed file, a wrong type, an empty title: refused with a reason, nothing kept
    for name, content, field in [
        ("scan.pdf", b"MZ\x90\x00 this is a program", "file"),
        ("tool.exe", b"MZ\x90\x00", "file"),
        ("photo.png", b"GIF89a", "file"),
    ]:
        refused = dave.post(url, {"title": "扫描件", "file": SimpleUploadedFile(name, content)})
        assert refused.status_code == 400 and field in refused.json()["errors"], name
    empty = dave.post(url, {"title": " ", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert empty.status_code == 400
    assert Attachment.objects.count() == 1
    # a viewer may read but not add; the outsider sees nothing at all
    assert (
        _api("bob").post(url, {"title": "x", "file": SimpleUploadedFile("a.pdf", PDF)}).status_code
        == 403
    )
    charlie = _api("charlie")
    assert charlie.get(url).status_code == 404
    assert charlie.get(body["download"]).status_code == 404
    assert (
        charlie.post(url, {"title": "x", "file": SimpleUploadedFile("a.pdf", PDF)}).status_code
        == 404
    )


def test_the_web_refuses_a_renamed_attachment_too(
    world, honours, settings, tmp_path, client_for
) -> None:
    settings.MEDIA_ROOT = tmp_path
    nomination = nominate(world, honours, member(world.gr_a1, "网页附件人"))
    dave = client_for(world.grassroots_officer)
    url = f"/honours/nominations/{nomination.pk}/attachments/"
    dave.post(url, {"title": "假文件", "file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert not Attachment.objects.exists()
    dave.post(url, {"title": "真文件", "file": SimpleUploadedFile("x.pdf", PDF)})
    assert Attachment.objects.get().title == "真文件"


def test_a_portrait_goes_up_through_the_api(world, honours, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2020
    )
    url = f"/api/v1/honours/honourees/{honouree.pk}/photo"
    dave = _api("dave")
    fake = dave.post(url, {"photo": SimpleUploadedFile("me.jpg", b"<script>alert(1)</script>")})
    assert fake.status_code == 400 and "photo" in fake.json()["errors"]
    done = dave.post(url, {"photo": SimpleUploadedFile("me.png", PNG)})
    assert done.status_code == 200 and done.json()["has_photo"] is True
    honouree.refresh_from_db()
    assert honouree.photo.name.endswith(".png")
    assert AuditEvent.objects.filter(action="honouree.photo").count() == 1
    assert _api("bob").post(url, {"photo": SimpleUploadedFile("b.png", PNG)}).status_code == 403
    assert _api("charlie").post(url, {"photo": SimpleUploadedFile("c.png", PNG)}).status_code == 404


# the columns the rows below fill, in their order
COLUMNS = ("name", "kind", "level", "year", "union", "status", "reason", "consent", "allowance")
HEADER = ",".join(HONOUREE_SPEC.header(key) for key in COLUMNS) + "\n"


def _csv(rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("往届劳模.csv", (HEADER + rows).encode("utf-8"))


def test_past_honourees_are_imported_through_the_api_all_or_nothing(world, honours) -> None:
    dave = _api("dave")
    url = "/api/v1/honours/imports/honourees"
    bad = dave.post(
        url,
        {
            "file": _csv(
                "好人,自治区劳动模范,自治区,2015,CA-K-1,保持,,是,否\n"
                ",不存在的荣誉,省部级,15,CA-K-1,保持,,也许,否\n"
                "外县的人,自治区劳动模范,自治区,2015,CB-1,保持,,是,否\n"
            )
        },
    )
    assert bad.status_code == 400
    report = bad.json()
    assert report["created"] == 0 and report["ready"] == 1
    rows = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(3, "姓名"), (3, "荣誉名称"), (3, "荣誉级别"), (3, "年度"), (3, "同意公开")} <= rows
    assert (4, "工会代码") in rows  # another city's union is outside dave's scope
    assert all(e["message"] for e in report["errors"])
    assert not Honouree.objects.exists()

    good = _csv("好人,自治区劳动模范,自治区,2015,CA-K-1,保持,,是,否\n")
    dry = dave.post(url, {"file": good, "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["ready"] == 1 and dry.json()["created"] == 0
    assert not Honouree.objects.exists()
    done = dave.post(url, {"file": _csv("好人,自治区劳动模范,自治区,2015,CA-K-1,保持,,是,否\n")})
    assert done.status_code == 201 and done.json()["created"] == 1
    assert Honouree.objects.get().organisation == world.gr_a1
    assert AuditEvent.objects.filter(action="honouree.import", actor=world.grassroots_officer)

    wrong = dave.post(url, {"file": SimpleUploadedFile("list.txt", b"x")})
    assert wrong.status_code == 400 and "file" in wrong.json()["errors"]
    broken = dave.post(url, {"file": SimpleUploadedFile("list.xlsx", b"not a workbook")})
    assert broken.status_code == 400 and "file" in broken.json()["errors"]
    assert _api("bob").post(url, {"file": good}).status_code == 403
    outsider = _api("charlie").post(
        url, {"file": _csv("好人二,自治区劳动模范,自治区,2016,CA-K-1,保持,,是,否\n")}
    )
    assert outsider.status_code == 400 and outsider.json()["errors"][0]["column"] == "工会代码"
    assert Honouree.objects.count() == 1


def test_an_import_larger_than_the_limit_is_refused(world, honours, settings) -> None:
    settings.IMPORT_MAX_BYTES = 10
    row = "好人,自治区劳动模范,自治区,2015,CA-K-1,保持,,是,否\n"
    large = _api("dave").post("/api/v1/honours/imports/honourees", {"file": _csv(row)})
    assert large.status_code == 400 and "limit" in large.json()["detail"]
    assert not Honouree.objects.exists()


def test_anyone_objects_through_the_api_under_the_pages_rate_limit(world, honours) -> None:
    nomination = _in_notice(world, honours, member(world.gr_a1, "被反映的人"))
    hidden = _in_notice(world, honours, member(world.gr_a1, "不公开的人"), consent=False)
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=timezone.localdate()
    )
    public = Client(REMOTE_ADDR="203.0.113.7")
    url = f"/api/v1/public/notices/nominations/{nomination.pk}/objections"
    report = {"reporter": "张三", "contact": "13700001234", "facts": "所在企业存在欠薪问题。"}
    short = public.post(url, {"contact": "x", "facts": "短"}, content_type="application/json")
    assert short.status_code == 400 and "facts" in short.json()["errors"]
    filed = public.post(url, report, content_type="application/json")
    assert filed.status_code == 201 and filed.json()["filed"] is True
    objection = Objection.objects.get()
    assert (
        objection.assigned_to == world.gr_a1
        and decrypt(objection.contact_sealed, field="objection_contact") == "13700001234"
    )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.OBJECTION
    # a nominee not shown on the notice cannot be objected to, nor one out of notice
    hidden_url = f"/api/v1/public/notices/nominations/{hidden.pk}/objections"
    assert public.post(hidden_url, report, content_type="application/json").status_code == 404
    # the page and the API share one limit per address
    page = f"/public/notices/{nomination.pk}/objection/"
    for _ in range(4):
        assert "Thank you" in public.post(page, report).content.decode()
    limited = public.post(url, report, content_type="application/json")
    assert limited.status_code == 429 and "Too many reports" in limited.json()["detail"]
    assert Objection.objects.count() == 5
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(url, report, content_type="application/json").status_code == 201


def test_no_objection_once_the_notice_has_closed(world, honours) -> None:
    nomination = _in_notice(world, honours, member(world.gr_a1, "过期的人"))
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=date(2020, 1, 6)
    )
    url = f"/api/v1/public/notices/nominations/{nomination.pk}/objections"
    response = Client().post(
        url, {"contact": "13700001234", "facts": "反映的事实。"}, content_type="application/json"
    )
    assert response.status_code == 404 and not Objection.objects.exists()


def _operations(text: str) -> set[tuple[str, str]]:
    """(method, path) pairs, every `{placeholder}` alike and query strings dropped."""
    found = re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)", text)
    return {(method, re.sub(r"\{[^}]*\}", "{}", path)) for method, path in found}


def test_every_honours_operation_is_in_the_api_guide(world, client_for) -> None:
    client = client_for(world.fed_officer)
    schema = client.get("/api/v1/openapi.json").json()
    served = {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1")))
        for path, operations in schema["paths"].items()
        if path.startswith(("/api/v1/honours/", "/api/v1/public/"))
        for method in operations
    }
    documented = _operations((Path(django_settings.BASE_DIR) / "docs" / "api.md").read_text())
    assert len(served) > 40
    assert served - documented == set()


def test_a_draft_is_changed_through_the_api_until_it_is_submitted(world, honours) -> None:
    nomination = nominate(world, honours, member(world.gr_a1, "修改人"))
    url = f"/honours/nominations/{nomination.pk}"
    dave = _api("dave")
    changed = _patch(dave, url, {"summary": "新的简要事迹。", "is_farmer": True})
    assert changed.status_code == 200, changed.content
    assert changed.json()["summary"] == "新的简要事迹。" and changed.json()["is_farmer"] is True
    assert changed.json()["achievements"] == nomination.achievements  # untouched
    event = AuditEvent.objects.get(action="nomination.update")
    assert event.changes["farmer"] == [False, True]
    assert _patch(dave, url, {"summary": " "}).status_code == 400
    assert _patch(_api("bob"), url, {"summary": "x"}).status_code == 403
    assert _patch(_api("charlie"), url, {"summary": "x"}).status_code == 404
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    assert _patch(dave, url, {"summary": "提交后不能改。"}).status_code == 400
    nomination.refresh_from_db()
    assert nomination.summary == "新的简要事迹。"


def test_the_register_facts_are_changed_through_the_api(world, honours) -> None:
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2010
    )
    url = f"/honours/honourees/{honouree.pk}"
    dave = _api("dave")
    changed = _patch(dave, url, {"story": "扎根一线三十年。", "retired_on": "2023-05-31"})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["story"], body["retired_on"], body["receives_allowance"]) == (
        "扎根一线三十年。",
        "2023-05-31",
        False,
    )
    assert _patch(dave, url, {"retired_on": None}).json()["retired_on"] is None
    assert _patch(_api("bob"), url, {"story": "x"}).status_code == 403
    assert _patch(_api("charlie"), url, {"story": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="honouree.update").count() == 2


def test_quotas_are_shared_by_member_counts_through_the_api(world, honours) -> None:
    for name in ("甲", "乙", "丙"):
        member(world.gr_a1, name)
    member(world.gr_b1, "丁")
    url = f"/api/v1/honours/campaigns/{honours.campaign.pk}/quotas/by-members"
    shared = _api("fed").post(url, {"parent_code": "R"}, content_type="application/json")
    assert shared.status_code == 200, shared.content
    quotas = {q["organisation_code"]: q for q in shared.json()}
    assert quotas["CA"]["quota"] + quotas["CB"]["quota"] == 10
    assert quotas["CA"]["quota"] > quotas["CB"]["quota"] and quotas["CA"]["by_formula"]
    # a city shares only its own quota, and nobody else's
    alice = _api("alice").post(url, {"parent_code": "R"}, content_type="application/json")
    assert alice.status_code in (403, 404)
    charlie = _api("charlie").post(url, {"parent_code": "CA"}, content_type="application/json")
    assert charlie.status_code == 404
    own = _api("alice").post(url, {"parent_code": "CA"}, content_type="application/json")
    assert own.status_code == 200 and sum(q["quota"] for q in own.json()) == quotas["CA"]["quota"]


def test_the_federation_sets_allowance_rates_through_the_api(world) -> None:
    fed, alice = _api("fed"), _api("alice")
    url = "/api/v1/honours/allowance-rates"
    saved = fed.put(f"{url}/national", {"monthly_amount": "100"}, content_type="application/json")
    assert saved.status_code == 200 and Decimal(saved.json()["monthly_amount"]) == 100
    negative = fed.put(f"{url}/regional", {"monthly_amount": "-1"}, content_type="application/json")
    assert negative.status_code == 422
    unknown = fed.put(f"{url}/galactic", {"monthly_amount": "1"}, content_type="application/json")
    assert unknown.status_code in (400, 422)
    for other in (alice, _api("charlie")):
        refused = other.put(
            f"{url}/county", {"monthly_amount": "5"}, content_type="application/json"
        )
        assert refused.status_code == 403
    assert [(r["level"], Decimal(r["monthly_amount"])) for r in alice.get(url).json()] == [
        ("national", Decimal(100))
    ]
    assert AuditEvent.objects.filter(action="benefit.rate").count() == 1
