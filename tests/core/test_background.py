"""A child that feeds a consumer leaves when the consumer dies, killed mid-import."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from gonghui.core.background import in_child


def _endless(pid_file: Path) -> Iterator[str]:
    pid_file.write_text(str(os.getpid()))
    for n in itertools.count():
        yield f"row {n} " * 100  # big enough to fill the pipe soon


def _consume_one_then_wait(pid_file: str) -> None:
    rows = in_child(lambda: _endless(Path(pid_file)))
    next(rows)
    time.sleep(60)  # killed long before this


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers: read its state
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def test_the_child_leaves_when_its_consumer_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    consumer = multiprocessing.get_context("fork").Process(
        target=_consume_one_then_wait, args=(str(pid_file),)
    )
    consumer.start()
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())
    time.sleep(0.5)  # the child has filled the pipe and waits on it
    os.kill(consumer.pid, signal.SIGKILL)
    consumer.join()
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive
