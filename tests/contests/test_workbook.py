"""The contest workbook: every bad row of every sheet, all or nothing, idempotent re-import."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from gonghui.contests.demo import write_sample_workbooks
from gonghui.contests.marking import ContestResults
from gonghui.contests.models import Competitor, Contest, Judge, Mark
from gonghui.contests.workbook import import_workbook
from gonghui.contests.workbook.sheets import CONTEST_SHEET, SCHEME_SHEET, SHEETS
from gonghui.core.imports import tasks
from gonghui.core.imports.models import ImportJob
from gonghui.core.models import AuditEvent
from gonghui.people.models import Membership, Person

from .factories import chinese_number, credit_code, identity_number

# each sheet's columns as the importer declares them, less the optional theme and
# sub-criterion, which the rows below leave out
LEFT_OUT = {CONTEST_SHEET: {"theme"}, SCHEME_SHEET: {"sub_criterion"}}
HEADERS = {
    name: [column.header for column in spec.columns if column.key not in LEFT_OUT.get(name, ())]
    for name, spec in SHEETS
}


def clean_rows() -> dict[str, list[list[object]]]:
    competitors = [
        [
            "S1",
            f"C{n}",
            f"选手{chinese_number(n)}",
            identity_number(n),
            "甲机械厂" if n == 1 else "",
            credit_code(1) if n == 1 else "",
            "CA-K-2",
        ]
        for n in (1, 2, 3)
    ]
    judges = [
        [
            "S1",
            f"J{n}",
            f"裁判{chinese_number(n)}",
            identity_number(900 + n),
            "",
            "",
            "",
            "是" if n == 1 else "否",
        ]
        for n in (1, 2, 3)
    ]
    judges.append(
        ["S1", "J4", "裁判四", identity_number(904), "甲机械厂", credit_code(1), "", "否"]
    )
    marks: list[list[object]] = []
    for n, measured, scores in ((1, 60, [2, 2, 2]), (2, 50, [1, 1, 2, 2]), (3, 40, [1, 1, 1, 1])):
        marks.append(["S1", f"C{n}", "M1", "", measured])
        for j, score in enumerate(scores, 1):
            marks.append(["S1", f"C{n}", "J1", f"J{j}", score])
    return {
        "竞赛": [["WB1", "工作簿竞赛", "2026-05-01", "2026/05/03"]],
        "赛项": [["S1", "车工", "national", 1], ["S2", "焊工", "worldskills", ""]],
        "评分标准": [
            ["S1", "M1", "测量", "M", 70],
            ["S1", "J1", "评价", "J", 30],
            ["S2", "A", "外观", "M", 100],
        ],
        "选手": competitors,
        "裁判": judges,
        "评分": marks,
    }


def save(path: Path, rows: dict[str, list[list[object]]], *, drop: str = "") -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, headers in HEADERS.items():
        if name == drop:
            continue
        sheet = workbook.create_sheet(name)
        sheet.append(headers)
        for row in rows[name]:
            sheet.append(row)
    workbook.save(path)
    return path


def test_clean_workbook_imports_everything_and_again_changes_nothing(world, tmp_path) -> None:
    path = save(tmp_path / "ok.xlsx", clean_rows())
    report = import_workbook(path, by=None, organiser=world.city_a)
    assert report.errors == [] and report.written
    contest = Contest.objects.get(code="WB1")
    assert contest.organiser == world.city_a and str(contest.ends_on) == "2026-05-03"
    assert (
        Competitor.objects.count() == 3
        and Judge.objects.count() == 4
        and Mark.objects.count() == 14
    )
    assert Judge.objects.get(number="J1").is_chief
    # people not in the roster are non-members; the unit is shared, so J4 is recused for C1
    assert not Membership.objects.exists()
    assert Judge.objects.get(number="J4").conflicts_with(Competitor.objects.get(number="C1"))
    results = ContestResults.load(contest)
    assert [(line.competitor.number, line.award_name) for line in results.sheets[0].lines] == [
        ("C1", "金牌"),
        ("C2", "银牌"),
        ("C3", "铜牌"),
    ]
    events, people = AuditEvent.objects.count(), Person.objects.count()
    again = import_workbook(path, by=None)
    assert again.errors == [] and again.written
    assert AuditEvent.objects.count() == events and Person.objects.count() == people
    assert again.counts["marks_changed"] == 0


def test_every_bad_row_of_every_sheet_is_reported_and_nothing_written(world, tmp_path) -> None:
    rows = clean_rows()
    rows["竞赛"][0][2] = "五月一日"
    rows["赛项"].append(["S3", "电工", "olympic", 0])
    rows["赛项"].append(["S1", "重复", "national", 1])
    rows["评分标准"].append(["S9", "X", "无此赛项", "M", 10])
    rows["评分标准"].append(["S2", "B", "类型错", "Q", 10])
    rows["选手"].append(["S1", "C4", "选手四", "650102199003070071", "", "", ""])
    rows["选手"].append(["S1", "C5", "选手五", "6.50102199003070E+17", "", "", ""])
    rows["选手"].append(["S1", "C1", "选手六", identity_number(6), "", "", ""])
    rows["选手"].append(["S1", "C7", "选手七", identity_number(7), "某厂", "", "NOPE"])
    rows["裁判"].append(["S1", "J5", "裁判五", identity_number(905), "", "", "", "也许"])
    rows["裁判"].append(["S1", "J6", "裁判六", identity_number(906), "", "", "", "是"])
    rows["评分"].append(["S1", "C1", "J1", "J4", 2])  # J4 works where C1 works
    rows["评分"].append(["S1", "C2", "M1", "", 71])
    rows["评分"].append(["S1", "C2", "J1", "J1", 4])
    rows["评分"].append(["S1", "C9", "M1", "", 1])
    rows["评分"].append(["S1", "C3", "M1", "", 40])
    path = save(tmp_path / "bad.xlsx", rows)
    report = import_workbook(path, by=None, organiser=world.city_a)
    found = {(e.sheet, e.row, e.column) for e in report.errors}
    assert found == {
        ("竞赛", 2, "开始日期"),
        ("赛项", 4, "奖项规则"),
        ("赛项", 4, "最少参赛人数"),
        ("赛项", 5, "赛项代码"),
        ("评分标准", 5, "赛项代码"),
        ("评分标准", 6, "类型"),
        ("选手", 5, "公民身份号码"),
        ("选手", 6, "公民身份号码"),
        ("选手", 7, "选手编号"),
        ("选手", 8, "单位统一社会信用代码"),
        ("选手", 8, "基层工会代码"),
        ("裁判", 6, "裁判长"),
        ("裁判", 7, "裁判长"),
        ("评分", 16, "裁判编号"),
        ("评分", 17, "分数"),
        ("评分", 18, "分数"),
        ("评分", 19, "选手编号"),
        ("评分", 20, "分数"),
    }, report.errors
    messages = {(e.sheet, e.row): e.message for e in report.errors}
    assert "lost its last digits" in messages[("选手", 6)]
    assert "J4 裁判四" in messages[("评分", 16)] and "C1 选手一" in messages[("评分", 16)]
    assert "first in row 11" in messages[("评分", 20)]
    assert not report.written
    assert (
        not Contest.objects.exists() and not Person.objects.exists() and not Mark.objects.exists()
    )
    assert not AuditEvent.objects.filter(action__startswith="contest.").exists()


def test_scheme_that_does_not_add_up_is_reported_on_the_skill(world, tmp_path) -> None:
    rows = clean_rows()
    rows["评分标准"][1][4] = 29.5
    report = import_workbook(save(tmp_path / "sum.xlsx", rows), by=None, organiser=world.city_a)
    assert [(e.sheet, e.row) for e in report.errors] == [("赛项", 2)]
    assert "99.50" in report.errors[0].message


def test_a_reserved_contest_code_is_reported_and_the_rest_still_checked(world, tmp_path) -> None:
    rows = clean_rows()
    rows["竞赛"][0][0] = "import"
    rows["评分"][0][4] = 71
    report = import_workbook(
        save(tmp_path / "reserved.xlsx", rows), by=None, organiser=world.city_a
    )
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("竞赛", 2, "竞赛代码"),
        ("评分", 2, "分数"),
    ]
    assert not Contest.objects.exists()


def test_missing_sheet_and_dry_run(world, tmp_path) -> None:
    report = import_workbook(
        save(tmp_path / "no.xlsx", clean_rows(), drop="裁判"), by=None, organiser=world.city_a
    )
    assert [(e.sheet, e.row) for e in report.errors] == [("裁判", 0)]
    assert "no sheet named 裁判" in report.errors[0].message
    dry = import_workbook(
        save(tmp_path / "ok.xlsx", clean_rows()), by=None, organiser=world.city_a, dry_run=True
    )
    assert dry.errors == [] and not dry.written and dry.counts["marks"] == 14
    assert not Contest.objects.exists()


def test_a_contest_run_by_others_cannot_be_imported_into(world, tmp_path) -> None:
    path = save(tmp_path / "ok.xlsx", clean_rows())
    import_workbook(path, by=None, organiser=world.city_a)
    report = import_workbook(
        path, by=world.outsider, organiser=world.gr_b1, may_manage=lambda contest: False
    )
    assert [(e.sheet, e.row) for e in report.errors] == [("竞赛", 2)]


def test_signed_off_skill_reimports_unchanged_but_refuses_changes(world, tmp_path) -> None:
    from gonghui.contests import actions

    path = save(tmp_path / "ok.xlsx", clean_rows())
    import_workbook(path, by=None, organiser=world.city_a)
    skill = Contest.objects.get(code="WB1").skills.get(code="S1")
    actions.sign_off_skill(by=None, skill=skill)
    assert import_workbook(path, by=None).errors == []
    rows = clean_rows()
    rows["评分"][0][4] = 61
    report = import_workbook(save(tmp_path / "changed.xlsx", rows), by=None)
    assert len(report.errors) == 1 and "signed off" in report.errors[0].message
    assert Mark.objects.get(competitor__number="C1", aspect__code="M1").mark == 60


def test_import_contest_command_and_results_export(world, tmp_path, capsys) -> None:
    clean, broken = write_sample_workbooks(tmp_path, unions=[world.gr_a1, world.gr_a2])
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as failed:
        call_command("import_contest", str(broken), "--organiser", "CA", "--errors", str(errors))
    assert failed.value.returncode == 1
    with errors.open(encoding="utf-8-sig") as handle:
        reported = list(csv.reader(handle))
    assert reported[0] == ["工作表", "行号", "列", "错误"] and len(reported) == 5
    assert not Contest.objects.exists()
    call_command("import_contest", str(clean), "--organiser", "CA", "--dry-run")
    assert not Contest.objects.exists()
    call_command("import_contest", str(clean), "--organiser", "CA")
    call_command("import_contest", str(clean))
    output = tmp_path / "results.csv"
    call_command("contest_results", "SAMPLE-2026", "-o", str(output))
    with output.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["赛项代码", "名次", "选手编号", "姓名", "原始分", "标准分", "奖项"]
    assert len(rows) == 7 and rows[1][1] == "1" and rows[1][6] == "金牌"
    call_command("contest_results", "SAMPLE-2026", "-o", str(tmp_path / "results.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_contest", str(clean), "--organiser", "NOPE")


def _upload(client: Any, path: Path, **fields: str) -> ImportJob:
    """Upload a workbook and let the worker check it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with path.open("rb") as handle:
        data = {"file": SimpleUploadedFile(path.name, handle.read()), **fields}
    response = client.post("/contests/import/", data)
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.latest("pk")
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    return job


def _confirm(client: Any, job: ImportJob) -> None:
    client.post(f"/contests/import/{job.pk}/apply/")
    tasks.apply_job.call(job.pk)
    job.refresh_from_db()


def test_web_import_checks_then_imports_and_keeps_out_of_others_contests(
    world, tmp_path, settings, client_for
) -> None:

    settings.MEDIA_ROOT = str(tmp_path / "media")
    clean, broken = write_sample_workbooks(tmp_path, unions=[world.gr_a1])
    alice = client_for(world.city_officer)
    bad = _upload(alice, broken, organiser="CA-K")
    html = alice.get(f"/contests/import/{bad.pk}/").content.decode()
    assert bad.error_count == 4 and "4 rows have problems" in html
    assert "lost" not in html and "99.50" in html and 'data-testid="apply' not in html
    _confirm(alice, bad)
    assert bad.stage == "checked" and not Contest.objects.exists()
    job = _upload(alice, clean, organiser="CA-K")
    assert job.can_apply and job.organisation == world.county_a and not Contest.objects.exists()
    assert 'data-testid="apply"' in alice.get(f"/contests/import/{job.pk}/").content.decode()
    _confirm(alice, job)
    assert job.stage == "done" and job.result["url"] == "/contests/SAMPLE-2026/"
    assert Contest.objects.get().organiser == world.county_a
    assert "/contests/SAMPLE-2026/" in alice.get(f"/contests/import/{job.pk}/").content.decode()

    charlie = client_for(world.outsider)
    refused = _upload(charlie, clean, organiser="CB-1")
    assert "used by a contest you do not run" in refused.errors[0][2]
    assert charlie.get(f"/contests/import/{job.pk}/").status_code == 404  # alice's job
    assert Contest.objects.get().organiser == world.county_a
    bob = client_for(world.city_viewer)
    assert bob.get("/contests/import/").status_code == 403


def test_web_import_offers_its_problems_as_a_file_and_a_template(
    world, tmp_path, settings, client_for
) -> None:
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = str(tmp_path / "media")
    _clean, broken = write_sample_workbooks(tmp_path, unions=[world.gr_a1])
    alice = client_for(world.city_officer)
    job = _upload(alice, broken, organiser="CA-K")

    download = alice.get(f"/contests/import/{job.pk}/errors/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["工作表", "行号", "列", "错误"] and len(rows) == 5
    assert any("99.50" in str(row[3]) for row in rows)

    carol = client_for(world.county_officer)  # she organises for the county too: she sees it
    assert carol.get(f"/contests/import/{job.pk}/errors/").status_code == 200
    charlie = client_for(world.outsider)
    assert charlie.get(f"/contests/import/{job.pk}/errors/").status_code == 404
    bob = client_for(world.city_viewer)
    assert bob.get(f"/contests/import/{job.pk}/errors/").status_code == 404

    template = load_workbook(io.BytesIO(alice.get("/contests/import/template.xlsx").content))
    assert template.sheetnames == ["竞赛", "赛项", "评分标准", "选手", "裁判", "评分"]
    assert [cell.value for cell in template["评分"][1]] == HEADERS["评分"]
