from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.actions import set_password
from gonghui.accounts.management.passwords import read_password
from gonghui.accounts.models import User


class Command(BaseCommand):
    help = (
        "Reset an account's password (the system administrator's way). The account's API "
        "tokens are revoked and its sessions end. Audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, username: str, password_stdin: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username}")
        password = read_password(from_stdin=password_stdin, prompt="New password")
        try:
            set_password(by=None, user=user, password=password)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"password of {username} reset; its API tokens and sessions ended")
