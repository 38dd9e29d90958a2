"""Importing past honourees: every bad row reported, nothing written unless all are good."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from gonghui.core.models import AuditEvent
from gonghui.honours.models import Honouree
from tests.conftest import PASSWORD
from tests.honours.conftest import member

pytestmark = pytest.mark.django_db

HEADER = "姓名,荣誉名称,荣誉级别,年度,工会代码,公民身份号码,荣誉状态,原因,同意公开,享受津贴,事迹,退休日期\n"


def _file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "honourees.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_a_clean_file_fills_the_register(world, honours, tmp_path) -> None:
    person = member(world.gr_a1, "王建国", is_frontline=True)
    path = _file(
        tmp_path,
        f"王建国,自治区劳动模范,自治区,2015,CA-K-1,{person.reveal_identity_number()},保持,,是,是,三十年扎根一线,2024/6/30\n"
        "李秀英,自治区劳动模范,自治区级,2010年,CA-3,,已故,2024年病故,否,否,\n",
    )
    out = StringIO()
    call_command("import_honourees", str(path), stdout=out)
    assert "2" in out.getvalue()
    first = Honouree.objects.get(name="王建国")
    assert first.person == person and first.is_frontline and first.prefecture == world.city_a
    assert first.publication_consent and first.receives_allowance
    assert str(first.retired_on) == "2024-06-30"
    second = Honouree.objects.get(name="李秀英")
    assert (second.status, second.status_reason, second.year) == ("deceased", "2024年病故", 2010)
    assert AuditEvent.objects.filter(action="honouree.import").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_written(world, honours, tmp_path) -> None:
    path = _file(
        tmp_path,
        "好人,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n"
        ",不存在的荣誉,省部级,15,NOPE,650102199003070071,撤销,,也许,否,,去年\n"
        "重复,自治区劳动模范,自治区,2015,CA-K-1,,,,是,否,\n"
        "重复,自治区劳动模范,自治区,2015,CA-K-1,,,,是,否,\n",
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as failed:
        call_command("import_honourees", str(path), "--errors", str(errors), stderr=StringIO())
    assert failed.value.returncode == 1
    assert Honouree.objects.count() == 0
    report = errors.read_text(encoding="utf-8-sig")
    for column in (
        "姓名",
        "荣誉名称",
        "荣誉级别",
        "年度",
        "工会代码",
        "公民身份号码",
        "原因",
        "同意公开",
    ):
        assert column in report
    assert "5,姓名,This honour appears twice in the file." in report  # the second copy


def test_dry_run_writes_nothing(world, honours, tmp_path) -> None:
    path = _file(tmp_path, "好人,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n")
    out = StringIO()
    call_command("import_honourees", str(path), "--dry-run", stdout=out)
    assert "1" in out.getvalue() and Honouree.objects.count() == 0


def test_web_import_is_limited_to_the_officers_scope(world, honours, tmp_path) -> None:
    client = Client()
    client.login(username="dave", password=PASSWORD)
    path = _file(
        tmp_path,
        "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n乙,自治区劳动模范,自治区,2015,CA-3,,保持,,是,否,\n",
    )
    with path.open("rb") as upload:
        response = client.post("/honours/register/import/", {"file": upload})
    assert response.status_code == 200
    assert "No union with this code within your scope" in response.content.decode()
    assert Honouree.objects.count() == 0
    path = _file(tmp_path, "甲,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,否,\n")
    with path.open("rb") as upload:
        response = client.post("/honours/register/import/", {"file": upload})
    assert response.status_code == 302 and Honouree.objects.count() == 1
    outsider = Client()
    outsider.login(username="bob", password=PASSWORD)
    assert outsider.get("/honours/register/import/").status_code == 403
