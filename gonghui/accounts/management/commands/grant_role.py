from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.actions import grant_role, revoke_role
from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.orgs.models import Organisation


class Command(BaseCommand):
    help = "Grant (or with --revoke, withdraw) a role on an organisation and its subtree."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("org", help="organisation code")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--revoke", action="store_true")

    def handle(
        self, *args: Any, username: str, org: str, role: str, revoke: bool, **options: Any
    ) -> None:
        user = User.objects.filter(username=username).first()
        organisation = Organisation.objects.filter(code=org).first()
        if user is None:
            raise CommandError(f"no account {username}")
        if organisation is None:
            raise CommandError(f"no organisation with code {org}")
        try:
            if revoke:
                assignment = RoleAssignment.objects.filter(
                    user=user, organisation=organisation, role=role
                ).first()
                if assignment is None:
                    raise CommandError(f"{username} does not hold {role} on {org}")
                revoke_role(by=None, assignment=assignment)
                self.stdout.write(
                    self.style.SUCCESS(f"revoked {role} on {organisation.name} from {username}")
                )
            else:
                grant_role(by=None, user=user, organisation=organisation, role=role)
                self.stdout.write(
                    self.style.SUCCESS(f"granted {role} on {organisation.name} to {username}")
                )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
