"""`gonghui hardship_files`: a union's files, masked, on screen or to a file (audited)."""

from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.core.models import AuditEvent
from tests.contests.factories import identity_number

pytestmark = pytest.mark.django_db


def test_lists_the_subtree_masked(world, draft):
    out = StringIO()
    call_command("hardship_files", "--union", "CA", stdout=out)
    text = out.getvalue()
    assert draft.person.name in text and draft.person.identity_masked in text
    assert identity_number(1) not in text and "12000" not in text
    other = StringIO()
    call_command("hardship_files", "--union", "CB", stdout=other)
    assert draft.person.name not in other.getvalue()


def test_exports_to_csv_and_audits(world, draft, tmp_path):
    target = tmp_path / "files.csv"
    call_command("hardship_files", "--union", "CA-K-1", "-o", str(target), stdout=StringIO())
    assert draft.person.name in target.read_text(encoding="utf-8-sig")
    assert AuditEvent.objects.filter(action="hardship.export").exists()
