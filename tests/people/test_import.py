"""Importing rosters: every bad-row reason, all-or-nothing, idempotent, transfer, rollback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from openpyxl import Workbook

from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent
from gonghui.core.validators import identity_check_character
from gonghui.people.importing import checking, pipeline, planning, registered, tuning
from gonghui.people.importing.pipeline import import_members
from gonghui.people.importing.rollback import RollbackRefused, roll_back_batch
from gonghui.people.models import BatchStatus, ImportBatch, Membership, MembershipStatus, Person
from gonghui.people.tabular import MEMBER_SPEC

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["here", "child"])
def reading(request, monkeypatch) -> str:
    """Every test twice: the file read in this process, and in a child process beside it."""
    monkeypatch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0 if request.param == "child" else 1 << 40)
    return str(request.param)


# every column of the roster but gender, which one test adds
HEADERS = [column.header for column in MEMBER_SPEC.columns if column.key != "gender"]


def ident(serial: int, born: str = "19900307", area: str = "650102") -> str:
    body = f"{area}{born}{serial:03d}"
    return body + identity_check_character(body)


def write_csv(
    path: Path, rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "utf-8-sig"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def cname(i: int) -> str:
    """职工一, 职工二 … 职工一〇: a name without digits."""
    return "职工" + "".join("〇一二三四五六七八九"[int(d)] for d in str(i))


def good_rows(n: int, start: int = 1) -> list[list[str]]:
    return [
        [cname(i), ident(i), f"138{i:08d}", "2020-05-01", "", "", "钳工", "技师", "是", "否", "否"]
        for i in range(start, start + n)
    ]


def run(path: Path, *args: str) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_members", str(path), *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_clean_file_imports_and_reimport_changes_nothing(world, tmp_path) -> None:
    path = write_csv(tmp_path / "roster.csv", good_rows(30))
    code, out = run(path, "--union", "CA-K-1")
    assert code == 0, out
    assert (
        Person.objects.count() == 30
        and Membership.objects.current().filter(union=world.gr_a1).count() == 30
    )
    assert "新增人员 30" in out
    code, out = run(path, "--union", "CA-K-1")
    assert code == 0 and "未变 30" in out
    assert Person.objects.count() == 30
    assert verify_chain().intact


BAD = [
    (
        ["张三", "650102199003070073", "", "", "", "", "", "", "", "", ""],
        "公民身份号码",
        "should be 2",
    ),
    (
        ["张三", "650102199002300074", "", "", "", "", "", "", "", "", ""],
        "公民身份号码",
        "does not exist",
    ),
    (
        ["张三", "6.50102199003070E+17", "", "", "", "", "", "", "", "", ""],
        "公民身份号码",
        "lost its last digits",
    ),
    (["", ident(901), "", "", "", "", "", "", "", "", ""], "姓名", "name is missing"),
    (["张三", ident(902), "12345", "", "", "", "", "", "", "", ""], "手机号码", "mobile number"),
    (
        ["张三", ident(903), "", "", "", "", "", "大师", "", "", ""],
        "技能等级",
        "Unknown skill level",
    ),
    (["张三", ident(904), "", "2020-13-01", "", "", "", "", "", "", ""], "入会日期", "not a date"),
    (["张三", ident(905), "", "", "", "", "", "", "也许", "", ""], "一线职工", "是 or 否"),
    (
        ["张三", ident(906), "", "", "某公司", "91650102123456788A", "", "", "", "", ""],
        "单位统一社会信用代码",
        "check character",
    ),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD)
def test_each_bad_row_reason_is_reported_and_nothing_is_written(
    world, tmp_path, row, column, reason
) -> None:
    path = write_csv(tmp_path / "bad.csv", [*good_rows(3), row])
    code, out = run(path, "--union", "CA-K-1")
    assert code == 1
    assert f"第 5 行 [{column}]" in out and reason in out
    assert not Person.objects.exists()


def test_duplicate_in_file_and_gender_contradiction(world, tmp_path) -> None:
    headers = [*HEADERS, MEMBER_SPEC.header("gender")]
    rows = [[*r, "男"] for r in good_rows(2)]
    rows.append([*good_rows(1)[0][:11], "男"])  # row 4 repeats row 2
    rows.append([*good_rows(1, start=7)[0][:11], "女"])  # the number says male
    path = write_csv(tmp_path / "dup.csv", rows, headers)
    code, out = run(path, "--union", "CA-K-1")
    assert code == 1
    assert "第 4 行 [公民身份号码]：The same person as row 2." in out
    assert "第 5 行 [性别]" in out and "contradicts" in out


def test_member_of_another_union_needs_transfer(world, tmp_path) -> None:
    path = write_csv(tmp_path / "a.csv", good_rows(5))
    assert run(path, "--union", "CA-K-1")[0] == 0
    code, out = run(path, "--union", "CA-K-2")
    assert code == 1 and "Already a member of 甲县一厂工会 (CA-K-1)" in out
    code, out = run(path, "--union", "CA-K-2", "--transfer")
    assert code == 0 and "转入 5" in out
    assert (
        Membership.objects.filter(status=MembershipStatus.TRANSFERRED, union=world.gr_a1).count()
        == 5
    )
    assert Membership.objects.current().filter(union=world.gr_a2).count() == 5


def test_a_small_file_beside_a_large_roster_looks_each_row_up(world, tmp_path) -> None:
    """Below the roster's size the import looks its rows up instead of reading the roster."""
    assert run(write_csv(tmp_path / "a.csv", good_rows(40)), "--union", "CA-K-1")[0] == 0
    top = max(Person.objects.values_list("pk", flat=True))  # ids are not reused on PostgreSQL
    assert registered.registered_people(expected_rows=top - 1) is None
    known = registered.registered_people(expected_rows=top)
    assert known is not None
    digests = Person.objects.values_list("identity_hash", flat=True)
    assert all(int(d[:16], 16) in known for d in digests)
    assert int("f" * 16, 16) not in known
    # two new people and two changed ones, by a file far smaller than the roster
    rows = good_rows(2, start=1) + good_rows(2, start=41)
    rows[0][6] = "焊工"
    code, out = run(write_csv(tmp_path / "b.csv", rows), "--union", "CA-K-1")
    assert code == 0 and "新增人员 2" in out and "更新 1" in out and "未变 1" in out
    assert Person.objects.count() == 42


def test_someone_registered_while_the_import_ran_is_found_on_a_second_pass(
    world, tmp_path, monkeypatch
) -> None:
    """The people registered are read at the start of a large import; on PostgreSQL someone
    may register one of the file's people meanwhile. Writing them fails on the unique index,
    the import is undone and done again looking up each row: one batch, nobody twice."""
    assert run(write_csv(tmp_path / "a.csv", good_rows(1, start=3)), "--union", "CA-K-2")[0] == 0
    calls = []

    def read_before_they_came(expected_rows: int) -> checking.FirstRows:
        calls.append(expected_rows)
        return checking.FirstRows()  # as if read before row 4's person was registered

    monkeypatch.setattr(pipeline, "registered_people", read_before_they_came)
    code, out = run(write_csv(tmp_path / "b.csv", good_rows(5)), "--union", "CA-K-1")
    # the first pass failed on the unique index; the second looked each row up
    assert len(calls) == 1
    assert code == 1 and "第 4 行 [公民身份号码]：Already a member of 甲县二厂工会 (CA-K-2)" in out
    assert Person.objects.count() == 1 and ImportBatch.objects.count() == 1
    code, out = run(write_csv(tmp_path / "b.csv", good_rows(5)), "--union", "CA-K-1", "--transfer")
    assert code == 0 and "新增人员 4" in out and "转入 1" in out
    assert Person.objects.count() == 5 and ImportBatch.objects.count() == 2
    assert verify_chain().intact


def test_someone_registered_between_the_look_up_and_the_write_is_found_again(
    world, tmp_path, monkeypatch
) -> None:
    """A small import looks each chunk's rows up just before writing them; should someone
    register one of them in between (PostgreSQL), the unique index refuses the write, and the
    import runs once more and finds them."""
    assert run(write_csv(tmp_path / "a.csv", good_rows(30)), "--union", "CA-K-1")[0] == 0
    real, calls = planning.existing_people, []

    def looked_up_too_early(
        digests: list[str], *, lock: bool, older: dict[str, str] | None = None
    ) -> registered.Existing:
        calls.append(lock)
        if len(calls) == 1:  # the first attempt's look-up: before row 2's person came
            return registered.Existing()
        return real(digests, lock=lock, older=older)

    monkeypatch.setattr(planning, "existing_people", looked_up_too_early)
    rows = good_rows(1, start=1) + good_rows(2, start=31)
    code, out = run(write_csv(tmp_path / "b.csv", rows), "--union", "CA-K-1")
    assert code == 0 and "新增人员 2" in out and "未变 1" in out, out
    assert calls == [True, True]
    assert Person.objects.count() == 32 and ImportBatch.objects.count() == 2
    assert verify_chain().intact


def test_skip_invalid_writes_the_good_rows(world, tmp_path) -> None:
    path = write_csv(tmp_path / "mixed.csv", [*good_rows(4), BAD[0][0]])
    errors = tmp_path / "errors.csv"
    code, _out = run(path, "--union", "CA-K-1", "--skip-invalid", "--errors", str(errors))
    assert code == 1
    assert Person.objects.count() == 4
    with errors.open(encoding="utf-8-sig") as handle:
        report = list(csv.reader(handle))
    assert report[0] == ["行号", "列", "错误"] and report[1][0] == "6"


def test_dry_run_writes_nothing(world, tmp_path) -> None:
    path = write_csv(tmp_path / "roster.csv", good_rows(10))
    code, out = run(path, "--union", "CA-K-1", "--dry-run")
    assert code == 0 and "试运行" in out and "新增人员 10" in out
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


def test_changed_phone_and_post_update_the_person(world, tmp_path) -> None:
    rows = good_rows(3)
    assert run(write_csv(tmp_path / "a.csv", rows), "--union", "CA-K-1")[0] == 0
    rows[1][2], rows[2][6] = "13900000000", "焊工"
    code, out = run(write_csv(tmp_path / "b.csv", rows), "--union", "CA-K-1")
    assert code == 0 and "更新 2" in out and "未变 1" in out
    person = Person.objects.get(name=cname(2))
    assert person.phone_masked == "139****0000" and person.reveal_phone() == "13900000000"


def test_unreadable_files_exit_2(world, tmp_path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    assert run(junk, "--union", "CA-K-1")[0] == 2
    # 随便 ("whatever") is deliberately no header of the roster
    missing = write_csv(tmp_path / "nohead.csv", [["x"]], headers=["随便"])
    code, out = run(missing, "--union", "CA-K-1")
    assert code == 2 and "姓名" in out
    assert run(tmp_path / "nope.csv", "--union", "CA-K-1")[0] == 2


def test_xlsx_with_dates_and_gb18030_csv(world, tmp_path) -> None:
    from datetime import date

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(
        [
            "阿依古丽·买买提",
            ident(11),
            "13812345678",
            date(2019, 4, 2),
            "",
            "",
            "",
            "高级工",
            "是",
            "是",
            "否",
        ]
    )
    book.save(tmp_path / "r.xlsx")
    assert run(tmp_path / "r.xlsx", "--union", "CA-K-1")[0] == 0
    membership = Membership.objects.get()
    assert membership.joined_on == date(2019, 4, 2) and membership.person.is_migrant
    path = write_csv(tmp_path / "gb.csv", good_rows(2, start=20), encoding="gb18030")
    assert run(path, "--union", "CA-K-1")[0] == 0
    assert Person.objects.filter(name=cname(20)).exists()


def test_new_unit_is_registered_by_credit_code(world, tmp_path) -> None:
    rows = good_rows(2)
    rows[0][4:6] = ["新疆甲县建材有限公司", "91650102123456788R"]
    rows[1][4] = "不知名单位"
    code, out = run(write_csv(tmp_path / "u.csv", rows), "--union", "CA-K-1")
    assert code == 0 and "不知名单位" in out
    assert Person.objects.get(name=cname(1)).unit.credit_code == "91650102123456788R"
    assert Person.objects.get(name=cname(2)).unit is None


def test_rollback_undoes_the_whole_batch(world, tmp_path) -> None:
    assert run(write_csv(tmp_path / "a.csv", good_rows(3)), "--union", "CA-K-1")[0] == 0
    rows = good_rows(5)
    rows[0][6] = "焊工"
    assert run(write_csv(tmp_path / "b.csv", rows), "--union", "CA-K-1")[0] == 0
    batch = ImportBatch.objects.latest("pk")
    summary = roll_back_batch(batch=batch, by=world.grassroots_officer)
    assert summary == {
        "memberships_removed": 2,
        "people_removed": 2,
        "people_restored": 1,
        "memberships_reopened": 0,
    }
    assert Person.objects.count() == 3 and Person.objects.get(name=cname(1)).post == "钳工"
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.ROLLED_BACK
    assert AuditEvent.objects.filter(action="member.import.rollback").exists()
    with pytest.raises(RollbackRefused):
        roll_back_batch(batch=batch, by=world.grassroots_officer)


def test_rollback_reopens_transferred_memberships(world, tmp_path) -> None:
    path = write_csv(tmp_path / "a.csv", good_rows(2))
    run(path, "--union", "CA-K-1")
    run(path, "--union", "CA-K-2", "--transfer")
    roll_back_batch(batch=ImportBatch.objects.latest("pk"), by=None)
    assert Membership.objects.current().filter(union=world.gr_a1).count() == 2
    assert not Membership.objects.filter(union=world.gr_a2).exists()


def test_rollback_is_refused_once_later_changes_depend_on_it(world, tmp_path) -> None:
    from gonghui.people.actions import end_membership

    run(write_csv(tmp_path / "a.csv", good_rows(2)), "--union", "CA-K-1")
    batch = ImportBatch.objects.latest("pk")
    end_membership(by=None, membership=Membership.objects.first(), reason="退休")
    with pytest.raises(RollbackRefused):
        roll_back_batch(batch=batch, by=None)
    assert Person.objects.count() == 2


def test_import_into_a_county_is_refused(world, tmp_path) -> None:
    code, out = run(write_csv(tmp_path / "a.csv", good_rows(1)), "--union", "CA-K")
    assert code == 2 and "grassroots" in out


def test_report_counts_through_the_api_function(world, tmp_path) -> None:
    report = import_members(
        path=write_csv(tmp_path / "a.csv", good_rows(4)),
        union=world.gr_a1,
        by=world.grassroots_officer,
    )
    assert report.written and report.counts["create"] == 4
    assert report.batch is not None and report.batch.created == 4 and report.batch.rows_done == 4


def _indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return {
            name
            for table in ("people_person", "people_membership")
            for name in connection.introspection.get_constraints(cursor, table)
        }


def test_a_large_import_builds_its_indexes_again_and_a_failed_one_keeps_them(
    world, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(tuning, "DEFER_INDEXES_FROM", 0)  # every import counts as large
    before = _indexes()
    bad = write_csv(
        tmp_path / "bad.csv", [*good_rows(20), ["张三", "650102199003070073"] + [""] * 9]
    )
    assert run(bad, "--union", "CA-K-1")[0] == 1
    assert _indexes() == before and Person.objects.count() == 0
    code, out = run(write_csv(tmp_path / "good.csv", good_rows(40)), "--union", "CA-K-1")
    assert code == 0, out
    assert _indexes() == before
    assert Person.objects.count() == 40
    assert Person.objects.filter(phone_hash=Person.objects.first().phone_hash).count() == 1
    twin = Person.objects.first()
    twin.pk = None  # the identity's unique index, built again, holds
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite sets the indexes aside during an import"
)
def test_a_first_roster_whose_unique_index_fails_to_build_is_undone_and_tried_again(
    world, tmp_path, monkeypatch
) -> None:
    """A first roster's import builds the identity's unique index at its end; were a person
    to come in twice unseen (the file's own check defeated here), building it fails, and the
    import is undone and done again with the index kept up, which refuses the second row."""
    monkeypatch.setattr(tuning, "DEFER_INDEXES_FROM", 0)
    monkeypatch.setattr(checking.FirstRows, "first", lambda self, key, row: row)
    attempts = []
    real = tuning.deferrable_indexes

    def deferrable(cursor, **options):
        found = real(cursor, **options)
        attempts.append((options["first"], {name for name, _sql in found}))
        return found

    monkeypatch.setattr(tuning, "deferrable_indexes", deferrable)
    before = _indexes()
    rows = good_rows(5)
    path = write_csv(tmp_path / "twice.csv", [*rows, rows[0]])
    with pytest.raises(IntegrityError):
        import_members(path=path, union=world.gr_a1, by=None)
    assert [first for first, _names in attempts] == [True, False]
    assert "person_identity_hash_unique" in attempts[0][1]
    assert "person_identity_hash_unique" not in attempts[1][1]
    assert _indexes() == before
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


def _copies(name: str) -> set[tuple[str, int]]:
    """What the memberships of the person now called `name` carry of them."""
    person = Person.objects.get(name=name)
    return {(m.name_key, m.traits) for m in person.memberships.all()} | {
        (person.name_key, person.traits)
    }


def test_memberships_follow_a_rename_and_new_flags_and_their_rollback(world, tmp_path) -> None:
    rows = good_rows(3)
    assert run(write_csv(tmp_path / "a.csv", rows), "--union", "CA-K-1")[0] == 0
    before = _copies(cname(2))
    assert len(before) == 1
    rows[1][0], rows[1][7], rows[1][9] = "阿大", "高级技师", "是"
    rows += good_rows(1, start=4)  # a batch that opens a membership too
    assert run(write_csv(tmp_path / "b.csv", rows), "--union", "CA-K-1")[0] == 0
    after = _copies("阿大")
    assert len(after) == 1 and after != before and next(iter(after))[0] == "a1 da4"
    roll_back_batch(batch=ImportBatch.objects.latest("pk"), by=world.grassroots_officer)
    assert _copies(cname(2)) == before
