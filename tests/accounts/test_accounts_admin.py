"""Security administrators open accounts and grant roles in their subtree; duties stay apart."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gonghui.accounts.actions import grant_role, revoke_role
from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.models import AuditEvent
from tests.conftest import bearer, make_user

pytestmark = pytest.mark.django_db


def test_security_admin_opens_an_account_and_grants_a_role(world, client_for) -> None:
    client = client_for(world.security)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "erin",
            "full_name": "阿依古丽·买买提",
            "organisation": "CA-K",
            "password": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()
    erin = User.objects.get(username="erin")
    assert erin.full_name == "阿依古丽·买买提"
    response = client.post(
        f"/accounts/users/{erin.pk}/", {"organisation": "CA-K", "role": "viewer"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user=erin, organisation=world.county_a, role="viewer"
    ).exists()
    assert AuditEvent.objects.filter(action="role.grant", actor=world.security).exists()
    erin_client = Client()
    assert erin_client.login(username="erin", password="a-long-enough-passphrase")
    # the password the administrator chose is changed first (tests/accounts/test_first_password.py)
    assert erin_client.get("/orgs/CA-K/")["Location"].startswith("/accounts/password/")
    chosen = "erin-own-long-passphrase"
    erin_client.post(
        "/accounts/password/",
        {"current": "a-long-enough-passphrase", "new": chosen, "confirm": chosen},
    )
    assert erin_client.get("/orgs/CA-K/").status_code == 200
    assert erin_client.get("/orgs/CA/").status_code == 404


def test_weak_password_is_refused_with_a_reason(world, client_for) -> None:
    response = client_for(world.security).post(
        "/accounts/users/new/",
        {"username": "erin", "full_name": "x", "organisation": "CA", "password": "12345678"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode() or "too common" in response.content.decode()
    assert not User.objects.filter(username="erin").exists()


def test_revocation_takes_effect_on_the_next_request(world, client_for) -> None:
    alice = client_for(world.city_officer)
    assert alice.get("/orgs/CA/").status_code == 200
    assignment = RoleAssignment.objects.get(user=world.city_officer)
    response = client_for(world.security).post(f"/accounts/roles/{assignment.pk}/revoke/")
    assert response.status_code == 302
    assert alice.get("/orgs/CA/").status_code == 404
    assert alice.get("/api/v1/orgs").json()["count"] == 0


def test_officers_and_outsiders_cannot_manage_accounts(world, client_for) -> None:
    for persona in (world.fed_officer, world.outsider, world.auditor):
        client = client_for(persona)
        assert client.get("/accounts/users/").status_code == 404
        assert client.get(f"/accounts/users/{world.city_viewer.pk}/").status_code == 404


def test_security_admin_of_a_subtree_sees_only_its_accounts(world, client_for) -> None:
    local = make_user("sec-b", world.city_b, Role.SECURITY)
    client = client_for(local)
    usernames = {u.username for u in client.get("/accounts/users/").context["page"]}
    assert usernames == {"charlie", "sec-b"}
    assert client.get(f"/accounts/users/{world.city_officer.pk}/").status_code == 404
    response = client.post(
        f"/accounts/users/{world.outsider.pk}/", {"organisation": "CA", "role": "officer"}
    )
    assert "within your scope" in response.content.decode()


def test_three_roles_stay_apart(world) -> None:
    with pytest.raises(ValidationError):
        grant_role(
            by=world.security, user=world.city_officer, organisation=world.city_a, role=Role.AUDITOR
        )
    with pytest.raises(ValidationError):
        grant_role(
            by=world.security, user=world.auditor, organisation=world.city_a, role=Role.OFFICER
        )
    with pytest.raises(ValidationError):
        grant_role(
            by=world.security,
            user=world.city_officer,
            organisation=world.city_a,
            role=Role.SECURITY,
        )


def test_nobody_grants_or_revokes_their_own_roles(world) -> None:
    with pytest.raises(PermissionDenied):
        grant_role(
            by=world.security, user=world.security, organisation=world.city_a, role=Role.SECURITY
        )
    with pytest.raises(PermissionDenied):
        revoke_role(by=world.security, assignment=RoleAssignment.objects.get(user=world.security))


def test_auditor_sees_the_trail_and_nothing_else(world, client_for) -> None:
    client = client_for(world.auditor)
    assert client.get("/").status_code == 302
    assert client.get("/orgs/").context["page"].paginator.count == 0
    assert client.get("/orgs/R/").status_code == 404
    response = client.get("/audit/?action=role")
    assert response.status_code == 200
    assert all(e.action.startswith("role") for e in response.context["page"])


def test_audit_trail_filters(world, client_for) -> None:
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    client = client_for(world.auditor)
    page = client.get("/audit/?actor=alice&outcome=failure").context["page"]
    assert [e.action for e in page] == ["auth.login_failed"]
    assert client.get("/audit/?organisation=CB").context["page"].paginator.count >= 1
    assert client.get("/audit/?since=2999-01-01").context["page"].paginator.count == 0
    assert client.get("/audit/?since=not-a-date").status_code == 200


def test_local_auditor_sees_only_its_subtree_events(world, client_for) -> None:
    local = make_user("aud-b", world.city_b, Role.AUDITOR)
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    Client().post("/accounts/login/", {"username": "charlie", "password": "wrong"})
    page = client_for(local).get("/audit/?action=auth.login_failed").context["page"]
    assert [e.actor_name for e in page] == ["charlie"]


def test_deactivate_and_unlock(world, settings, client_for) -> None:
    settings.LOCKOUT_THRESHOLD = 1
    Client().post("/accounts/login/", {"username": "bob", "password": "wrong"})
    client = client_for(world.security)
    detail = client.get(f"/accounts/users/{world.city_viewer.pk}/")
    assert detail.context["is_locked"]
    client.post(f"/accounts/users/{world.city_viewer.pk}/unlock/")
    assert not client.get(f"/accounts/users/{world.city_viewer.pk}/").context["is_locked"]
    client.post(f"/accounts/users/{world.city_viewer.pk}/active/", {"active": "0"})
    assert not User.objects.get(pk=world.city_viewer.pk).is_active


def test_own_account_page_changes_password_and_issues_tokens(world, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.post("/accounts/me/", {"token-name": "nightly sync"})
    token = response.context["new_token"]
    assert token.startswith("gh_")
    assert bearer(token).get("/api/v1/me").status_code == 200
    response = client.post(
        "/accounts/me/",
        {
            "pw-current": "wrong",
            "pw-new": "another-long-passphrase",
            "pw-confirm": "another-long-passphrase",
        },
    )
    assert "current password is wrong" in response.content.decode()
    response = client.post(
        "/accounts/me/",
        {
            "pw-current": "correct-horse-battery-staple",
            "pw-new": "another-long-passphrase",
            "pw-confirm": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the session survives its own password change
