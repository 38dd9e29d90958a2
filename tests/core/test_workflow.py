"""The shared workflow engine, on a small table over an existing model (an import batch)."""

from __future__ import annotations

import pytest

from gonghui.accounts.types import Actor
from gonghui.core.models import AuditEvent
from gonghui.core.workflow import Context, Transition, TransitionRefused, Workflow
from gonghui.people.models import BatchStatus, ImportBatch

pytestmark = pytest.mark.django_db


def _roles(user: Actor, batch: ImportBatch) -> frozenset[str]:
    return frozenset({"clerk"}) if user is not None and user.username == "dave" else frozenset()


def _not_empty(batch: ImportBatch, context: Context) -> str | None:
    return None if batch.rows_total else "An empty batch cannot be finished."


def _count(batch: ImportBatch, context: Context) -> list[str]:
    batch.rows_done = batch.rows_total
    return ["rows_done"]


FLOW: Workflow[ImportBatch, Actor] = Workflow(
    model=ImportBatch,
    roles_of=_roles,
    audit_prefix="batch",
    transitions=[
        Transition(
            name="finish",
            sources=frozenset({BatchStatus.RUNNING}),
            target=BatchStatus.DONE,
            roles=frozenset({"clerk"}),
            guards=(_not_empty,),
            effect=_count,
        ),
        Transition(
            name="roll_back",
            sources=frozenset({BatchStatus.DONE, BatchStatus.INTERRUPTED}),
            target=BatchStatus.ROLLED_BACK,
            roles=frozenset({"clerk"}),
            needs_reason=True,
        ),
    ],
)


@pytest.fixture
def batch(world) -> ImportBatch:
    return ImportBatch.objects.create(union=world.gr_a1, file_name="a.csv", rows_total=3)


def test_allowed_transition_moves_runs_effect_and_audits_once(world, batch) -> None:
    moved = FLOW.apply(batch, "finish", by=world.grassroots_officer)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and moved.status == BatchStatus.DONE
    assert batch.rows_done == 3
    events = AuditEvent.objects.filter(action="batch.finish")
    assert events.count() == 1
    assert events[0].changes == {"status": ["running", "done"]}
    assert events[0].organisation_id == world.gr_a1.pk


def test_transition_from_wrong_state_is_refused_and_changes_nothing(world, batch) -> None:
    with pytest.raises(TransitionRefused) as refused:
        FLOW.apply(batch, "roll_back", by=world.grassroots_officer, reason="wrong file")
    assert refused.value.code == "state"
    assert "Running" in refused.value.messages[0]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING
    assert not AuditEvent.objects.filter(action__startswith="batch.").exists()


def test_user_without_the_role_is_refused(world, batch) -> None:
    for user in (world.outsider, world.fed_officer, None):
        with pytest.raises(TransitionRefused) as refused:
            FLOW.apply(batch, "finish", by=user)
        assert refused.value.code == "role"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING


def test_failing_guard_refuses_with_its_message(world) -> None:
    empty = ImportBatch.objects.create(union=world.gr_a1, file_name="b.csv", rows_total=0)
    with pytest.raises(TransitionRefused, match="empty batch"):
        FLOW.apply(empty, "finish", by=world.grassroots_officer)
    empty.refresh_from_db()
    assert empty.status == BatchStatus.RUNNING


def test_reason_is_required_and_recorded(world, batch) -> None:
    FLOW.apply(batch, "finish", by=world.grassroots_officer)
    with pytest.raises(TransitionRefused) as refused:
        FLOW.apply(batch, "roll_back", by=world.grassroots_officer, reason="   ")
    assert refused.value.code == "reason"
    FLOW.apply(batch, "roll_back", by=world.grassroots_officer, reason="wrong file")
    event = AuditEvent.objects.get(action="batch.roll_back")
    assert event.extra == {"transition": "roll_back", "reason": "wrong file"}


def test_state_is_read_under_the_lock_not_from_a_stale_copy(world, batch) -> None:
    stale = ImportBatch.objects.get(pk=batch.pk)
    FLOW.apply(batch, "finish", by=world.grassroots_officer)
    # the stale copy still says "running", but the engine reads the row again
    with pytest.raises(TransitionRefused):
        FLOW.apply(stale, "finish", by=world.grassroots_officer)
    assert AuditEvent.objects.filter(action="batch.finish").count() == 1


def test_available_lists_what_the_user_may_try(world, batch) -> None:
    assert [t.name for t in FLOW.available(batch, world.grassroots_officer)] == ["finish"]
    assert FLOW.available(batch, world.outsider) == []


def test_unknown_transition_and_duplicate_names_are_refused(world, batch) -> None:
    with pytest.raises(TransitionRefused):
        FLOW.apply(batch, "explode", by=world.grassroots_officer)
    finish = FLOW.transitions["finish"]
    with pytest.raises(ValueError, match="twice"):
        Workflow(model=ImportBatch, roles_of=_roles, transitions=[finish, finish])


def test_system_roles_override(world, batch) -> None:
    FLOW.apply(batch, "finish", by=None, roles=frozenset({"clerk"}))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
