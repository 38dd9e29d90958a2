from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.actions import reset_second_factor
from gonghui.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove an account's authenticator and recovery codes (a lost phone): it sets up "
        "two-step verification again at its next sign-in. Audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account {username}")
        reset_second_factor(by=None, user=user)
        self.stdout.write(f"two-step verification of {username} reset")
