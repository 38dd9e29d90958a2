"""Every import the apps declare gets the same pages: an upload page linking to its template,
a template whose header row is the kind's spec, and a refusal for the outsider."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.imports.kinds import kinds

pytestmark = pytest.mark.django_db

DECLARED = {"orgs.organisations", "honours.honourees", "contests.workbook", "people.roster"}


def test_the_apps_declare_their_imports() -> None:
    assert {kind.code for kind in kinds()} >= DECLARED


@pytest.mark.parametrize("code", sorted(DECLARED))
def test_each_import_offers_its_template_from_its_spec(world, code) -> None:
    kind = next(kind for kind in kinds() if kind.code == code)
    client = Client()
    client.force_login(world.fed_officer)
    page = client.get(reverse(kind.url_name))
    template_url = reverse(f"{kind.url_name}_template")
    assert page.status_code == 200 and template_url in page.content.decode()
    workbook = load_workbook(io.BytesIO(client.get(template_url).content))
    for name, spec in kind.template_sheets:
        sheet = workbook[name[:31]]
        assert [cell.value for cell in sheet[1]] == spec.headers
        assert all(cell.comment is not None for cell in sheet[1])


@pytest.mark.parametrize("code", sorted(DECLARED))
def test_a_viewer_gets_neither_the_page_nor_the_template(world, code) -> None:
    kind = next(kind for kind in kinds() if kind.code == code)
    client = Client()
    client.force_login(world.city_viewer)
    assert client.get(reverse(kind.url_name)).status_code in {403, 404}
    assert client.get(reverse(f"{kind.url_name}_template")).status_code in {403, 404}
