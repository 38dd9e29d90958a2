"""Text published on /public/ says who and what, never how to reach or identify someone."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gonghui.core.personal import contact_details_in
from gonghui.honours import actions
from gonghui.honours.models import Honouree
from tests.honours.conftest import DETAILS, member

REFUSED = [
    ("联系电话13912345678", "手机号码"),
    ("手机：139-1234-5678", "手机号码"),
    ("电话 +86 139 1234 5678", "手机号码"),
    ("全角１３９１２３４５６７８也不行", "手机号码"),
    ("办公室0991-2345678", "固定电话号码"),
    ("(0991)2345678", "固定电话号码"),
    ("身份证650102199003070072", "身份证号"),
    ("老证号650102900307007", "身份证号"),
    ("邮箱 wang.gong@example.cn", "电子邮箱地址"),
]
ALLOWED = [
    "扎根一线二十年，带领班组完成技术革新12项，年创效益300万元。",
    "2026年3月职代会推荐，实到81人，赞成76票。",
    "获2019—2023年度自治区劳动模范称号，产值增长12.5%。",
    "工号20230415，编号A-1024。",
    "",
]


@pytest.mark.parametrize(("text", "what"), REFUSED)
def test_contact_details_are_found(text: str, what: str) -> None:
    with translation.override("zh-hans"):
        message = contact_details_in(text)
    assert message is not None
    assert what in message


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_achievements_pass(text: str) -> None:
    assert contact_details_in(text) is None


@pytest.mark.django_db
def test_a_nomination_with_a_phone_in_its_public_summary_is_refused(world, honours) -> None:
    person = member(world.gr_a1, "王工")
    details = replace(DETAILS, summary="技术能手，联系电话13912345678。")
    with pytest.raises(ValidationError) as refused:
        actions.nominate(
            by=world.fed_officer,
            campaign=honours.campaign,
            organisation=world.gr_a1,
            person=person,
            details=details,
        )
    assert set(refused.value.message_dict) == {"summary"}
    # the private account of achievements may name a number: it is never published
    private = replace(DETAILS, achievements="曾获专利ZL201910012345.6，电话13912345678。")
    nomination = actions.nominate(
        by=world.fed_officer,
        campaign=honours.campaign,
        organisation=world.gr_a1,
        person=person,
        details=private,
    )
    assert nomination.pk


@pytest.mark.django_db
def test_the_hall_of_honour_story_refuses_an_e_mail_address(world, honours) -> None:
    honouree = Honouree.objects.create(
        name="乙", organisation=world.gr_a1, kind=honours.kind, level=honours.kind.level, year=2010
    )
    with pytest.raises(ValidationError) as refused:
        actions.update_honouree(
            by=world.grassroots_officer,
            honouree=honouree,
            story="欢迎来信 yi@example.cn",
            publication_consent=True,
            receives_allowance=False,
            retired_on=None,
        )
    assert set(refused.value.message_dict) == {"story"}
    honouree.refresh_from_db()
    assert honouree.story == ""


@pytest.mark.django_db
def test_the_past_honourees_import_refuses_a_phone_in_the_story(world, honours, tmp_path) -> None:
    import io as _io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.honours.test_import import _file

    path = _file(
        tmp_path, "王建国,自治区劳动模范,自治区,2015,CA-K-1,,保持,,是,是,联系电话13912345678,\n"
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        call_command("import_honourees", str(path), "--errors", str(errors), stderr=_io.StringIO())
    assert "事迹" in errors.read_text(encoding="utf-8-sig")
    assert not Honouree.objects.exists()
