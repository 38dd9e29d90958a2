"""`gonghui demo` adds a finished contest with three skills, one under way, and workbooks."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from gonghui.accounts.models import User
from gonghui.contests.marking import ContestResults
from gonghui.contests.models import Contest, ContestStatus
from gonghui.contests.permissions import visible_contests
from gonghui.contests.scoring import Award
from gonghui.contests.workbook import import_workbook
from gonghui.orgs.models import Organisation


def test_demo_contests_and_sample_workbooks(db, settings, tmp_path, client_for) -> None:
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", "--members", "0", "--grassroots-per-county", "1", stdout=out)
    assert "XJ-2026-JN" in out.getvalue() and "contest-workbook.xlsx" in out.getvalue()

    finished = ContestResults.load(Contest.objects.get(code="XJ-2026-JN"))
    assert finished.contest.status == ContestStatus.FINISHED
    assert len(finished.sheets) == 3
    for sheet in finished.sheets:
        assert sheet.skill.is_signed_off and not sheet.problems
        assert [line.award for line in sheet.lines][:1] == [Award.GOLD]
    assert finished.best

    running = ContestResults.load(Contest.objects.get(code="UR-2026-LD"))
    sheet = running.sheets[0]
    assert not sheet.skill.is_signed_off
    assert sheet.divergent and sheet.missing and sheet.conflicts
    assert sheet.results is None

    federation, prefecture = (
        User.objects.get(username="federation"),
        User.objects.get(username="prefecture"),
    )
    assert visible_contests(federation).count() == 2
    assert list(visible_contests(prefecture).values_list("code", flat=True)) == ["UR-2026-LD"]
    client = client_for(prefecture)
    assert client.get(f"/contests/skills/{sheet.skill.pk}/marks/").status_code == 200
    assert client.get("/contests/XJ-2026-JN/").status_code == 404

    samples = Path(tmp_path) / "samples"
    organiser = Organisation.objects.get(code="650100")
    broken = import_workbook(
        samples / "contest-workbook-with-errors.xlsx", by=None, organiser=organiser
    )
    assert len(broken.errors) == 4 and not broken.written
    clean = import_workbook(samples / "contest-workbook.xlsx", by=None, organiser=organiser)
    assert clean.errors == [] and clean.written
    assert ContestResults.load(clean.contest).sheets[0].lines
