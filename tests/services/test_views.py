"""The hardship pages: scope for each persona, the forms, the steps, the filters."""

import pytest

from gonghui.services.models import Assistance, FileStatus, HardshipFile
from tests.contests.factories import identity_number

pytestmark = pytest.mark.django_db


def test_officer_of_the_union_sees_the_file_with_its_figure(world, client_for, draft):
    page = client_for(world.grassroots_officer).get(draft.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "333.33" in text and draft.person.identity_masked in text
    assert identity_number(1) not in text


@pytest.mark.parametrize(
    "persona", ["city_officer", "city_viewer", "county_officer", "fed_officer"]
)
def test_the_subtree_reads_the_file(world, client_for, draft, persona):
    assert client_for(getattr(world, persona)).get(draft.get_absolute_url()).status_code == 200


def test_outsider_sees_nothing(world, client_for, draft):
    client = client_for(world.outsider)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(f"/services/{draft.pk}/step/", {"step": "submit"}).status_code == 404
    assert draft.person.name not in client.get("/services/").content.decode()


def test_viewer_cannot_act(world, client_for, draft):
    client = client_for(world.city_viewer)
    assert client.post(f"/services/{draft.pk}/step/", {"step": "submit"}).status_code == 403
    assert client.get(f"/services/{draft.pk}/edit/").status_code == 403
    assert client.get("/services/new/").status_code == 403


def test_create_a_file_by_identity_number(world, client_for, worker):
    client = client_for(world.grassroots_officer)
    assert client.get("/services/new/").status_code == 200
    response = client.post(
        "/services/new/",
        {
            "union": world.gr_a1.pk,
            "identity_number": identity_number(1),
            "dibao_line": "600",
            "income": "6000",
            "medical": "0",
            "schooling": "0",
            "disability": "0",
            "job_seeking": "0",
            "hardship_costs": "0",
            "worker_income": "6000",
        },
    )
    file = HardshipFile.objects.get()
    assert response.status_code == 302 and response.url == file.get_absolute_url()
    assert file.tier == "deep"


def test_add_member_then_submit_and_approve(world, client_for, worker):
    client = client_for(world.grassroots_officer)
    from .conftest import open_with_household

    file = open_with_household(world, worker, size=1)
    response = client.post(
        f"/services/{file.pk}/members/",
        {"relation": "spouse", "name": "王芳", "birth_year": "1991", "income": "0"},
    )
    assert response.status_code == 302
    client.post(f"/services/{file.pk}/step/", {"step": "submit"})
    county = client_for(world.county_officer)
    assert 'data-testid="approve"' in county.get(file.get_absolute_url()).content.decode()
    county.post(f"/services/{file.pk}/step/", {"step": "approve"})
    file.refresh_from_db()
    assert file.status == FileStatus.APPROVED and file.household_size == 2


def test_grassroots_officer_is_not_offered_approval(world, client_for, draft):
    client = client_for(world.grassroots_officer)
    client.post(f"/services/{draft.pk}/step/", {"step": "submit"})
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="approve"' not in page
    client.post(f"/services/{draft.pk}/step/", {"step": "approve"})
    draft.refresh_from_db()
    assert draft.status == FileStatus.SUBMITTED


def test_duplicate_aid_is_refused_on_the_page(world, client_for, approved):
    client = client_for(world.grassroots_officer)
    data = {"paid_on": "2026-01-20", "kind": "warmth", "amount": "800", "fund_source": "送温暖"}
    assert client.post(f"/services/{approved.pk}/assistance/", data).status_code == 302
    again = client.post(f"/services/{approved.pk}/assistance/", data)
    assert again.status_code == 400 and "already received" in again.content.decode()
    assert Assistance.objects.count() == 1


def test_close_from_the_page(world, client_for, approved):
    client = client_for(world.grassroots_officer)
    client.post(f"/services/{approved.pk}/step/", {"step": "close", "close_reason": "retired"})
    approved.refresh_from_db()
    assert approved.status == FileStatus.CLOSED


def test_list_filters(world, client_for, draft):
    client = client_for(world.city_officer)
    assert draft.person.name in client.get("/services/?tier=deep").content.decode()
    assert draft.person.name not in client.get("/services/?tier=relative").content.decode()
    assert draft.person.name in client.get("/services/?union=CA-K").content.decode()
    assert draft.person.name not in client.get("/services/?union=CA-3").content.decode()
    assert draft.person.name not in client.get("/services/?status=approved").content.decode()


def test_workbench_shows_files_to_approve(world, client_for, draft):
    client_for(world.grassroots_officer).post(f"/services/{draft.pk}/step/", {"step": "submit"})
    home = client_for(world.county_officer).get("/").content.decode()
    assert "1 hardship file waits for your approval" in home
    assert "waits for your approval" not in client_for(world.outsider).get("/").content.decode()


def test_navigation_has_the_programme(world, client_for):
    assert "/services/" in client_for(world.grassroots_officer).get("/").content.decode()


def test_find_the_worker_by_name_and_open_the_file(world, client_for, worker):
    client = client_for(world.grassroots_officer)
    found = client.get("/services/new/?q=职工").content.decode()
    assert f"?person={worker.pk}" in found
    elsewhere = client_for(world.outsider).get("/services/new/?q=职工").content.decode()
    assert worker.name not in elsewhere and "?person=" not in elsewhere
    response = client.post(
        f"/services/new/?person={worker.pk}",
        {"person_id": worker.pk, "union": world.gr_a1.pk, "dibao_line": "600", "income": "5000"},
    )
    assert response.status_code == 302
    assert HardshipFile.objects.get().person == worker


def test_the_file_page_reads_in_chinese(world, client_for, draft):
    client = client_for(world.grassroots_officer)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "深度困难" in page and "低于当地低保标准" in page
