"""Roster exports: scoped, masked by default, revealing only with the role, audited, safe to open."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gonghui.accounts.actions import grant_role
from gonghui.accounts.models import Role
from gonghui.core.models import AuditEvent
from gonghui.people.actions import PersonDetails, register_member

pytestmark = pytest.mark.django_db

ID_A = "650102199003070072"
ID_B = "11010519491231002X"


@pytest.fixture
def members(world):
    register_member(
        by=None,
        identity_number=ID_A,
        union=world.gr_a1,
        joined_on=date(2020, 1, 1),
        details=PersonDetails(
            name="阿依古丽·买买提", phone="13812345678", post='=HYPERLINK("http://x")'
        ),
    )
    register_member(
        by=None,
        identity_number=ID_B,
        union=world.gr_b1,
        details=PersonDetails(name="张三", post="@SUM(1)"),
    )


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_web_export_is_scoped_masked_and_neutralised(world, members, client_for) -> None:
    rows = _csv(client_for(world.city_officer).get("/members/export.csv"))
    assert rows[0][:2] == ["姓名", "公民身份号码"]
    assert [r[0] for r in rows[1:]] == ["阿依古丽·买买提"]
    assert rows[1][1] == "650102********0072" and rows[1][4] == "138****5678"
    assert rows[1][8].startswith("'=")
    event = AuditEvent.objects.filter(action="member.export").latest("id")
    assert event.extra["rows"] == 1 and event.extra["revealed"] == 0


def test_reveal_export_needs_the_role(world, members, client_for) -> None:
    client = client_for(world.city_officer)
    assert ID_A not in str(_csv(client.get("/members/export.csv?reveal=1")))
    grant_role(
        by=world.security, user=world.city_officer, organisation=world.city_a, role=Role.REVEAL
    )
    rows = _csv(client.get("/members/export.csv?reveal=1"))
    assert rows[1][1] == ID_A and rows[1][4] == "13812345678"
    assert AuditEvent.objects.filter(action="member.export").latest("id").extra["revealed"] == 1


def test_xlsx_export(world, members, client_for) -> None:
    response = client_for(world.fed_officer).get("/members/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(book.active.values)
    assert len(values) == 3
    assert {values[1][0], values[2][0]} == {"阿依古丽·买买提", "张三"}
    assert all(not str(v).startswith(("=", "@")) for row in values for v in row if v)


def test_cli_export_masks_unless_revealing(world, members, tmp_path) -> None:
    out = tmp_path / "m.csv"
    call_command("export_members", "--union", "CA", "-o", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert "650102********0072" in text and ID_A not in text and "张三" not in text
    call_command("export_members", "--union", "R", "-o", str(out), "--reveal")
    text = out.read_text(encoding="utf-8-sig")
    assert ID_A in text and ID_B in text
    assert AuditEvent.objects.filter(action="member.export", extra__revealed=2).exists()


def test_no_full_identity_number_in_pages_or_api_without_reveal(world, members, client_for) -> None:
    from gonghui.people.models import Person

    client = client_for(world.fed_officer)
    person = Person.objects.get(name="张三")
    for url in [
        "/members/",
        f"/members/{person.pk}/",
        "/api/v1/members",
        f"/api/v1/members/{person.pk}",
        "/audit/",
    ]:
        body = client.get(url).content.decode()
        assert ID_A not in body and ID_B not in body and "13812345678" not in body, url
    for event in AuditEvent.objects.all():
        assert ID_A not in repr(event.changes) + repr(event.extra)
