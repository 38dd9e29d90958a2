"""The audit trail: append-only events, each chained to the one before by a keyed hash.

`record()` is called by every action (and by sign-in, denials and exports); `verify_chain()`
walks the chain and names the first event that was altered, deleted or reordered.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from gonghui.core import audit_actions, crypto, metrics
from gonghui.core.actor import Actor
from gonghui.core.context import current_request
from gonghui.core.models import AuditEvent, AuditHead, Outcome
from gonghui.core.personal import mask_value

GENESIS = "0" * 64
# the event that hands the chain over from one audit key to the next
KEY_CHANGED = "audit.key_changed"

Changes = Mapping[str, tuple[Any, Any] | list[Any]]


@dataclass
class Entry:
    """An event not yet written: what `record_many` takes."""

    action: str
    by: Actor = None
    organisation: Any = None
    obj: models.Model | None = None
    changes: Changes | None = None
    extra: Mapping[str, Any] | None = None
    outcome: str = Outcome.SUCCESS
    actor_name: str = ""
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """JSON-native form, so that what is hashed is exactly what the database returns."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _masked(changes: Changes | None) -> dict[str, list[Any]]:
    if not changes:
        return {}
    return {
        name: [mask_value(name, before), mask_value(name, after)]
        for name, (before, after) in changes.items()
    }


def _content(event: AuditEvent) -> bytes:
    at = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {
        "id": event.id,
        "at": at,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "organisation": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "extra": event.extra,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "ip": event.ip,
        "prev": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent, key: crypto.Key | None = None) -> str:
    """The event's HMAC under `key` (the current audit key if not given)."""
    key = key or crypto.audit_keys()[0]
    return hmac.new(key.secret.encode(), _content(event), crypto.hash_name(key.suite)).hexdigest()


class AuditKeyError(RuntimeError):
    """The chain is signed with an audit key that GONGHUI_AUDIT_KEYS does not hold."""


def _signed_with(event: AuditEvent, ring: Sequence[crypto.Key]) -> crypto.Key | None:
    return next((key for key in ring if compute_hash(event, key) == event.hash), None)


def _known_keys() -> list[crypto.Key]:
    """The audit ring's keys, each also with the other algorithms: a chain signed with a key
    under AES goes on under SM with the same key after a handover, and is verified so."""
    ring = list(crypto.audit_keys())
    return ring + [
        crypto.Key(key.secret, other)
        for key in ring
        for other in crypto.SUITES
        if other != key.suite
    ]


def _named(label: str) -> crypto.Key | None:
    return next((key for key in _known_keys() if key.label == label), None)


def _chain_key(head: AuditHead) -> crypto.Key:
    """The key that signs the chain at its head: named there, or, for a chain begun before
    keys were named, the key of the ring that signed its last event."""
    ring = crypto.audit_keys()
    if head.key:
        named = _named(head.key)
        if named is None:
            raise AuditKeyError(
                f"the audit chain is signed with key {head.key}, which GONGHUI_AUDIT_KEYS does "
                "not hold: put it back after the current key, so that it hands over"
            )
        return named
    if head.last_id == 0:
        return ring[0]
    last = AuditEvent.objects.filter(id=head.last_id).first()
    found = _signed_with(last, _known_keys()) if last is not None else None
    if found is None:
        raise AuditKeyError(
            f"the audit chain's last event #{head.last_id} was signed with none of the keys "
            "in GONGHUI_AUDIT_KEYS (or it was altered): run audit_verify"
        )
    return found


def _handover(signing: crypto.Key, current: crypto.Key, at: datetime) -> AuditEvent:
    """The event that hands the chain from one audit key to the next: signed with the old key
    and naming the new one, so that a verifier holding both walks across."""
    return _build(
        Entry(
            action=KEY_CHANGED,
            actor_name="system",
            extra={"from": signing.label, "to": current.label},
        ),
        at,
    )


def _build(entry: Entry, at: datetime) -> AuditEvent:
    audit_actions.check(entry.action)
    info = current_request.get()
    by = entry.by if entry.by is not None and getattr(entry.by, "pk", None) else None
    obj = entry.obj
    organisation = entry.organisation
    if organisation is None and obj is not None:
        organisation = getattr(obj, "audit_organisation", None)
    return AuditEvent(
        at=at,
        actor_id=by.pk if by is not None else None,
        actor_name=entry.actor_name or (by.get_username() if by is not None else ""),
        organisation_id=getattr(organisation, "pk", organisation),
        action=entry.action,
        object_type=entry.object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=entry.object_id or (str(obj.pk) if obj is not None else ""),
        object_repr=(entry.object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=_plain(_masked(entry.changes)),
        extra=_plain(dict(entry.extra or {})),
        outcome=entry.outcome,
        request_id=info.request_id if info else "",
        ip=info.ip if info else None,
    )


def record_many(entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append events in order, under the chain's lock, in one insert."""
    if not entries:
        return []
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)
        at = timezone.now()
        signing, current = _chain_key(head), crypto.audit_keys()[0]
        built = [_build(entry, at) for entry in entries]
        if signing != current:
            built.insert(0, _handover(signing, current, at))
        events = []
        last_id, last_hash = head.last_id, head.last_hash
        for event in built:
            last_id += 1
            event.id = last_id
            event.prev_hash = last_hash
            event.hash = last_hash = compute_hash(event, signing)
            events.append(event)
            signing = current  # after a handover, the new key signs
        AuditEvent.objects.bulk_create(events, batch_size=500)
        head.last_id, head.last_hash, head.key = last_id, last_hash, current.label
        head.save(update_fields=["last_id", "last_hash", "key"])
        metrics.count_audit_events(event.outcome for event in events)
    return events[len(events) - len(entries) :]


def record(
    *,
    action: str,
    by: Actor = None,
    organisation: Any = None,
    obj: models.Model | None = None,
    changes: Changes | None = None,
    extra: Mapping[str, Any] | None = None,
    outcome: str = Outcome.SUCCESS,
    actor_name: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the audit trail."""
    entry = Entry(
        action=action,
        by=by,
        organisation=organisation,
        obj=obj,
        changes=changes,
        extra=extra,
        outcome=outcome,
        actor_name=actor_name,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    return record_many([entry])[0]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields whose values differ, as {field: (before, after)}."""
    return {k: (before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def _walk(batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last).order_by("id")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].id


def verify_chain(batch: int = 2000) -> ChainReport:
    """Walk the whole chain; name the first event that does not fit. Each event is checked
    with the key that signed that part of the chain: the ring's key that signed the first
    event, then the key each handover names."""
    known = _known_keys()
    expected_id, prev, checked, key = 1, GENESIS, 0, None
    for event in _walk(batch):
        if event.id != expected_id:
            return ChainReport(
                False, checked, expected_id, f"event #{expected_id} is missing (deleted)"
            )
        if event.prev_hash != prev:
            return ChainReport(
                False,
                checked,
                event.id,
                f"event #{event.id} does not follow event #{event.id - 1} "
                "(an event was deleted, inserted or reordered)",
            )
        if key is None and (key := _signed_with(event, known)) is None:
            return ChainReport(
                False,
                checked,
                event.id,
                f"event #{event.id} was altered, or signed with a key GONGHUI_AUDIT_KEYS does "
                "not hold (keep an older audit key in the ring while its events are kept)",
            )
        if compute_hash(event, key) != event.hash:
            return ChainReport(False, checked, event.id, f"event #{event.id} was altered")
        if event.action == KEY_CHANGED:
            named = str(event.extra.get("to", ""))
            key = _named(named)
            if key is None:
                return ChainReport(
                    False,
                    checked + 1,
                    event.id + 1,
                    f"from event #{event.id + 1} the chain is signed with key {named}, "
                    "which GONGHUI_AUDIT_KEYS does not hold",
                )
        prev, expected_id, checked = event.hash, expected_id + 1, checked + 1
    head = AuditHead.objects.get(pk=1)
    if head.last_id != expected_id - 1 or head.last_hash != prev:
        return ChainReport(
            False,
            checked,
            expected_id,
            f"the chain ends at event #{expected_id - 1} but its head records "
            f"#{head.last_id} (events at the end were deleted)",
        )
    return ChainReport(True, checked)
