"""Setting up two-step verification and signing in with it, as an officer does in a browser."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]


def _code(secret: str, drift: int = 0) -> str:
    return f"{totp(b32decode(secret.replace(' ', '')), drift=drift):06d}"


def test_officer_sets_up_the_authenticator_then_signs_in_with_a_code(
    world: Any, new_session: Any, sign_in: Any, settings: Any
):
    settings.MFA = "required"
    first = new_session().new_page()
    sign_in(first, "alice")
    expect(first).to_have_url(re.compile(r"/accounts/two-step/$"))
    first.goto("/orgs/")  # nothing else opens until it is set up
    expect(first).to_have_url(re.compile(r"/accounts/two-step/\?next=%2Forgs%2F$"))
    expect(first.get_by_test_id("qr").locator("svg")).to_be_visible()
    secret = first.get_by_test_id("secret").inner_text()
    first.locator('input[name="code"]').fill(_code(secret))
    first.get_by_role("button", name="开启两步验证").click()
    codes = first.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    first.get_by_role("link", name="继续").click()
    expect(first).to_have_url(re.compile(r"/orgs/$"))

    second = new_session().new_page()
    sign_in(second, "alice")
    expect(second).to_have_url(re.compile(r"/accounts/verify/"))
    second.locator('input[name="code"]').fill("000000")
    second.get_by_role("button", name="验证").click()
    expect(second.locator(".errorlist, [role=alert]").first).to_contain_text("验证码错误")
    second.wait_for_timeout(1100)  # one wrong code: a second's wait before the next
    second.locator('input[name="code"]').fill(_code(secret, drift=1))
    second.get_by_role("button", name="验证").click()
    expect(second).to_have_url(re.compile(r"/$"))
    expect(second.get_by_test_id("current-user")).to_have_text("alice")
