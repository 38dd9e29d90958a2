"""Certificates: one page per medal or award, the CJK font embedded; a clear error without it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.contests.certificates import FontMissing, render_certificates
from gonghui.contests.marking import SkillSheet
from gonghui.core import pdf


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_certificates_embed_the_font_one_page_per_award(finished) -> None:
    lines = SkillSheet.load(finished.skill).lines
    pdf = render_certificates(finished.contest, lines)
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) == 3  # gold, silver, bronze; nobody else has an award
    assert b"/FontFile2" in pdf  # TrueType outlines embedded (subset), not merely referenced
    assert re.search(rb"/FontName /[A-Z]{6}\+", pdf)  # a subset, named as embedded


def test_missing_font_says_what_to_install(finished, monkeypatch) -> None:
    lines = SkillSheet.load(finished.skill).lines
    pdf.cjk_font.cache_clear()
    monkeypatch.setenv("GONGHUI_PDF_FONT", "/nonexistent/font.ttf")
    try:
        with pytest.raises(FontMissing, match="make pdf-fonts"):
            render_certificates(finished.contest, lines)
    finally:
        monkeypatch.delenv("GONGHUI_PDF_FONT")
        pdf.cjk_font.cache_clear()


def test_certificates_download_for_viewers_only_in_scope(world, finished, client_for) -> None:
    viewer = client_for(world.city_viewer)
    response = viewer.get(reverse("contests:certificates", args=[finished.contest.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _pages(response.content) == 3
    skill_pdf = viewer.get(reverse("contests:skill_certificates", args=[finished.skill.pk]))
    assert skill_pdf.status_code == 200


def test_no_certificates_before_sign_off(world, running, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.get(
        reverse("contests:certificates", args=[running.contest.code]), follow=True
    )
    assert "No certificates yet" in response.content.decode()
