"""Audit actions are declared once, with labels; the trail shows and filters by the labels."""

from __future__ import annotations

import logging
import re

import pytest
from django.utils import translation

from gonghui.accounts.models import User
from gonghui.contests.demo import build_contests
from gonghui.core import audit, audit_actions
from gonghui.core.models import AuditEvent
from gonghui.honours.demo import build_honours
from gonghui.orgs.demo import build_demo
from gonghui.people.demo import build_roster
from tests.conftest import TEST_ACTIONS

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_declared_action_has_an_english_and_a_chinese_label() -> None:
    assert len(audit_actions.codes()) > 100
    for code in set(audit_actions.codes()) - set(TEST_ACTIONS):
        with translation.override("en"):
            english = audit_actions.label(code)
        with translation.override("zh-hans"):
            chinese = audit_actions.label(code)
        assert english != code and not CJK.search(english), code
        assert CJK.search(chinese), (code, chinese)


def test_an_action_is_declared_by_one_app_only() -> None:
    with pytest.raises(ValueError, match="declared by people and by contests"):
        audit_actions.declare("contests", {"person.create": "Someone"})


def test_recording_an_undeclared_action_fails_where_strict(db) -> None:
    with pytest.raises(audit_actions.UndeclaredAction):
        audit.record(action="person.teleport")
    assert not AuditEvent.objects.filter(action="person.teleport").exists()


def test_an_undeclared_action_is_logged_and_kept_in_production(db, settings, caplog) -> None:
    settings.AUDIT_STRICT = False
    with caplog.at_level(logging.ERROR, logger="gonghui.core.audit_actions"):
        audit.record(action="person.teleport")
    assert "person.teleport" in caplog.text
    assert AuditEvent.objects.filter(action="person.teleport").exists()


def test_the_trail_names_every_event_of_the_demo_in_words(db, client_for) -> None:
    """Every action the demo records is declared, and its page shows the label, not the code."""
    summary = build_demo(grassroots_per_county=1)
    build_roster(members=60)
    build_honours()
    organisations = {a.username: a.organisation for a in summary.accounts}
    build_contests(root=summary.root, prefecture=organisations["prefecture"])
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert len(actions) > 20
    assert all(audit_actions.is_declared(code) for code in actions)
    client = client_for(User.objects.get(username="auditor"))
    for code in sorted(actions):
        page = client.get("/audit/", {"action": code}).content.decode()
        cells = re.findall(r'<td title="([^"]+)">([^<]+)</td>', page)
        assert cells, code
        assert all(title == code and label == audit_actions.label(code) for title, label in cells)


def test_the_filter_lists_actions_by_label_and_finds_the_actor_by_name(world, client_for) -> None:
    audit.record(action="person.reveal", by=world.city_officer)  # full name "alice"
    world.city_officer.full_name = "艾丽丝"
    world.city_officer.save(update_fields=["full_name"])
    client = client_for(world.auditor)
    page = client.get("/audit/").content.decode()
    assert '<option value="person.reveal" >Personal data shown in full</option>' in page
    found = client.get("/audit/", {"actor": "艾丽", "action": "person.reveal"}).context["page"]
    assert [e.actor_name for e in found] == ["alice"]
    api = client.get("/api/v1/audit/events", {"actor": "艾丽"}).json()
    assert [e["action_label"] for e in api["items"]] == ["Personal data shown in full"]
