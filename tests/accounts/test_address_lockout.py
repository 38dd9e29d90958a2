"""Password spraying from one address makes that address wait; colleagues who signed in
from there before keep signing in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import AddressThrottle, LoginThrottle
from gonghui.core.models import AuditEvent, Outcome
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "10.9.9.9"
HELD = "Too many failed sign-ins from this network address"


def _login(client: Client, username: str, password: str, ip: str = OFFICE):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def spray(settings):
    """Failures across usernames from the office address, up to the address limit."""
    settings.ADDRESS_LOCKOUT_THRESHOLD = 6

    def run() -> None:
        for number in range(6):
            _login(Client(), f"user{number}", "Summer2026!")

    return run


def test_spraying_from_one_address_makes_it_wait(world, spray) -> None:
    spray()
    response = _login(Client(), "carol", PASSWORD)  # never signed in from here
    assert response.status_code == 200 and HELD in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.address_locked", object_id=OFFICE).exists()
    refused = AuditEvent.objects.filter(action="auth.login_address_locked").latest("id")
    assert refused.outcome == Outcome.DENIED and refused.actor_name == "carol"
    # no password is tried while the address waits: nothing counts against the account
    assert not LoginThrottle.objects.filter(username="carol").exists()
    _login(Client(), "carol", "a-guess")
    assert not LoginThrottle.objects.filter(username="carol").exists()


def test_the_wait_is_said_in_chinese(world, spray) -> None:
    spray()
    client = Client(headers={"Accept-Language": "zh-hans"})
    response = client.post(
        "/accounts/login/",
        {"username": "carol", "password": PASSWORD},
        REMOTE_ADDR=OFFICE,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "此网络地址登录失败次数过多" in response.content.decode()


def test_colleague_who_signed_in_on_this_browser_still_signs_in(world, spray) -> None:
    alices_browser = Client()
    assert _login(alices_browser, "alice", PASSWORD, ip="10.1.1.1").status_code == 302
    alices_browser.post("/accounts/logout/")
    spray()
    assert _login(alices_browser, "alice", PASSWORD).status_code == 302
    # the browser remembers alice, not everyone: bob on it waits
    assert HELD in _login(alices_browser, "bob", PASSWORD).content.decode()


def test_colleague_who_signed_in_from_this_address_still_signs_in(world, spray) -> None:
    assert _login(Client(), "alice", PASSWORD).status_code == 302
    spray()
    assert _login(Client(), "alice", PASSWORD).status_code == 302  # another browser


def test_a_known_colleagues_wrong_password_still_counts_on_the_account(
    world, spray, settings
) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    _login(Client(), "alice", PASSWORD)
    spray()
    _login(Client(), "alice", "wrong")
    _login(Client(), "alice", "wrong")
    assert "locked" in _login(Client(), "alice", PASSWORD).content.decode()


def test_other_addresses_are_not_held(world, spray) -> None:
    spray()
    assert _login(Client(), "carol", PASSWORD, ip="10.2.2.2").status_code == 302


def test_the_wait_ends_after_its_period(world, spray) -> None:
    spray()
    AddressThrottle.objects.filter(address=OFFICE).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert _login(Client(), "carol", PASSWORD).status_code == 302


def test_failures_outside_the_window_do_not_add_up(world, settings) -> None:
    settings.ADDRESS_LOCKOUT_THRESHOLD = 4
    for number in range(3):
        _login(Client(), f"user{number}", "x")
    AddressThrottle.objects.filter(address=OFFICE).update(
        window_started_at=timezone.now() - timedelta(minutes=settings.ADDRESS_LOCKOUT_MINUTES + 1)
    )
    for number in range(3):
        _login(Client(), f"other{number}", "x")
    assert _login(Client(), "carol", PASSWORD).status_code == 302


def test_the_token_endpoint_waits_too(world, spray) -> None:
    spray()
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "carol", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == 429 and "address" in response.json()["detail"]
