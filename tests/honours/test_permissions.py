"""The honours access checks that the pages and the API share (permissions.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from gonghui.honours import actions
from gonghui.honours.models import (
    CertificateBatch,
    Condition,
    Direction,
    Honouree,
    HonourLevel,
)
from gonghui.honours.permissions import (
    allocating_orgs,
    campaign_organisers,
    can_conclude_objection,
    get_attachment_for_user,
    get_campaign_organisers_for_user,
    get_certificate_batch_for_user,
    get_honouree_photo_for_user,
    get_kept_federation_for_user,
    get_nominating_orgs_for_user,
    get_rule_for_user,
    officer_org_ids,
)
from tests.conftest import make_user

from .conftest import member, nominate
from .test_nomination_flow import _to_notice

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_campaigns_are_organised_by_officers_of_the_levels_above_grassroots(world) -> None:
    assert list(get_campaign_organisers_for_user(world.fed_officer)) == [world.region]
    assert list(get_campaign_organisers_for_user(world.city_officer)) == [world.city_a]
    # a grassroots union does not run campaigns; a viewer and an outsider run none
    for user in (world.grassroots_officer, world.city_viewer, make_user("nobody", None)):
        assert not campaign_organisers(user).exists()
        with pytest.raises(PermissionDenied):
            get_campaign_organisers_for_user(user)


def test_nominating_unions_lie_in_the_organisers_subtree(world, honours) -> None:
    orgs = get_nominating_orgs_for_user(world.grassroots_officer, honours.campaign)
    assert list(orgs) == [world.gr_a1]
    with pytest.raises(PermissionDenied):
        get_nominating_orgs_for_user(world.city_viewer, honours.campaign)
    with pytest.raises(PermissionDenied):
        get_nominating_orgs_for_user(make_user("nobody", None), honours.campaign)


def test_only_the_federation_keeps_honour_settings(world) -> None:
    assert get_kept_federation_for_user(world.fed_officer, object_type="x") == world.region
    for user in (world.city_officer, world.outsider, make_user("nobody", None)):
        with pytest.raises(PermissionDenied):
            get_kept_federation_for_user(user, object_type="honours.honourkind")


def test_an_attachment_comes_down_only_with_its_nomination(world, honours, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    nomination = nominate(world, honours, member(world.gr_a1, "附件人"))
    attachment = actions.add_attachment(
        by=world.grassroots_officer,
        nomination=nomination,
        title="决议",
        upload=SimpleUploadedFile("决议.pdf", PDF),
    )
    assert get_attachment_for_user(world.county_officer, nomination.pk, attachment.pk) == attachment
    assert get_attachment_for_user(world.city_viewer, nomination.pk, attachment.pk) == attachment
    # another nomination's number with this attachment: not found, as for a missing one
    other = nominate(world, honours, member(world.gr_a1, "别人"))
    with pytest.raises(Http404):
        get_attachment_for_user(world.county_officer, other.pk, attachment.pk)
    for outsider in (world.outsider, make_user("nobody", None)):
        with pytest.raises(Http404):
            get_attachment_for_user(outsider, nomination.pk, attachment.pk)


def test_certificate_batches_are_the_organisers_own(world, honours) -> None:
    batch = CertificateBatch.objects.create(
        campaign=honours.campaign, requested_by=world.fed_officer
    )
    assert get_certificate_batch_for_user(world.fed_officer, batch.pk) == batch
    for user in (world.city_officer, world.outsider, make_user("nobody", None)):
        with pytest.raises(Http404):
            get_certificate_batch_for_user(user, batch.pk)


def test_a_portrait_is_found_only_when_there_is_one(world, honours) -> None:
    honouree = Honouree.objects.create(
        name="王师傅",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=HonourLevel.REGIONAL,
        year=2010,
    )
    for user in (world.fed_officer, world.outsider):
        with pytest.raises(Http404):
            get_honouree_photo_for_user(user, honouree.pk)


def test_a_rule_is_removed_only_by_the_organiser(world, honours) -> None:
    rule = actions.add_rule(
        by=world.fed_officer,
        campaign=honours.campaign,
        subset=Condition.ALL,
        condition=Condition.FRONTLINE,
        direction=Direction.AT_LEAST,
        percent=Decimal(40),
    )
    assert get_rule_for_user(world.fed_officer, honours.campaign.pk, rule.pk) == rule
    with pytest.raises(PermissionDenied):
        get_rule_for_user(world.city_officer, honours.campaign.pk, rule.pk)
    with pytest.raises(Http404):
        get_rule_for_user(world.fed_officer, honours.campaign.pk, rule.pk + 1)
    with pytest.raises(Http404):
        get_rule_for_user(make_user("nobody", None), honours.campaign.pk, rule.pk)


def test_quota_is_passed_on_within_the_officers_scope_under_the_organiser(world, honours) -> None:
    codes = set(
        allocating_orgs(world.county_officer, honours.campaign).values_list("code", flat=True)
    )
    assert codes == {"CA-K", "CA-K-1", "CA-K-2"}
    assert not allocating_orgs(world.city_viewer, honours.campaign).exists()
    assert not allocating_orgs(make_user("nobody", None), honours.campaign).exists()


def test_an_objection_is_concluded_by_the_nominating_union_or_the_organiser(world, honours):
    nomination = _to_notice(
        world,
        honours,
        nominate(world, honours, member(world.gr_a1, "被反映人")),
        starts_on=timezone.localdate(),
    )
    objection = actions.file_objection(
        nomination=nomination, reporter="", contact="来信", facts="反映的具体事实。"
    )
    assert objection.assigned_to == world.gr_a1
    assert can_conclude_objection(world.grassroots_officer, objection)
    assert can_conclude_objection(world.county_officer, objection)  # above the union
    assert can_conclude_objection(world.fed_officer, objection)  # the organiser
    assert not can_conclude_objection(world.city_viewer, objection)
    assert not can_conclude_objection(world.outsider, objection)
    assert not can_conclude_objection(make_user("nobody", None), objection)


def test_own_officer_roles_are_the_organisations_the_user_acts_for_directly(world) -> None:
    assert officer_org_ids(world.county_officer) == [world.county_a.pk]
    assert officer_org_ids(world.city_viewer) == []
    assert officer_org_ids(make_user("nobody", None)) == []


def test_a_portrait_is_served_to_those_who_see_the_honouree(world, honours, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    honouree = Honouree.objects.create(
        name="李师傅",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=HonourLevel.REGIONAL,
        year=2012,
    )
    actions.set_honouree_photo(
        by=world.grassroots_officer,
        honouree=honouree,
        upload=SimpleUploadedFile("me.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    )
    assert get_honouree_photo_for_user(world.city_viewer, honouree.pk) == honouree
    for user in (world.outsider, make_user("nobody", None)):
        with pytest.raises(Http404):
            get_honouree_photo_for_user(user, honouree.pk)
