"""The background worker: django-tasks' database worker, plus the hourly housekeeping."""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from gonghui.core.health import Heartbeat
from gonghui.core.housekeeping import Housekeeper


class Command(db_worker.Command):
    help = (
        "Run the background task worker, and at least once an hour its housekeeping: a "
        "checkpoint of the audit trail, and the deletion of uploads kept past their retention."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # under --reload the work is done in a child process: only it keeps house
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            Housekeeper().start()
            Heartbeat().start()
        super().handle(*args, **options)
