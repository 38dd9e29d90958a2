from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.actions import create_user
from gonghui.accounts.management.passwords import read_password
from gonghui.orgs.models import Organisation


class Command(BaseCommand):
    help = "Open an account (the system administrator's way in; no web admin exists)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="code of the user's organisation")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(
        self,
        *args: Any,
        username: str,
        org: str,
        name: str,
        email: str,
        password_stdin: bool,
        **options: Any,
    ) -> None:
        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(f"no organisation with code {org}")
        password = read_password(from_stdin=password_stdin)
        try:
            user = create_user(
                by=None,
                username=username,
                full_name=name,
                email=email,
                organisation=organisation,
                password=password,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"account {user.username} opened in {organisation.name}")
        )
