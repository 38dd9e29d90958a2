from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.accounts.models import RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_create_user_and_grant_and_revoke_from_the_cli(world, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    call_command(
        "create_user", "sec-admin", "--org", "R", "--name", "安全管理员", "--password-stdin"
    )
    user = User.objects.get(username="sec-admin")
    assert user.check_password("a-long-enough-passphrase")
    call_command("grant_role", "sec-admin", "R", "security")
    assert RoleAssignment.objects.filter(user=user, role="security").exists()
    with pytest.raises(CommandError, match="separation of duties"):
        call_command("grant_role", "sec-admin", "CA", "officer")
    call_command("grant_role", "sec-admin", "R", "security", "--revoke")
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_cli_reports_unknown_names(world) -> None:
    with pytest.raises(CommandError, match="no organisation"):
        call_command("grant_role", "alice", "NOPE", "viewer")
    with pytest.raises(CommandError, match="no account"):
        call_command("grant_role", "nobody", "CA", "viewer")
