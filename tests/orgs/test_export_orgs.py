"""Exporting the organisation tree: `gonghui export_orgs` and the export downloads."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from gonghui.core.models import AuditEvent
from gonghui.orgs.actions import update_organisation

# the export's header written out, not taken from the spec: it is what users' files hold
HEADERS = ["组织代码", "组织名称", "上级组织代码", "组织类型", "行政区划代码", "统一社会信用代码"]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body, newline="")))


def test_the_command_exports_the_whole_tree_parents_first(world, tmp_path):
    target = tmp_path / "orgs.xlsx"

    call_command("export_orgs", "-o", str(target), stdout=io.StringIO())

    rows = [[c.value for c in row] for row in openpyxl.load_workbook(target).active.iter_rows()]
    assert rows[0] == HEADERS
    assert rows[1] == ["R", "自治区总工会", None, "总工会", None, None]
    assert rows[2][:4] == ["CA", "甲市总工会", "R", "地州市总工会"]
    codes = [row[0] for row in rows[1:]]
    assert codes.index("CA-K") < codes.index("CA-K-1")
    event = AuditEvent.objects.get(action="org.export")
    assert event.extra == {"rows": 8, "format": "xlsx", "root": ""}


def test_the_command_exports_one_subtree_as_csv(world, tmp_path):
    target = tmp_path / "orgs.csv"

    call_command("export_orgs", "-o", str(target), "--root", "CA-K", stdout=io.StringIO())

    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ["CA-K", "CA-K-1", "CA-K-2"]
    assert rows[1][2:4] == ["CA", "县（市、区）总工会"]
    assert AuditEvent.objects.get(action="org.export").organisation == world.county_a


def test_the_command_refuses_an_unknown_root_and_format(world, tmp_path):
    with pytest.raises(CommandError, match="no organisation with code NOPE"):
        call_command("export_orgs", "-o", str(tmp_path / "x.csv"), "--root", "NOPE")
    with pytest.raises(CommandError, match=r"\.csv or \.xlsx"):
        call_command("export_orgs", "-o", str(tmp_path / "x.pdf"))


def test_a_download_holds_only_the_users_subtree(world, client_for):
    city = csv_rows(client_for(world.city_officer).get("/orgs/export.csv"))
    viewer = csv_rows(client_for(world.city_viewer).get("/orgs/export.csv"))
    outsider = csv_rows(client_for(world.outsider).get("/orgs/export.csv"))

    assert city[0] == HEADERS
    assert {row[0] for row in city[1:]} == {"CA", "CA-K", "CA-K-1", "CA-K-2", "CA-3"}
    assert viewer == city
    assert [row[0] for row in outsider[1:]] == ["CB-1"]


def test_a_download_follows_the_list_filters(world, client_for):
    client = client_for(world.fed_officer)

    by_type = csv_rows(client.get("/orgs/export.csv", {"type": "grassroots"}))
    by_parent = csv_rows(client.get("/orgs/export.csv", {"parent": "CA-K"}))
    by_text = csv_rows(client.get("/orgs/export.csv", {"q": "乙市"}))

    assert {row[0] for row in by_type[1:]} == {"CA-K-1", "CA-K-2", "CA-3", "CB-1"}
    assert {row[0] for row in by_parent[1:]} == {"CA-K-1", "CA-K-2"}
    assert {row[0] for row in by_text[1:]} == {"CB", "CB-1"}


def test_a_download_is_audited_with_its_size_and_filters(world, client_for):
    client_for(world.city_officer).get("/orgs/export.xlsx", {"type": "grassroots"})

    event = AuditEvent.objects.get(action="org.export")
    assert event.actor == world.city_officer
    assert event.extra["rows"] == 3
    assert event.extra["format"] == "xlsx"
    assert event.extra["filters"]["type"] == "grassroots"


def test_the_xlsx_download_neutralises_a_formula_in_a_name(world, client_for):
    update_organisation(
        by=None, org=world.gr_b1, name='=HYPERLINK("http://x")', org_type="grassroots"
    )

    response = client_for(world.outsider).get("/orgs/export.xlsx")

    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    name = sheet["B2"]
    assert (name.value, name.data_type) == ('\'=HYPERLINK("http://x")', "s")


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get("/orgs/export.csv")

    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]
