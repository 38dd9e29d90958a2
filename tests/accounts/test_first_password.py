"""A password an administrator chose is the account's only until it signs in: it then sets its
own before anything else. The rules are shown, in Chinese, before the password is typed."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts import actions
from gonghui.accounts.models import User
from gonghui.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GIVEN = "given-by-the-administrator"
OWN = "my-very-own-passphrase"


def _opened_by_administrator(world) -> User:
    return actions.create_user(
        by=world.security,
        username="erin",
        full_name="阿依古丽·买买提",
        organisation=world.county_a,
        password=GIVEN,
    )


def _signed_in(username: str, password: str) -> Client:
    client = Client(headers={"Accept-Language": "zh-hans"})
    assert client.login(username=username, password=password)
    return client


def test_a_new_account_sets_its_own_password_before_anything_else(world) -> None:
    erin = _opened_by_administrator(world)
    assert erin.must_change_password
    client = _signed_in("erin", GIVEN)
    for path in ("/", "/members/", "/accounts/me/"):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer["Location"] == f"/accounts/password/?next={path.replace('/', '%2F')}"
    assert client.get("/api/v1/me").status_code == 403  # the session's API calls too
    assert client.get("/public/honours/").status_code == 200  # public pages stay open

    page = client.get("/accounts/password/?next=/members/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "管理员设置" in html and "至少" in html  # why, and the rules before typing

    # the same password again is refused, and so is a weak one
    same = client.post("/accounts/password/", {"current": GIVEN, "new": GIVEN, "confirm": GIVEN})
    assert same.status_code == 200 and "不同" in same.content.decode()
    weak = client.post("/accounts/password/", {"current": GIVEN, "new": "123", "confirm": "123"})
    assert weak.status_code == 200 and "密码太短" in weak.content.decode()

    done = client.post(
        "/accounts/password/", {"current": GIVEN, "new": OWN, "confirm": OWN, "next": "/members/"}
    )
    assert done.status_code == 302 and done["Location"] == "/members/"
    erin.refresh_from_db()
    assert not erin.must_change_password
    assert client.get("/").status_code == 200  # the same session goes on
    event = AuditEvent.objects.filter(action="account.set_password").latest("id")
    assert event.actor_id == erin.pk and event.extra["by_self"] is True


def test_a_reset_password_is_changed_at_the_next_sign_in(world) -> None:
    actions.set_password(by=world.security, user=world.city_officer, password=GIVEN)
    client = _signed_in("alice", GIVEN)
    assert client.get("/")["Location"].startswith("/accounts/password/")


def test_accounts_from_the_console_and_own_changes_are_not_held(world) -> None:
    console = actions.create_user(
        by=None, username="root2", full_name="", organisation=None, password=GIVEN
    )
    assert not console.must_change_password
    actions.set_password(by=world.city_officer, user=world.city_officer, password=OWN)
    world.city_officer.refresh_from_db()
    assert not world.city_officer.must_change_password
    assert _signed_in("alice", OWN).get("/").status_code == 200


def test_the_next_address_stays_on_this_site(world) -> None:
    _opened_by_administrator(world)
    client = _signed_in("erin", GIVEN)
    done = client.post(
        "/accounts/password/",
        {"current": GIVEN, "new": OWN, "confirm": OWN, "next": "https://evil.example/"},
    )
    assert done["Location"] == "/"


def test_the_account_form_shows_the_password_rules(world) -> None:
    client = _signed_in(world.security.username, PASSWORD)
    html = client.get("/accounts/users/new/").content.decode()
    assert "至少 10 个字符" in html
