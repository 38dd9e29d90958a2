from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditHead


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain. Exit 0 if it is intact; exit 1 naming the first "
        "event that was altered, deleted or reordered."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            self.stderr.write(self.style.ERROR(f"audit trail broken: {report.reason}"))
            self.stderr.write(f"{report.checked} events checked before the break.")
            raise CommandError(f"first bad event: #{report.first_bad_id}", returncode=1)
        head = AuditHead.objects.get(pk=1)
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {report.checked} events"))
        # printed so that it can be kept elsewhere (a checkpoint another party can compare)
        self.stdout.write(f"head: #{head.last_id} {head.last_hash}")
