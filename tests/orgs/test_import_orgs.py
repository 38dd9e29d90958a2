"""Importing the organisation tree: `gonghui import_orgs` and the import page.

The world (tests/conftest.py): R > CA > CA-K > CA-K-1, CA-K-2; CA > CA-3; R > CB > CB-1.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation

from gonghui.core.imports import tasks
from gonghui.core.imports.models import ImportJob
from gonghui.core.models import AuditEvent
from gonghui.core.tabular import open_table
from gonghui.core.uploads import delete_expired_uploads
from gonghui.orgs.actions import update_organisation
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.permissions import orgs_for_action
from gonghui.orgs.tabular import ORG_SPEC, OrgImportPlan, plan_org_import
from tests.conftest import make_org

HEADERS = ORG_SPEC.headers
UNION_CREDIT_CODE = "81650100MB12345624"  # GB 32100 check character 4
ENTERPRISE_CREDIT_CODE = "91650102123456788R"


def write_file(
    folder: Path, rows: list[list[Any]], *, name: str = "orgs.xlsx", headers: list[str] = HEADERS
) -> Path:
    target = folder / name
    if target.suffix == ".xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        workbook.save(target)
    else:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([headers, *rows])
    return target


def plan_for(file: Path, user: Any = None) -> OrgImportPlan:
    allowed = orgs_for_action(user, "import") if user is not None else None
    with open_table(file, spec=ORG_SPEC) as table:
        return plan_org_import(table, allowed_parents=allowed)


def problems(plan: OrgImportPlan) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in plan.errors]


def import_orgs(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_orgs", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
        return error.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def codes_beneath(org: Organisation) -> set[str]:
    org.refresh_from_db()
    return set(Organisation.objects.descendants(org).values_list("code", flat=True))


# Command line ---------------------------------------------------------------------------


def test_parents_may_come_after_their_children(world, tmp_path):
    file = write_file(
        tmp_path,
        [
            ["NEW-G", "新厂工会", "NEW-K", "基层工会"],
            ["NEW-K", "新县总工会", "CA", "县(市、区)总工会", "650102"],
        ],
    )

    status, out, _ = import_orgs(file)

    assert status == 0
    assert "2 created" in out
    county = Organisation.objects.get(code="NEW-K")
    grassroots = Organisation.objects.get(code="NEW-G")
    assert (county.parent, county.type, county.division_code) == (world.city_a, "county", "650102")
    assert grassroots.parent == county
    assert grassroots.path.startswith(county.path) and county.path.startswith(world.city_a.path)
    assert AuditEvent.objects.filter(action="org.create").count() >= 2
    assert AuditEvent.objects.get(action="org.import").extra["created"] == 2


def test_every_bad_row_is_reported_with_its_row_number_and_column(world, tmp_path):
    update_organisation(
        by=None,
        org=world.gr_a2,
        name=world.gr_a2.name,
        org_type=world.gr_a2.type,
        credit_code=UNION_CREDIT_CODE,
    )
    file = write_file(
        tmp_path,
        [
            ["", "无代码工会", "CA", "基层工会"],  # 2
            ["N-3", "", "CA", "基层工会"],  # 3
            ["N-4", "无类型", "CA", ""],  # 4
            ["bad code!", "坏代码", "CA", "基层工会"],  # 5
            ["N-6", "未知类型", "CA", "工会小组"],  # 6
            ["N-7", "甲", "CA", "基层工会"],  # 7
            ["N-7", "甲又来了", "CA", "基层工会"],  # 8
            ["N-9", "孤儿", "NOWHERE", "基层工会"],  # 9
            ["LOOP-A", "甲圈", "LOOP-B", "联合工会"],  # 10
            ["LOOP-B", "乙圈", "LOOP-A", "联合工会"],  # 11
            ["R", "自治区总工会", "CA", "总工会"],  # 12
            ["N-13", "无上级", "", "基层工会"],  # 13
            ["N-14", "坏区划", "CA", "基层工会", "123"],  # 14
            ["N-15", "坏信用代码", "CA", "基层工会", "", "91350100M000100Y44"],  # 15
            ["N-16", "信用甲", "CA", "基层工会", "", ENTERPRISE_CREDIT_CODE],  # 16
            ["N-17", "信用乙", "CA", "基层工会", "", ENTERPRISE_CREDIT_CODE],  # 17
            ["N-18", "信用丙", "CA", "基层工会", "", UNION_CREDIT_CODE],  # 18
            ["N-19", "挂在基层下", "CA-3", "基层工会"],  # 19
            ["N-20", "又一个总工会", "CA", "总工会"],  # 20
            [650102199003070072, "科学计数", "CA", "基层工会"],  # 21
            ["N-22", "好的一行", "CA", "基层工会"],  # 22
        ],
    )

    found = problems(plan_for(file))

    expected = [
        (2, "组织代码", "code is missing"),
        (3, "组织名称", "name is missing"),
        (4, "组织类型", "type is missing"),
        (5, "组织代码", "1 to 32 letters"),
        (6, "组织类型", "Unknown organisation type 工会小组"),
        (8, "组织代码", "already appears in row 7"),
        (9, "上级组织代码", "NOWHERE is neither in this file nor in the database"),
        (10, "上级组织代码", "LOOP-A would end up beneath itself"),
        (11, "上级组织代码", "LOOP-B would end up beneath itself"),
        (12, "上级组织代码", "R is the top of the tree"),
        (13, "上级组织代码", "Only a federation can be at the top"),
        (14, "行政区划代码", "six digits"),
        (15, "统一社会信用代码", "should be 3, not 4"),
        (17, "统一社会信用代码", "already appears in row 16"),
        (18, "统一社会信用代码", "already used by CA-K-2"),
        (19, "上级组织代码", "CA-3 is a grassroots union"),
        (20, "组织类型", "A federation is at the top of the tree"),
        (21, "组织代码", "format the column as text"),
    ]
    assert [(row, column) for row, column, _ in found] == [(r, c) for r, c, _ in expected]
    for (row, _, message), (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in message, (row, message)


def test_a_move_beneath_a_descendant_is_a_cycle_through_the_database(world, tmp_path):
    file = write_file(tmp_path, [["CA", "甲市总工会", "CA-K", "地州市总工会"]])

    [(row, column, message)] = problems(plan_for(file))

    assert (row, column) == (2, "上级组织代码")
    assert "CA → CA-K → CA" in message


def test_an_organisation_keeping_children_cannot_become_grassroots(world, tmp_path):
    file = write_file(tmp_path, [["CA-K", "甲县总工会", "CA", "基层工会"]])

    [(row, column, message)] = problems(plan_for(file))

    assert (row, column) == (2, "组织类型")
    assert "cannot be a grassroots union" in message


def test_a_parent_keeping_its_children_in_the_file_cannot_become_grassroots(world, tmp_path):
    file = write_file(
        tmp_path,
        [
            ["CA-K", "甲县总工会", "CA", "基层工会"],
            ["CA-K-1", "甲县一厂工会", "CA-K", "基层工会"],
            ["CA-K-2", "甲县二厂工会", "CB", "基层工会"],  # leaves: no problem
        ],
    )

    found = problems(plan_for(file))

    assert [(row, column) for row, column, _ in found] == [(3, "上级组织代码")]
    assert "CA-K is a grassroots union" in found[0][2]


def test_nothing_is_written_when_any_row_is_bad(world, tmp_path):
    before = set(Organisation.objects.values_list("code", "name", "path"))
    file = write_file(
        tmp_path,
        [
            ["GOOD", "好工会", "CA", "基层工会"],
            ["CA-3", "改名的三厂工会", "CA", "基层工会"],
            ["BAD", "坏工会", "NOWHERE", "基层工会"],
        ],
    )

    status, _, err = import_orgs(file)

    assert status == 1
    assert "Row 4 [上级组织代码]" in err
    assert "nothing was written" in err
    assert set(Organisation.objects.values_list("code", "name", "path")) == before
    assert not AuditEvent.objects.filter(action="org.import").exists()


def test_the_command_reports_bad_rows_in_chinese_by_default(world, tmp_path):
    file = write_file(tmp_path, [["BAD", "坏工会", "NOWHERE", "基层工会"]])

    with translation.override("zh-hans"):
        status, _, err = import_orgs(file)

    assert status == 1
    assert err.startswith("第 2 行")
    assert "上级组织代码" in err


def test_the_bad_rows_can_be_written_to_a_report(world, tmp_path):
    file = write_file(tmp_path, [["BAD", "坏工会", "NOWHERE", "基层工会"]])

    status, _, _ = import_orgs(file, "--errors", tmp_path / "errors.csv")
    import_orgs(file, "--errors", tmp_path / "errors.xlsx")

    assert status == 1
    text = (tmp_path / "errors.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["行号", "列", "错误"]
    assert rows[1][:2] == ["2", "上级组织代码"]
    sheet = openpyxl.load_workbook(tmp_path / "errors.xlsx").active
    assert [c.value for c in sheet[2]][:2] == [2, "上级组织代码"]


def test_a_dry_run_prints_the_plan_and_writes_nothing(world, tmp_path):
    file = write_file(tmp_path, [["GOOD", "好工会", "CA", "基层工会"]])

    status, out, _ = import_orgs(file, "--dry-run")

    assert status == 0
    assert "1 to create" in out
    assert "nothing was written" in out
    assert not Organisation.objects.filter(code="GOOD").exists()


def bomb(folder: Path) -> Path:
    target = folder / "bomb.xlsx"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    return target


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (bomb, "zip bomb"),
        (lambda folder: _write(folder / "notes.docx", b"PK\x03\x04not really"), "damaged"),
        (lambda folder: _write(folder / "scan.pdf", b"%PDF-1.7\n"), "not a spreadsheet"),
        (
            lambda folder: _write(
                folder / "secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
            ),
            "password-protected",
        ),
        (lambda folder: _write(folder / "empty.csv", b""), "empty"),
        (
            # 名称 is deliberately no header of the spec: the name column is missing
            lambda folder: write_file(
                folder, [["A", "甲"]], name="cols.csv", headers=["组织代码", "名称"]
            ),
            "组织名称",
        ),
    ],
)
def test_an_unreadable_file_exits_with_status_2(world, tmp_path, make, reason):
    file = make(tmp_path)

    status, _, err = import_orgs(file)

    assert status == 2
    assert reason in err
    assert file.name in err


def _write(target: Path, data: bytes) -> Path:
    target.write_bytes(data)
    return target


def export_then_read(tmp_path: Path, suffix: str) -> Path:
    target = tmp_path / f"export.{suffix}"
    call_command("export_orgs", "-o", str(target), stdout=io.StringIO())
    return target


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_reimporting_an_export_changes_nothing(world, tmp_path, suffix):
    update_organisation(
        by=None,
        org=world.gr_b1,
        name="=乙市一厂工会",  # a name a spreadsheet would run as a formula
        org_type=world.gr_b1.type,
        division_code="650102",
        credit_code=UNION_CREDIT_CODE,
    )
    file = export_then_read(tmp_path, suffix)
    last_event = AuditEvent.objects.order_by("id").last()

    plan = plan_for(file)
    status, out, _ = import_orgs(file)

    assert plan.errors == []
    assert (plan.created, plan.updated, plan.moved) == (0, 0, 0)
    assert plan.unchanged == Organisation.objects.count() == 8
    assert status == 0
    assert "8 unchanged" in out
    changes = AuditEvent.objects.filter(id__gt=last_event.id, action__in=["org.update", "org.move"])
    assert not changes.exists()


def test_a_changed_name_is_an_update(world, tmp_path):
    file = write_file(tmp_path, [["CA-3", "甲市第三机床厂工会", "CA", "基层工会"]])

    status, out, _ = import_orgs(file)

    assert status == 0
    assert "1 updated" in out
    world.gr_a3.refresh_from_db()
    assert world.gr_a3.name == "甲市第三机床厂工会"
    event = AuditEvent.objects.get(action="org.update")
    assert event.changes["name"] == ["甲市三厂工会", "甲市第三机床厂工会"]


def test_a_changed_parent_moves_the_whole_subtree(world, tmp_path):
    file = write_file(tmp_path, [["CA-K", "甲县总工会", "CB", "县(市、区)总工会"]])

    status, out, _ = import_orgs(file)

    assert status == 0
    assert "1 moved" in out
    assert {"CA-K", "CA-K-1", "CA-K-2"} <= codes_beneath(world.city_b)
    assert codes_beneath(world.city_a) == {"CA-3"}


def test_an_organisation_created_beneath_a_moved_one_follows_the_move(world, tmp_path):
    make_org("CA-K-J", OrgType.JOINT, world.county_a)
    file = write_file(
        tmp_path,
        [
            ["CA-K", "甲县总工会", "CB", "县(市、区)总工会"],
            ["NEW", "新联合工会下属", "CA-K-J", "基层工会"],
        ],
    )

    status, _, err = import_orgs(file)

    assert status == 0, err
    assert {"CA-K", "CA-K-J", "NEW"} <= codes_beneath(world.city_b)
    assert "NEW" not in codes_beneath(world.city_a)


def test_optional_columns_left_out_keep_what_the_database_has(world, tmp_path):
    update_organisation(
        by=None,
        org=world.gr_a3,
        name=world.gr_a3.name,
        org_type="grassroots",
        division_code="650102",
    )
    file = write_file(
        tmp_path,
        [["CA-3", "甲市三厂工会", "CA", "基层工会"]],
        headers=[ORG_SPEC.header(key) for key in ("code", "name", "parent_code", "type")],
    )

    plan = plan_for(file)

    assert (plan.unchanged, plan.updated) == (1, 0)
    assert plan.rows[0].division_code == "650102"


def test_a_gb18030_csv_with_english_headers_imports(world, tmp_path):
    target = tmp_path / "orgs.csv"
    with target.open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["code", "name", "parent_code", "type"],  # the English aliases, deliberately
                ["GB-1", "阿依古丽·买买提工会", "CA", "基层工会"],
            ]
        )

    status, _, err = import_orgs(target)

    assert status == 0, err
    assert Organisation.objects.get(code="GB-1").name == "阿依古丽·买买提工会"


def test_a_scoped_user_can_only_import_within_their_subtree(world, tmp_path):
    file = write_file(
        tmp_path,
        [
            ["K-NEW", "新厂工会", "CA-K", "基层工会"],  # 2: within carol's county
            ["A-NEW", "市直工会", "CA", "基层工会"],  # 3: CA is above her
            ["CA-3", "改名", "CA", "基层工会"],  # 4: not hers to change
            ["CB-NEW", "乙市新厂", "CB", "基层工会"],  # 5: another city
        ],
    )

    found = problems(plan_for(file, world.county_officer))

    assert [(row, column) for row, column, _ in found] == [
        (3, "上级组织代码"),
        (4, "组织代码"),
        (5, "上级组织代码"),
    ]
    # an organisation out of scope reads the same whether or not it exists
    assert found[0][2] == found[2][2].replace("CB", "CA")
    assert "not among the organisations you may import into" in found[1][2]


# The import page ------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT / "imports" / "uploads"


def upload(client: Client, file: Path) -> ImportJob:
    """Upload a file and let the worker check it; the job as the page then shows it."""
    with file.open("rb") as handle:
        response = client.post("/orgs/import/", {"file": handle})
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.latest("pk")
    assert response.url == f"/orgs/import/{job.pk}/"
    tasks.check_job.call(job.pk)
    job.refresh_from_db()
    return job


def page_of(client: Client, job: ImportJob) -> str:
    response = client.get(f"/orgs/import/{job.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def confirm(client: Client, job: ImportJob) -> None:
    response = client.post(f"/orgs/import/{job.pk}/apply/")
    assert response.status_code == 302
    tasks.apply_job.call(job.pk)
    job.refresh_from_db()


def test_the_check_lists_every_bad_row_and_offers_no_confirmation(
    world, tmp_path, media, client_for
):
    client = client_for(world.city_officer)
    file = write_file(
        tmp_path,
        [["GOOD", "好工会", "CA", "基层工会"], ["BAD", "坏工会", "NOWHERE", "工会小组"]],
    )

    job = upload(client, file)

    page = page_of(client, job)
    assert 'data-testid="import-errors"' in page
    assert "Unknown organisation type 工会小组" in page
    assert "NOWHERE" in page
    assert 'data-testid="apply' not in page
    assert not Organisation.objects.filter(code="GOOD").exists()
    assert client.get(f"/orgs/import/{job.pk}/errors/").status_code == 200  # the full list
    confirm(client, job)  # refused: nothing is written while a row is bad
    assert not Organisation.objects.filter(code="GOOD").exists()


def test_confirming_a_clean_file_applies_it(world, tmp_path, media, client_for):
    client = client_for(world.city_officer)
    job = upload(client, write_file(tmp_path, [["GOOD", "好工会", "CA-K", "基层工会"]]))
    assert job.counts["created"] == 1 and 'data-testid="apply"' in page_of(client, job)
    assert not Organisation.objects.filter(code="GOOD").exists()

    confirm(client, job)

    assert job.stage == "done"
    created = Organisation.objects.get(code="GOOD")
    assert created.parent == world.county_a
    event = AuditEvent.objects.get(action="org.import")
    assert (event.actor, event.object_repr, event.extra["created"]) == (
        world.city_officer,
        "orgs.xlsx",
        1,
    )
    assert list(media.iterdir()) == []
    confirm(client, job)  # a job is written once
    assert Organisation.objects.filter(code="GOOD").count() == 1


def test_confirming_checks_the_stored_file_again(world, tmp_path, media, client_for):
    client = client_for(world.city_officer)
    file = write_file(tmp_path, [["GOOD", "好工会", "CA-K", "基层工会", "", UNION_CREDIT_CODE]])
    job = upload(client, file)
    update_organisation(  # meanwhile, someone else registers the same credit code
        by=None,
        org=world.gr_a3,
        name=world.gr_a3.name,
        org_type=world.gr_a3.type,
        credit_code=UNION_CREDIT_CODE,
    )

    confirm(client, job)

    assert job.stage == "checked"
    assert "already used by CA-3" in page_of(client, job)
    assert not Organisation.objects.filter(code="GOOD").exists()


def test_a_job_cannot_be_seen_or_confirmed_by_someone_else(world, tmp_path, media, client_for):
    job = upload(
        client_for(world.city_officer), write_file(tmp_path, [["GOOD", "好", "CA", "基层工会"]])
    )
    other = client_for(world.fed_officer)

    assert other.get(f"/orgs/import/{job.pk}/").status_code == 404
    assert other.post(f"/orgs/import/{job.pk}/apply/").status_code == 404
    assert not Organisation.objects.filter(code="GOOD").exists()


def test_an_unreadable_upload_is_explained(world, tmp_path, media, client_for):
    client = client_for(world.city_officer)
    file = _write(tmp_path / "secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)

    job = upload(client, file)

    assert job.stage == "failed"
    assert "password-protected" in page_of(client, job)
    assert list(media.iterdir()) == []


def test_the_outsider_cannot_import_into_city_a(world, tmp_path, media, client_for):
    client = client_for(world.outsider)
    job = upload(client, write_file(tmp_path, [["SNEAK", "潜入工会", "CA", "基层工会"]]))

    page = page_of(client, job)
    assert "CA is neither in this file nor among the organisations you may import into" in page
    assert 'data-testid="apply' not in page
    assert not Organisation.objects.filter(code="SNEAK").exists()


def test_a_viewer_cannot_open_the_import_page(world, client_for):
    client = client_for(world.city_viewer)

    assert client.get("/orgs/import/").status_code == 404
    assert client.get("/orgs/import/template.xlsx").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=world.city_viewer).exists()


def test_an_officer_sees_the_upload_form_and_the_template(world, client_for):
    client = client_for(world.grassroots_officer)
    response = client.get("/orgs/import/")

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    template = client.get("/orgs/import/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [cell.value for cell in sheet[1]] == ORG_SPEC.headers


def test_an_upload_never_confirmed_is_deleted_by_the_worker_after_the_retention_period(
    world, tmp_path, media, settings, client_for
):
    client = client_for(world.city_officer)
    job = upload(client, write_file(tmp_path, [["GOOD", "好工会", "CA-K", "基层工会"]]))
    assert len(list(media.iterdir())) == 1
    days = settings.UPLOAD_RETENTION_DAYS
    assert delete_expired_uploads(now=timezone.now() + timedelta(days=days - 1)) == 0
    assert delete_expired_uploads(now=timezone.now() + timedelta(days=days + 1)) == 1
    assert list(media.iterdir()) == []
    confirm(client, job)
    assert not Organisation.objects.filter(code="GOOD").exists()


def test_the_uploader_is_told_and_a_checked_file_waits_on_the_workbench(
    world, tmp_path, media, client_for
) -> None:
    from gonghui.core import notifications, workbench

    alice = client_for(world.city_officer)
    job = upload(alice, write_file(tmp_path, [["NEW-G", "新厂工会", "CA", "基层工会"]]))
    officer = world.city_officer
    [waiting] = [t for t in workbench.todos_for(officer) if t.url == f"/orgs/import/{job.pk}/"]
    assert job.file_name in str(waiting.text)
    [told] = notifications.inbox(officer)
    assert told.text == f"{job.file_name} is checked: 1 rows, 0 with errors"
    assert told.url == f"/orgs/import/{job.pk}/"
    confirm(alice, job)
    assert not [t for t in workbench.todos_for(officer) if t.url == f"/orgs/import/{job.pk}/"]
    assert notifications.inbox(officer).first().text.endswith("is imported: 1 rows written")
    assert not notifications.inbox(world.fed_officer).exists()
