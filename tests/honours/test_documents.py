"""Official documents: the approval form (PDF and Word) and the public notice (PDF), in
Chinese, with each level's opinion and date, ready for the seal."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from gonghui.core.models import AuditEvent
from gonghui.honours import actions
from gonghui.honours.documents import chinese_day
from tests.honours.conftest import make_honours, member, nominate

pytestmark = pytest.mark.django_db


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _shortlisted(world, honours, name: str):
    nomination = nominate(world, honours, member(world.gr_a1, name, female=True))
    actions.submit_nomination(by=world.grassroots_officer, nomination=nomination)
    actions.approve_nomination(by=world.county_officer, nomination=nomination)
    actions.approve_nomination(by=world.city_officer, nomination=nomination)
    return nomination


def test_the_approval_form_names_each_level_with_its_opinion_and_day(world, client_for) -> None:
    honours = make_honours(world)
    nomination = _shortlisted(world, honours, "阿依古丽·买买提")
    client = client_for(world.city_officer)
    response = client.get(f"/honours/nominations/{nomination.pk}/approval-form.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    [page] = _pdf_pages(response.content)
    today = chinese_day(timezone.localdate())
    assert f"{honours.campaign.name}推荐审批表" in page
    assert "阿依古丽·买买提" in page and "女" in page
    for level in ("甲县一厂工会意见", "甲县总工会意见", "甲市总工会意见", "自治区总工会意见"):
        assert level in page
    assert page.count("同意上报") == 2 and today in page
    assert "年　　月　　日" in page or "年 月 日" in page  # the federation has not signed yet
    assert page.count("盖章") == 4
    word = client.get(f"/honours/nominations/{nomination.pk}/approval-form.docx")
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(word.content)
    assert "甲市总工会意见" in text and "同意上报" in text and today in text
    assert AuditEvent.objects.filter(action="nomination.print_form").count() == 2


def test_the_campaigns_forms_are_one_page_a_nominee_within_scope(world, client_for) -> None:
    honours = make_honours(world)
    _shortlisted(world, honours, "王工")
    _shortlisted(world, honours, "李工")
    nominate(world, honours, member(world.gr_a1, "赵工"))  # a draft: no form yet
    pages = _pdf_pages(
        client_for(world.fed_officer)
        .get(f"/honours/campaigns/{honours.campaign.pk}/approval-forms.pdf")
        .content
    )
    assert len(pages) == 2 and {"王工" in pages[0], "李工" in pages[1]} == {True}
    # the outsider sees the federation's campaign, but none of these nominations
    outsider = client_for(world.outsider)
    refused = outsider.get(f"/honours/campaigns/{honours.campaign.pk}/approval-forms.pdf")
    assert refused.status_code == 302 and refused["Content-Type"].startswith("text/html")


def test_the_public_notice_is_ready_to_post(world, client_for) -> None:
    honours = make_honours(world)
    campaign = honours.campaign
    campaign.notice_contact_phone = "0991-2345678"
    campaign.notice_contact_address = "乌鲁木齐市天山区光明路1号"
    campaign.save(update_fields=["notice_contact_phone", "notice_contact_address"])
    client = client_for(world.fed_officer)
    early = client.get(f"/honours/campaigns/{campaign.pk}/notice.pdf")
    assert early.status_code == 302  # nothing to post before the notice is published
    nomination = _shortlisted(world, honours, "王工")
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    starts = date(2026, 12, 7)
    actions.publish_notice(by=world.fed_officer, campaign=campaign, starts_on=starts)
    campaign.refresh_from_db()
    text = "".join(_pdf_pages(client.get(f"/honours/campaigns/{campaign.pk}/notice.pdf").content))
    assert f"关于{campaign.name}拟表彰人选的公示" in text.replace("\n", "")
    flat = text.replace("\n", "")
    assert f"公示期为2026年12月7日至{chinese_day(campaign.notice_ends)}" in flat
    assert "0991-2345678" in flat and "乌鲁木齐市天山区光明路1号" in flat
    assert "王工" in flat and nomination.summary in flat
    assert campaign.notice_ends - starts < timedelta(days=14)


def test_the_campaign_page_says_why_a_step_is_not_offered(world, client_for) -> None:
    honours = make_honours(world)
    fed = client_for(world.fed_officer)
    page = fed.get(honours.campaign.get_absolute_url()).content.decode()
    assert 'data-testid="notice-refused"' in page and 'data-testid="publish-notice"' not in page
    assert "There is nobody on the shortlist to publish." in page
    nomination = _shortlisted(world, honours, "王工")
    actions.approve_nomination(by=world.fed_officer, nomination=nomination)
    page = fed.get(honours.campaign.get_absolute_url()).content.decode()
    assert 'data-testid="publish-notice"' in page
    actions.publish_notice(
        by=world.fed_officer, campaign=honours.campaign, starts_on=timezone.localdate()
    )
    page = fed.get(honours.campaign.get_absolute_url()).content.decode()
    assert "A notice for this campaign is already open." in page
    assert 'data-testid="vote-refused"' in page and 'data-testid="start-vote"' not in page
