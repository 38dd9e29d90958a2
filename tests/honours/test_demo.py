"""The honours demo: what a new user finds, and that public pages leak nothing of it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gonghui.honours.demo import build_honours
from gonghui.honours.models import (
    Booking,
    Campaign,
    Honouree,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
)
from gonghui.orgs.demo import build_demo
from gonghui.people.demo import build_roster
from gonghui.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db) -> dict[str, int]:
    build_demo(grassroots_per_county=1)
    build_roster(members=40)
    return build_honours()


def test_the_demo_has_a_finished_campaign_a_notice_with_an_objection_and_a_register(demo) -> None:
    finished = Campaign.objects.get(year=2025)
    statuses = set(finished.nominations.values_list("status", flat=True))
    assert NominationStatus.APPROVED in statuses
    current = Campaign.objects.get(year=2026)
    assert current.nominations.filter(status=NominationStatus.OBJECTION).count() == 1
    assert Objection.objects.filter(status=ObjectionStatus.OPEN).count() == 1
    assert Honouree.objects.filter(campaign=finished).exists()
    assert Honouree.objects.filter(benefits__isnull=False).distinct().count() >= 4
    assert Booking.objects.count() == 3


def _public_pages(client: Client) -> str:
    pages = [client.get("/public/notices/").content.decode()]
    page = 1
    while True:
        text = client.get(f"/public/honours/?page={page}").content.decode()
        pages.append(text)
        if f"page={page + 1}" not in text:
            break
        page += 1
    return "\n".join(pages)


def test_public_pages_carry_no_identity_number_phone_or_non_consenting_person(demo) -> None:
    text = _public_pages(Client())
    assert "2026年自治区五一劳动奖章评选" in text  # the notice is open
    assert "热依拉·阿不都" in text and "古丽米拉·热合曼" in text  # consenting: shown
    for person in Person.objects.all():
        for secret in (
            person.reveal_identity_number(),
            person.identity_masked,
            person.phone_masked,
        ):
            if secret:
                assert secret not in text, person.name
        if person.phone_sealed:
            assert person.reveal_phone() not in text
    for nomination in Nomination.objects.filter(publication_consent=False):
        assert nomination.display_name not in text
    for honouree in Honouree.objects.filter(publication_consent=False):
        assert honouree.name not in text
    # nothing that looks like an identity number or a mobile at all
    assert not re.search(r"\d{17}[\dXx]", text)
    assert not re.search(r"1[3-9]\d{9}", text)
