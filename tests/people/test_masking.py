"""A masked identity number stays masked: nothing shown beside it gives back what it hides.

The eight digits a masked number hides are the birth date. The property: for two people whose
identity numbers (and mobiles) have the same masked form, every read surface an officer
without the reveal role has — the roster, a search, the person's page and form, the API, both
exports and the audit trail — shows exactly the same thing. Whatever is shown, together with
the mask, then tells no more than the mask does.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl import load_workbook

from gonghui.accounts.models import Role
from gonghui.core.crypto import encrypt
from gonghui.core.validators import identity_check_character
from gonghui.orgs.models import OrgType
from gonghui.people.actions import PersonDetails, identity_digest, phone_digest, register_member
from gonghui.people.models import Person
from tests.conftest import make_org, make_user, signed_in

AREAS = ["650102", "650103", "110101", "440305"]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞"
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|csrf-token" content="|X-CSRFToken": ")[^"]+')


def _number(area: str, born: date, sequence: int) -> str:
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    return body + identity_check_character(body)


def _twin_date(area: str, born: date, sequence: int) -> date:
    """Another day of the same year whose number keeps the same last four characters."""
    check = _number(area, born, sequence)[-1]
    day = date(born.year, 1, 1)
    while day.year == born.year:
        if day != born and _number(area, day, sequence)[-1] == check:
            return day
        day += timedelta(days=1)
    raise AssertionError("no twin")  # pragma: no cover - every year has one


@st.composite
def people(draw: st.DrawFn) -> tuple[str, str, str, str, str]:
    """A name, an identity number and its twin, a mobile (or none) and its twin."""
    area = draw(st.sampled_from(AREAS))
    born = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2006, 12, 31)))
    sequence = draw(st.integers(0, 999))
    twin = _twin_date(area, born, sequence)
    name = draw(st.sampled_from(SURNAMES)) + draw(st.text(GIVEN, min_size=1, max_size=2))
    if draw(st.booleans()):
        head = draw(st.sampled_from(["138", "139", "150", "186", "199"]))
        middle, other = draw(st.lists(st.integers(0, 9999), min_size=2, max_size=2, unique=True))
        tail = draw(st.integers(0, 9999))
        phone, phone_twin = (f"{head}{m:04d}{tail:04d}" for m in (middle, other))
    else:
        phone = phone_twin = ""
    return (
        name,
        _number(area, born, sequence),
        _number(area, twin, sequence),
        phone,
        phone_twin,
    )


def _hidden_forms(number: str) -> list[str]:
    """The ways a page could write the birth date hidden in a number."""
    year, month, day = number[6:10], number[10:12], number[12:14]
    m, d = int(month), int(day)
    return [
        number,
        number[6:14],
        f"{year}-{month}-{day}",
        f"{year}/{month}/{day}",
        f"{year}/{m}/{d}",
        f"{year}.{month}.{day}",
        f"{year}年{m}月{d}日",
        f"{year}年{month}月{day}日",
    ]


class MaskedNumbersStayMasked(TestCase):
    def setUp(self) -> None:
        region = make_org("R", OrgType.FEDERATION, None, "自治区总工会")
        county = make_org("K", OrgType.COUNTY, region, "甲县总工会")
        self.union = make_org("K-1", OrgType.GRASSROOTS, county, "甲县一厂工会")
        self.officer = make_user("carol", county, Role.OFFICER)  # no reveal role
        self.viewer = make_user("bob", county, Role.VIEWER)
        self.auditor = make_user("audrey", region, Role.AUDITOR)

    def _surfaces(self, person: Person) -> dict[str, str]:
        """Everything the officer, a viewer and the auditor are shown about the person."""
        officer, viewer, auditor = (signed_in(u) for u in (self.officer, self.viewer, self.auditor))
        shown: dict[str, str] = {}
        for label, client in (("officer", officer), ("viewer", viewer)):
            for path in (
                "/members/",
                f"/members/?q={person.name}",
                f"/members/{person.pk}/",
                f"/api/v1/members?q={person.name}",
                f"/api/v1/members/{person.pk}",
                "/members/export.csv",
            ):
                response = client.get(path)
                assert response.status_code == 200, (label, path)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                shown[f"{label} {path}"] = _CSRF.sub(r"\1", body.decode("utf-8-sig"))
            response = client.get("/members/export.xlsx")
            sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
            assert sheet is not None
            shown[f"{label} xlsx"] = repr(list(sheet.iter_rows(values_only=True)))
        shown["form"] = _CSRF.sub(
            r"\1", officer.get(f"/members/{person.pk}/edit/").content.decode()
        )
        for action in ("person", "membership"):
            page = auditor.get(f"/audit/?action={action}")
            shown[f"audit {action}"] = _CSRF.sub(r"\1", page.content.decode())
            api = auditor.get(f"/api/v1/audit/events?action={action}")
            shown[f"audit api {action}"] = api.content.decode()
        return shown

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(person=people())
    def test_nothing_shown_beside_a_masked_number_narrows_it(
        self, person: tuple[str, str, str, str, str]
    ) -> None:
        name, number, twin, phone, phone_twin = person
        membership = register_member(
            by=self.officer,
            identity_number=number,
            details=PersonDetails(name=name, phone=phone),
            union=self.union,
        )
        registered = membership.person
        first = self._surfaces(registered)
        for surface, text in first.items():
            for form in _hidden_forms(number) + ([phone] if phone else []):
                assert form not in text, f"{surface} shows {form}"
        # the same person, but with the twin's number and mobile: identical masked forms
        Person.objects.filter(pk=registered.pk).update(
            identity_sealed=encrypt(twin, field="identity_number"),
            identity_hash=identity_digest(twin),
            phone_sealed=encrypt(phone_twin, field="phone"),
            phone_hash=phone_digest(phone_twin),
        )
        second = self._surfaces(Person.objects.get(pk=registered.pk))
        for surface, text in first.items():
            assert second[surface] == text, f"{surface} tells the twins apart"


def test_the_database_keeps_no_birth_date_in_the_clear(world) -> None:
    """A copy of the database gives back no masked digit: every table, every column."""
    from django.db import connection

    number = _number("650102", date(1987, 11, 23), 417)
    register_member(
        by=world.grassroots_officer,
        identity_number=number,
        details=PersonDetails(name="王芳", phone="13812345678"),
        union=world.gr_a1,
    )
    forms = [*_hidden_forms(number), "13812345678", "12345678"]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    for form in forms:
                        assert form not in str(value), (table, form)
