"""Past honourees imported in a real browser: the page follows the background check and the
import as they happen (htmx polling), and the officer confirms in between."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from gonghui.core.imports import tasks
from gonghui.core.imports.models import ImportJob
from gonghui.honours.importer import HONOUREE_SPEC
from gonghui.honours.models import Honouree
from tests.honours.conftest import Honours, make_honours

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("browser"),
]

# the columns the rows below fill, in their order
COLUMNS = ("name", "kind", "level", "year", "union", "status", "reason", "consent", "allowance")
ROWS = (
    ",".join(HONOUREE_SPEC.header(key) for key in COLUMNS) + "\n"
    "王建国,自治区劳动模范,自治区,2015,CA-K-1,保持,,是,是\n"
    "李秀英,自治区劳动模范,自治区,2010,CA-K-1,已故,2024年病故,否,否\n"
)


@pytest.fixture
def honours(world: Any) -> Honours:
    return make_honours(world)


def test_an_officer_imports_past_honourees_and_watches_the_progress(
    world: Any, honours: Any, session: Any, sign_in: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sheet = tmp_path / "往届劳模.csv"
    sheet.write_text(ROWS, encoding="utf-8")
    page = session.new_page()
    sign_in(page, "dave")
    page.goto("/honours/register/")
    page.get_by_role("link", name="导入历年荣誉获得者").click()
    page.locator('input[name="file"]').set_input_files(str(sheet))
    page.get_by_role("button", name="上传并校验").click()
    # the check waits for the task worker; the page keeps asking until it has run
    expect(page.get_by_test_id("import-stage")).to_have_text("等待校验")
    job = ImportJob.objects.get()
    tasks.check_job.call(job.pk)
    expect(page.get_by_test_id("import-ready")).to_contain_text("2")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("import-stage")).to_have_text("导入中")
    assert not Honouree.objects.exists()  # nothing is written before the import runs
    tasks.apply_job.call(job.pk)
    expect(page.get_by_test_id("import-done")).to_contain_text("2")
    assert set(Honouree.objects.values_list("name", flat=True)) == {"王建国", "李秀英"}
    assert session.foreign_requests() == [] and session.console_errors == []
