"""Sign-in security: lockout per username, idle timeout, Argon2, deny by default."""

from __future__ import annotations

import importlib
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from gonghui.accounts.actions import unlock_account
from gonghui.accounts.middleware import SESSION_KEY
from gonghui.accounts.models import LoginThrottle
from gonghui.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_correct_password_signs_in(world) -> None:
    client = Client()
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_says_so_without_naming_which_part(world) -> None:
    response = _login(Client(), "alice", "nope")
    assert response.status_code == 200
    assert "The username or password is wrong." in response.content.decode()
    unknown = _login(Client(), "nobody-at-all", "nope")
    assert "The username or password is wrong." in unknown.content.decode()


def test_lockout_after_threshold_failures_keyed_on_username(world, settings) -> None:
    settings.LOCKOUT_THRESHOLD = 3
    for _ in range(3):
        _login(Client(), "alice", "wrong")
    response = _login(Client(), "alice", PASSWORD)
    assert "locked" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_locked").exists()
    # the colleague in the same office, behind the same address, is not locked out
    assert _login(Client(), "bob", PASSWORD).status_code == 302


def test_lockout_ends_after_its_period(world, settings) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    for _ in range(2):
        _login(Client(), "alice", "wrong")
    LoginThrottle.objects.filter(username="alice").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert _login(Client(), "alice", PASSWORD).status_code == 302


def test_lockout_applies_to_the_api_too(world, settings) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    client = Client()
    for _ in range(2):
        r = client.post(
            "/api/v1/auth/token",
            {"username": "alice", "password": "x"},
            content_type="application/json",
        )
        assert r.status_code == 401
    r = client.post(
        "/api/v1/auth/token",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 429


def test_security_administrator_unlocks(world, settings) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    for _ in range(2):
        _login(Client(), "alice", "wrong")
    unlock_account(by=world.security, username="alice")
    assert _login(Client(), "alice", PASSWORD).status_code == 302


def test_username_case_does_not_dodge_the_lockout(world, settings) -> None:
    settings.LOCKOUT_THRESHOLD = 2
    _login(Client(), "alice", "wrong")
    _login(Client(), "ALICE", "wrong")
    assert LoginThrottle.objects.get(username="alice").is_locked


def test_idle_session_is_signed_out(world, settings, client_for) -> None:
    client = client_for(world.city_officer)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_KEY] = time.time() - settings.IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    response = client.get("/orgs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert AuditEvent.objects.filter(action="auth.logout", extra__reason="idle").exists()


def test_active_session_stays(world, client_for) -> None:
    client = client_for(world.city_officer)
    client.get("/")
    session = client.session
    session[SESSION_KEY] = time.time() - 120
    session.save()
    assert client.get("/orgs/").status_code == 200


def test_deactivated_user_loses_the_session_at_once(world, client_for) -> None:
    from gonghui.accounts.actions import set_active

    client = client_for(world.city_officer)
    set_active(by=world.security, user=world.city_officer, active=False)
    assert client.get("/orgs/").status_code == 302


def test_passwords_are_hashed_with_argon2() -> None:
    real = importlib.import_module("gonghui.settings")
    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_logout_is_post_only_and_recorded(world, client_for) -> None:
    client = client_for(world.city_officer)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=world.city_officer).exists()


PUBLIC = {
    "accounts:login",
    "set_language",
    "site:healthz",
    "site:readyz",  # for monitoring: names failing checks, nothing more
    "api:obtain_token",
    "favicon",
    # the public notice (with its objection form) and the hall of honour
    "public:notices",
    "public:objection",
    "public:hall",
    "public:photo",
}


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}"


def test_every_page_but_login_and_public_requires_sign_in(world) -> None:
    client = Client()
    checked = 0
    seen: set[str] = set()
    for route, name in _routes():
        if route in seen:  # several API operations share one path
            continue
        seen.add(route)
        path = "/" + route.replace("<str:code>", "CA").replace("<int:pk>", "1").replace(
            "<path:path>", "x"
        )
        path = path.replace("{code}", "CA").replace("{pk}", "1")
        if name in PUBLIC or "<" in path or "static" in path:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if name.startswith("api:") and name not in {
                "api:openapi-json",
                "api:openapi-view",
                "api:api-root",
            }:
                assert response.status_code in (401, 405), (method, path, response.status_code)
            else:
                assert response.status_code in (302, 401, 404, 405), (
                    method,
                    path,
                    response.status_code,
                )
                if response.status_code == 302:
                    assert response["Location"].startswith("/accounts/login/"), path
            checked += 1
    assert checked > 20
