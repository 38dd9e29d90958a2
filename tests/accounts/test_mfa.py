"""Two-step verification: enrolment, the second step, replay, throttling, recovery codes, reset,
and that neither the web, htmx, the session API nor the token endpoint lets a password alone in."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.actions import confirm_enrolment, start_enrolment
from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def _sign_in(client: Client, username: str = "alice") -> str:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def _enrolled(user) -> list[str]:
    device = start_enrolment(user=user)
    return confirm_enrolment(user=user, code=_code(device))


def test_optional_mode_lets_an_account_without_authenticator_in(world, settings) -> None:
    settings.MFA = "optional"
    client = Client()
    assert _sign_in(client) == "/"
    assert client.get("/").status_code == 200


def test_required_mode_sends_every_page_to_setup_until_enrolled(world, settings) -> None:
    settings.MFA = "required"
    client = Client()
    assert _sign_in(client).startswith("/accounts/two-step/")
    for path in ["/", "/orgs/", "/members/", "/accounts/me/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/two-step/"
        )
    htmx = client.get("/orgs/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/accounts/two-step/")
    api = client.get("/api/v1/orgs")
    assert api.status_code == 403
    assert client.get("/public/notices/").status_code == 200  # public pages stay public

    page = client.get("/accounts/two-step/")
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code, drawn in place (no network, no image file)
    secret = re.search(rb'data-testid="secret">([A-Z2-7 ]+)<', page.content)[1].decode()
    device = TOTPDevice.objects.get(user=world.city_officer, confirmed=False)
    assert b32decode(secret.replace(" ", "")) == device.bin_key

    wrong = client.post("/accounts/two-step/", {"code": "000000"})
    assert "The code is wrong" in wrong.content.decode()
    done = client.post("/accounts/two-step/", {"code": _code(device)})
    codes = re.findall(r"<li>([0-9a-f]{10})</li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/orgs/").status_code == 200  # this session is verified now
    assert AuditEvent.objects.filter(action="auth.mfa_enrol", actor=world.city_officer).exists()


def test_an_enrolled_account_gives_a_code_after_its_password(world, settings) -> None:
    settings.MFA = "optional"
    _enrolled(world.city_officer)
    device = TOTPDevice.objects.get(user=world.city_officer)
    client = Client()
    assert _sign_in(client).startswith("/accounts/verify/")
    assert client.get("/orgs/")["Location"].startswith("/accounts/verify/")
    assert (
        "The code is wrong" in client.post("/accounts/verify/", {"code": "123456"}).content.decode()
    )
    time.sleep(1)  # the one wrong code asks for a one-second wait
    response = client.post("/accounts/verify/", {"code": _code(device, steps_ahead=1)})
    assert response.status_code == 302
    assert client.get("/orgs/").status_code == 200
    assert (
        AuditEvent.objects.filter(action="auth.mfa_failed", actor=world.city_officer).count() == 1
    )
    assert AuditEvent.objects.filter(action="auth.mfa_verify", actor=world.city_officer).exists()


def test_a_code_works_once(world, settings) -> None:
    _enrolled(world.city_officer)
    device = TOTPDevice.objects.get(user=world.city_officer)
    code = _code(device, steps_ahead=1)
    first = Client()
    _sign_in(first)
    assert first.post("/accounts/verify/", {"code": code}).status_code == 302
    second = Client()
    _sign_in(second)
    replay = second.post("/accounts/verify/", {"code": code})
    assert replay.status_code == 200
    assert second.get("/orgs/").status_code == 302


def test_wrong_codes_are_throttled(world, settings) -> None:
    _enrolled(world.city_officer)
    device = TOTPDevice.objects.get(user=world.city_officer)
    client = Client()
    _sign_in(client)
    for _ in range(4):
        client.post("/accounts/verify/", {"code": "999999"})
    blocked = client.post("/accounts/verify/", {"code": _code(device, steps_ahead=1)})
    assert "Too many wrong codes" in blocked.content.decode()
    assert client.get("/orgs/").status_code == 302


def test_a_recovery_code_signs_in_once(world, settings) -> None:
    codes = _enrolled(world.city_officer)
    client = Client()
    _sign_in(client)
    assert client.post("/accounts/verify/", {"code": codes[0].upper()}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    again = Client()
    _sign_in(again)
    assert again.post("/accounts/verify/", {"code": codes[0]}).status_code == 200


def test_the_token_endpoint_needs_the_code_too(world, settings) -> None:
    _enrolled(world.city_officer)
    device = TOTPDevice.objects.get(user=world.city_officer)
    client = Client()
    url = "/api/v1/auth/token"
    bare = client.post(
        url, {"username": "alice", "password": PASSWORD}, content_type="application/json"
    )
    assert bare.status_code == 401
    good = client.post(
        url,
        {"username": "alice", "password": PASSWORD, "otp": _code(device, steps_ahead=1)},
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json()["token"]
    settings.MFA = "required"
    assert (
        client.post(
            url, {"username": "bob", "password": PASSWORD}, content_type="application/json"
        ).status_code
        == 403
    )


def test_security_administrator_resets_another_account_not_their_own(world, settings) -> None:
    _enrolled(world.city_officer)
    _enrolled(world.security)
    device = TOTPDevice.objects.get(user=world.security)
    admin = Client()
    _sign_in(admin, "sam")
    admin.post("/accounts/verify/", {"code": _code(device, steps_ahead=1)})
    response = admin.post(f"/accounts/users/{world.city_officer.pk}/two-step/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.city_officer).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_reset", actor=world.security).exists()
    own = admin.post(f"/accounts/users/{world.security.pk}/two-step/reset/")
    assert own.status_code in {302, 404}
    assert TOTPDevice.objects.filter(user=world.security).exists()
    # a city officer administers nobody: the reset is refused like any other missing page
    officer = Client()
    _sign_in(officer, "bob")
    assert officer.post(f"/accounts/users/{world.security.pk}/two-step/reset/").status_code == 404
    assert verify_chain().intact


def test_reset_command_for_the_system_administrator(world) -> None:
    _enrolled(world.city_officer)
    call_command("reset_mfa", "alice")
    assert not TOTPDevice.objects.filter(user=world.city_officer).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_reset").exists()


def test_deploy_check_warns_when_optional_in_production(settings) -> None:
    from gonghui.core.checks import check_second_factor

    settings.PRODUCTION, settings.MFA = True, "optional"
    assert [w.id for w in check_second_factor(None)] == ["gonghui.W002"]
    settings.MFA = "required"
    assert check_second_factor(None) == []
