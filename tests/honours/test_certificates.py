"""荣誉证书: a PDF with the Chinese font embedded, one per honouree or a campaign in batch."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from gonghui.core import pdf
from gonghui.core.models import AuditEvent
from gonghui.core.pdf import chinese_date
from gonghui.honours import actions
from gonghui.honours.certificates import certificate_pdf
from gonghui.honours.models import BatchState, CertificateBatch, Honouree
from tests.honours.test_api import _api

pytestmark = pytest.mark.django_db


@pytest.fixture
def honouree(world, honours) -> Honouree:
    return Honouree.objects.create(
        name="热依拉·阿不都",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2026,
        campaign=honours.campaign,
        unit_name="新疆瑞丰棉业有限公司",
    )


def test_the_certificate_embeds_a_truetype_cjk_font(honouree) -> None:
    document = certificate_pdf([honouree])
    assert document.startswith(b"%PDF")
    assert b"/FontFile2" in document  # TrueType outlines, embedded
    assert b"/Type /Page" in document
    assert document.count(b"/Type /Page\n") + document.count(b"/Type /Page ") >= 1


def test_dates_are_written_in_chinese_numerals() -> None:
    assert chinese_date(date(2026, 5, 1)) == "二〇二六年五月一日"
    assert chinese_date(date(2025, 10, 28)) == "二〇二五年十月二十八日"
    assert chinese_date(date(2020, 12, 10)) == "二〇二〇年十二月十日"


def test_a_missing_font_says_how_to_install_one(monkeypatch) -> None:
    pdf.cjk_font.cache_clear()
    monkeypatch.setenv("GONGHUI_PDF_FONT", "/nonexistent/font.ttf")
    try:
        with pytest.raises(pdf.FontMissing, match="make pdf-fonts"):
            pdf.cjk_font()
    finally:
        pdf.cjk_font.cache_clear()


def test_a_batch_prints_the_campaigns_honourees_in_the_background(
    world, honours, honouree, settings, django_capture_on_commit_callbacks, client_for
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(world.fed_officer)
    with pytest.raises(PermissionDenied):  # only the organiser prints
        actions.request_certificates(by=world.city_officer, campaign=honours.campaign)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/honours/campaigns/{honours.campaign.pk}/certificates/")
    assert response.status_code == 302
    batch = CertificateBatch.objects.get()  # the task ran on commit (immediate backend)
    assert batch.state == BatchState.DONE and batch.total == 1
    assert "Ready" in client.get(f"/honours/certificates/{batch.pk}/").content.decode()
    download = client.get(f"/honours/certificates/{batch.pk}/?download=1")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert Client().get(f"/honours/certificates/{batch.pk}/").status_code == 302  # sign in first
    outsider = client_for(world.outsider)
    assert outsider.get(f"/honours/certificates/{batch.pk}/").status_code == 404


def test_one_certificate_from_the_register_page(world, honouree, client_for) -> None:
    dave = client_for(world.grassroots_officer)
    response = dave.get(f"/honours/register/{honouree.pk}/certificate.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    charlie = client_for(world.outsider)
    assert charlie.get(f"/honours/register/{honouree.pk}/certificate.pdf").status_code == 404


def test_one_certificate_through_the_api(world, honouree) -> None:
    response = _api("dave").get(f"/api/v1/honours/honourees/{honouree.pk}/certificate")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="certificate.print", actor=world.grassroots_officer)
    assert (
        _api("bob").get(f"/api/v1/honours/honourees/{honouree.pk}/certificate").status_code == 403
    )
    assert (
        _api("charlie").get(f"/api/v1/honours/honourees/{honouree.pk}/certificate").status_code
        == 404
    )
