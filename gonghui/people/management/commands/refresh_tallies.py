"""`gonghui refresh_tallies`: count every union's members again (the worker does it hourly)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gonghui.people.models import UnionTally
from gonghui.people.tallies import refresh_all_tallies


class Command(BaseCommand):
    help = (
        "Count every union's members again, for the figures of the home and organisation "
        "pages. The worker does it each hour; run it after writing memberships by hand."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        refresh_all_tallies()
        self.stdout.write(
            f"{UnionTally.objects.count()} unions counted in {time.perf_counter() - started:.1f} s"
        )
