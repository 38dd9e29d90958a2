"""`gonghui demo` opens hardship files at every stage in the demo's grassroots union."""

from __future__ import annotations

from io import StringIO

import openpyxl
from django.core.management import call_command

from gonghui.accounts.models import User
from gonghui.services.models import Assistance, FileStatus, HardshipFile


def test_demo_hardship_files(db, settings, tmp_path, client_for) -> None:
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", "--members", "300", "--grassroots-per-county", "1", stdout=out)
    statuses = set(HardshipFile.objects.values_list("status", flat=True))
    assert statuses == set(FileStatus.values)
    assert Assistance.objects.exists()
    page = client_for(User.objects.get(username="county")).get("/services/?status=submitted")
    assert page.status_code == 200 and "submitted" in page.content.decode()
    # the sample of files kept in Excel imports as it is, every row good
    sample = next((tmp_path / "samples").glob("困难职工档案导入示例-*.xlsx"))
    union = sample.stem.split("-", 1)[1]
    before = HardshipFile.objects.count()
    households = openpyxl.load_workbook(sample).active.max_row - 3  # title, header, 合计
    call_command("import_hardship_files", str(sample), "--union", union, stdout=StringIO())
    assert households > 0 and HardshipFile.objects.count() == before + households
