"""`gonghui demo`: load the demo federation into an empty database."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.contests.demo import build_contests, write_sample_workbooks
from gonghui.core.models import Notification
from gonghui.honours.demo import build_honours
from gonghui.orgs.demo import (
    DEFAULT_GRASSROOTS_PER_COUNTY,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    ROOT_CODE,
    DemoConflict,
    build_demo,
    database_is_empty,
)
from gonghui.orgs.models import CHINESE_TYPE_NAMES, Organisation, OrgType
from gonghui.people.demo import build_roster, write_office_sample, write_sample
from gonghui.services.demo import build_hardship_files, write_hardship_sample


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class Command(BaseCommand):
    help = (
        "Load the demo federation (新疆维吾尔自治区总工会, every prefecture and county beneath "
        "it, a few hundred grassroots unions) and its six demo accounts. Refuses unless the "
        "database holds no organisations and no users."
    )

    def add_arguments(self, parser: Any) -> None:
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--if-empty",
            action="store_true",
            help="if the database is not empty, say so and exit 0 without loading anything",
        )
        when.add_argument(
            "--force",
            action="store_true",
            help="load beside existing organisations and users (never a second time)",
        )
        parser.add_argument(
            "--members",
            type=int,
            default=20000,
            help="how many members to spread over the unions (0 for none, and no honours demo)",
        )
        parser.add_argument(
            "--grassroots-per-county",
            type=_positive,
            default=DEFAULT_GRASSROOTS_PER_COUNTY,
            help=f"grassroots unions under each county (default {DEFAULT_GRASSROOTS_PER_COUNTY})",
        )

    def _may_load(self, *, if_empty: bool, force: bool) -> bool:
        """Whether to load: into an empty database, or beside data with --force (never twice)."""
        if not database_is_empty():
            if if_empty:
                self.stdout.write("database not empty; demo not loaded")
                return False
            if not force:
                raise CommandError(
                    f"the database already holds {Organisation.objects.count()} organisations "
                    f"and {User.objects.count()} users; the demo is loaded only into an empty "
                    "database (--force loads it beside them, --if-empty skips quietly)"
                )
            if Organisation.objects.filter(code=ROOT_CODE).exists():
                raise CommandError(
                    f"organisation {ROOT_CODE} already exists: the demo federation (or a real "
                    "one with the region's code) is already here, and loading the demo again "
                    "would duplicate its tree; nothing was loaded"
                )
        return True

    def _write_hardship_sample(self, union: Organisation) -> None:
        files = write_hardship_sample(Path(settings.VAR_DIR) / "samples", union=union)
        if files is not None:
            self.stdout.write(
                f"hardship files kept in Excel, to import: {files} "
                f"(gonghui import_hardship_files {files} --union {union.code})"
            )

    def handle(
        self,
        *args: Any,
        if_empty: bool,
        force: bool,
        grassroots_per_county: int,
        members: int,
        **options: Any,
    ) -> None:
        if not self._may_load(if_empty=if_empty, force=force):
            return
        started = time.perf_counter()
        try:
            summary = build_demo(grassroots_per_county=grassroots_per_county)
        except DemoConflict as error:
            raise CommandError(f"{error}; nothing was loaded") from error
        # the roster needs the tree; the honours and contests demos need the roster
        roster = build_roster(members=members)
        # the honours demo nominates members of its own: with no roster asked for, none
        honours = build_honours() if members > 0 else {}
        organisations = {a.username: a.organisation for a in summary.accounts}
        contests = build_contests(root=summary.root, prefecture=organisations["prefecture"])
        hardship = 0
        if organisations["grassroots"] is not None:
            hardship = build_hardship_files(
                keeper=User.objects.get(username="grassroots"),
                approver=User.objects.get(username="county"),
                union=organisations["grassroots"],
            )
        # what the demo's own steps told its officers is history by now: kept, but read
        Notification.objects.unread().update(read_at=timezone.now())
        seconds = time.perf_counter() - started

        self.stdout.write(
            self.style.SUCCESS(
                f"demo loaded in {seconds:.1f} s: {summary.root.name}, "
                f"{summary.total_organisations} organisations"
            )
        )
        for org_type in OrgType:
            count = summary.organisations.get(org_type.value, 0)
            if count:
                self.stdout.write(
                    f"  {org_type.value:<12}{count:>5}  {CHINESE_TYPE_NAMES[org_type]}"
                )
        self.stdout.write(f"  {'units':<12}{summary.units:>5}  单位")
        self.stdout.write(f"  {'members':<12}{roster:>5}  会员")
        for key, label in (
            ("campaigns", "评选活动"),
            ("nominations", "推荐"),
            ("honourees", "荣誉名册"),
        ):
            self.stdout.write(f"  {key:<12}{honours.get(key, 0):>5}  {label}")
        grassroots = next(a.organisation for a in summary.accounts if a.username == "grassroots")
        if grassroots is not None:
            sample = write_sample(Path(settings.VAR_DIR) / "samples", union=grassroots)
            self.stdout.write(
                f"a roster to try importing (three rows are bad on purpose): {sample}"
            )
            office = write_office_sample(Path(settings.VAR_DIR) / "samples", union=grassroots)
            self.stdout.write(f"the same as a union office keeps it (花名册): {office}")
        self.stdout.write(f"  {'hardship':<12}{hardship:>5}  困难职工档案")
        if grassroots is not None:
            self._write_hardship_sample(grassroots)
        self.stdout.write("contests: " + ", ".join(f"{c.code} {c.name}" for c in contests))
        unions = list(
            Organisation.objects.subtree(organisations["prefecture"]).filter(
                type=OrgType.GRASSROOTS
            )[:3]
        )
        workbook, broken = write_sample_workbooks(Path(settings.VAR_DIR) / "samples", unions=unions)
        self.stdout.write(
            f"a contest workbook to import: {workbook} "
            f"(gonghui import_contest {workbook} --organiser {organisations['prefecture'].code}); "
            f"the same with bad rows: {broken}"
        )
        self.stdout.write(f"demo accounts (password {DEMO_PASSWORD}):")
        for username, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {description}: {organisations[username].name}")
