"""The results list as a PDF: the skills signed off, in rank order, in Chinese."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from gonghui.contests import actions
from gonghui.core.models import AuditEvent
from tests.contests.conftest import fill_marks

pytestmark = pytest.mark.django_db


def test_the_results_list_holds_the_signed_off_skills(world, running, client_for) -> None:
    url = reverse("contests:results_pdf", args=[running.contest.code])
    alice = client_for(world.city_officer)
    assert alice.get(url).status_code == 302  # nothing signed off: nothing to post
    one, two, three = running.competitors
    fill_marks(
        running.skill,
        {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 2, 2]), three: ("40", [1, 1, 1, 1])},
    )
    actions.sign_off_skill(by=None, skill=running.skill)
    response = alice.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = text.replace("\n", "")
    assert f"{running.contest.name}成绩公布表" in flat
    assert "甲市总工会" in flat and "年" in flat and "月" in flat
    names = [c.person.name for c in (one, two, three)]
    assert all(name in flat for name in names)
    assert flat.index(names[0]) < flat.index(names[1]) < flat.index(names[2])
    assert "金牌" in flat
    assert AuditEvent.objects.filter(action="contest.results.export").exists()
    assert client_for(world.outsider).get(url).status_code == 404
