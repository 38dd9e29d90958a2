"""Worker services on the workbench: files to approve, files returned, open files by tier."""

import pytest

from gonghui.core.workbench import figures_for, todos_for
from gonghui.services import actions

pytestmark = pytest.mark.django_db


def texts(user):
    return [str(todo.text) for todo in todos_for(user)]


def test_a_submitted_file_waits_for_the_county_not_the_union(world, draft):
    actions.submit_file(by=world.grassroots_officer, file=draft)
    assert "1 hardship file waits for your approval" in texts(world.county_officer)
    assert "1 hardship file waits for your approval" in texts(world.city_officer)
    assert not any("approval" in text for text in texts(world.grassroots_officer))
    assert not any("hardship" in text for text in texts(world.outsider))


def test_a_returned_file_waits_for_the_union(world, draft):
    actions.submit_file(by=world.grassroots_officer, file=draft)
    actions.return_file(by=world.county_officer, file=draft, reason="补充材料")
    assert "1 hardship file was returned to you for changes" in texts(world.grassroots_officer)
    assert not any("returned" in text for text in texts(world.outsider))
    assert not any("returned" in text for text in texts(world.county_officer))


def test_open_files_by_tier(world, approved):
    values = {str(f.label): f.value for f in figures_for(world.city_viewer)}
    assert values["Open hardship files: deep hardship"] == 1
    assert values["Open hardship files: relative hardship"] == 0
    outside = {str(f.label): f.value for f in figures_for(world.outsider)}
    assert outside["Open hardship files: deep hardship"] == 0
    actions.close_file(by=world.grassroots_officer, file=approved, reason="retired")
    values = {str(f.label): f.value for f in figures_for(world.city_viewer)}
    assert values["Open hardship files: deep hardship"] == 0
