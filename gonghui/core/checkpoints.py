"""Checkpoints of the audit trail kept outside the database.

Whoever can write to the database can delete the newest events and rewrite the head row to
match: the chain that remains is intact. A checkpoint is the head (sequence number, hash,
time) appended to a log on another disk or host, one JSON line each, signed with the audit
key. `verify` holds the chain to every checkpoint: an event at or before one that is
missing or altered, or a head behind the latest one, is named with the checkpoint.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from gonghui.core import crypto
from gonghui.core.audit import ChainReport, verify_chain
from gonghui.core.models import AuditEvent, AuditHead

FIELDS = ("seq", "hash", "at", "mac")


class CheckpointLogError(Exception):
    """A line of the checkpoint log that cannot be read or was not signed with the audit key."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    line: int = 0

    def describe(self, path: Path) -> str:
        return f"checkpoint #{self.seq} of {self.at} (line {self.line} of {path})"


def log_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINTS)


def _mac(seq: int, head_hash: str, at: str, key: crypto.Key | None = None) -> str:
    # a key of its own, derived from the audit key, so a line is never mistaken for an event
    key = key or crypto.audit_keys()[0]
    digest = crypto.hash_name(key.suite)
    derived = hmac.new(key.secret.encode(), b"gonghui audit checkpoint", digest)
    return hmac.new(derived.digest(), f"{seq}|{head_hash}|{at}".encode(), digest).hexdigest()


def _signed(mac: str, seq: int, head_hash: str, at: str) -> bool:
    """Whether a line was signed with a key of the audit ring (an older key signed the
    checkpoints taken before it was replaced)."""
    return any(
        hmac.compare_digest(mac, _mac(seq, head_hash, at, key)) for key in crypto.audit_keys()
    )


def _line(checkpoint: Checkpoint) -> bytes:
    fields = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": checkpoint.at,
        "mac": _mac(checkpoint.seq, checkpoint.hash, checkpoint.at),
    }
    return (json.dumps(fields, separators=(",", ":")) + "\n").encode()


def write_checkpoint(path: Path | None = None) -> Checkpoint:
    """Append the chain's present head to the checkpoint log, on disk before returning."""
    path = path or log_path()
    head = AuditHead.objects.get(pk=1)
    at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    checkpoint = Checkpoint(head.last_id, head.last_hash, at)
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, _line(checkpoint))  # one write: lines of two writers never mix
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:
        _sync_directory(path.parent)
    return checkpoint


def _sync_directory(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a platform that cannot open folders: the file itself was synced
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_checkpoints(path: Path | None = None) -> list[Checkpoint] | None:
    """The checkpoints of the log, in order; None when there is no log yet.

    Raises CheckpointLogError naming the first line that is garbled or not signed with the
    audit key (forged, or from another installation).
    """
    path = path or log_path()
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CheckpointLogError(f"{path} cannot be read: {error.strerror}") from None
    return list(_parse(content, path))


def _parse(content: bytes, path: Path) -> Iterator[Checkpoint]:
    lines = content.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        try:
            fields = json.loads(raw)
            seq, head_hash, at, mac = (fields[name] for name in FIELDS)
            if not isinstance(seq, int) or seq < 0 or not isinstance(head_hash, str):
                raise ValueError
            if not isinstance(at, str) or not isinstance(mac, str):
                raise ValueError
        except (ValueError, TypeError, KeyError):
            raise CheckpointLogError(f"line {number} of {path} is garbled") from None
        if not _signed(mac, seq, head_hash, at):
            raise CheckpointLogError(
                f"line {number} of {path} is not signed with this installation's audit key "
                "(forged, or from another installation)"
            )
        yield Checkpoint(seq, head_hash, at, number)


@dataclass(frozen=True)
class Verdict:
    intact: bool
    chain: ChainReport
    reason: str = ""
    checkpoints: int = 0
    latest: Checkpoint | None = None
    log_found: bool = True


def verify(path: Path | None = None) -> Verdict:
    """Walk the chain, then hold it to every checkpoint of the log.

    Raises CheckpointLogError when the log cannot be read.
    """
    path = path or log_path()
    checkpoints = read_checkpoints(path)
    chain = verify_chain()
    if checkpoints is None:
        if not chain.intact:
            return Verdict(False, chain, chain.reason, log_found=False)
        return Verdict(True, chain, log_found=False)
    if not chain.intact:
        first_bad = chain.first_bad_id or 0
        covering = next((c for c in checkpoints if c.seq >= first_bad), None)
        reason = chain.reason
        if covering is not None:
            reason = f"{reason}, at or before {covering.describe(path)}"
        return Verdict(False, chain, reason, len(checkpoints), covering)
    head = AuditHead.objects.get(pk=1)
    hashes = _hashes_at({c.seq for c in checkpoints if 0 < c.seq <= head.last_id})
    for checkpoint in checkpoints:
        if checkpoint.seq > head.last_id:
            reason = (
                f"the head #{head.last_id} is behind {checkpoint.describe(path)}: "
                "the newest events were deleted"
            )
            return Verdict(False, chain, reason, len(checkpoints), checkpoint)
        if checkpoint.seq and hashes.get(checkpoint.seq) != checkpoint.hash:
            reason = (
                f"event #{checkpoint.seq} is not the one {checkpoint.describe(path)} recorded "
                "(events up to it were deleted and others written in their place)"
            )
            return Verdict(False, chain, reason, len(checkpoints), checkpoint)
    latest = max(checkpoints, key=lambda c: c.seq, default=None)
    return Verdict(True, chain, "", len(checkpoints), latest)


def _hashes_at(ids: set[int]) -> Mapping[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found.update(AuditEvent.objects.filter(id__in=chunk).values_list("id", "hash"))
    return found
