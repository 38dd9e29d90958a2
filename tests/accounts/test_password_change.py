"""Changing or resetting a password ends the account's API tokens and its other sessions."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from gonghui.accounts.actions import issue_api_token, set_password
from gonghui.accounts.models import ApiToken
from gonghui.core.models import AuditEvent
from tests.conftest import PASSWORD, bearer

pytestmark = pytest.mark.django_db

NEW = "another-long-passphrase"


def test_changing_own_password_revokes_tokens_and_other_sessions(world, client_for) -> None:
    raw = issue_api_token(user=world.city_officer, name="nightly").raw
    here, elsewhere = client_for(world.city_officer), client_for(world.city_officer)
    assert bearer(raw).get("/api/v1/me").status_code == 200
    response = here.post(
        "/accounts/me/", {"pw-current": PASSWORD, "pw-new": NEW, "pw-confirm": NEW}
    )
    assert response.status_code == 302
    assert bearer(raw).get("/api/v1/me").status_code == 401
    assert here.get("/").status_code == 200  # the session that changed it stays signed in
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")
    event = AuditEvent.objects.filter(action="account.set_password").latest("id")
    assert event.extra == {"tokens_revoked": 1, "by_self": True}


def test_reset_by_an_administrator_revokes_tokens_and_sessions(world, client_for) -> None:
    raw = issue_api_token(user=world.city_officer).raw
    session = client_for(world.city_officer)
    set_password(by=world.security, user=world.city_officer, password=NEW)
    assert bearer(raw).get("/api/v1/me").status_code == 401
    assert session.get("/")["Location"].startswith("/accounts/login/")
    assert not ApiToken.objects.filter(user=world.city_officer, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.filter(action="account.set_password").latest("id")
    assert event.actor_id == world.security.pk and event.extra["by_self"] is False


def test_other_accounts_keep_their_tokens(world) -> None:
    outsider_raw = issue_api_token(user=world.outsider).raw
    set_password(by=None, user=world.city_officer, password=NEW)
    assert bearer(outsider_raw).get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("command", ["set_password", "changepassword"])
def test_password_commands_reset_and_revoke(world, monkeypatch, command: str) -> None:
    """Django's own changepassword is taken over: it goes through the same action."""
    raw = issue_api_token(user=world.city_officer).raw
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{NEW}\n"))
    call_command(command, "alice", "--password-stdin")
    assert bearer(raw).get("/api/v1/me").status_code == 401
    assert Client().login(username="alice", password=NEW)
    assert AuditEvent.objects.filter(action="account.set_password").exists()


def test_security_administrator_resets_a_password_on_the_account_page(world, client_for) -> None:
    raw = issue_api_token(user=world.city_viewer).raw
    session = client_for(world.city_viewer)
    admin = client_for(world.security)
    page = admin.get(f"/accounts/users/{world.city_viewer.pk}/").content.decode()
    assert 'data-testid="reset-password"' in page
    response = admin.post(
        f"/accounts/users/{world.city_viewer.pk}/password/", {"new": NEW, "confirm": NEW}
    )
    assert response.status_code == 302
    assert bearer(raw).get("/api/v1/me").status_code == 401
    assert session.get("/")["Location"].startswith("/accounts/login/")
    assert Client().login(username="bob", password=NEW)
    assert admin.get(f"/accounts/users/{world.city_viewer.pk}/").status_code == 200


def test_reset_refuses_a_weak_password_and_mismatch(world, client_for) -> None:
    admin = client_for(world.security)
    url = f"/accounts/users/{world.city_viewer.pk}/password/"
    admin.post(url, {"new": "12345678", "confirm": "12345678"})
    admin.post(url, {"new": NEW, "confirm": NEW + "x"})
    assert Client().login(username="bob", password=PASSWORD)


def test_outsider_cannot_reset_a_password(world, client_for) -> None:
    outsider = client_for(world.outsider)
    response = outsider.post(
        f"/accounts/users/{world.city_viewer.pk}/password/", {"new": NEW, "confirm": NEW}
    )
    assert response.status_code == 404
    assert Client().login(username="bob", password=PASSWORD)
