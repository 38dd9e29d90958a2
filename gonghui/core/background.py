"""A generator run in a child process beside its consumer, so the two share the machine's cores.

Long imports are a pipeline: reading and checking a file is Python work on one core, writing
the rows is the database's work (in this process for SQLite). `in_child` forks a process that
runs the producer and sends each item back through a pipe, while this process consumes them:
the two halves overlap instead of taking turns. The child touches nothing but what the
producer touches (never the database: it shares this process's connections, and must leave
them alone), is killed if the consumer stops early, and its exceptions are raised here.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
_ITEM, _DONE, _RAISED = 0, 1, 2


class ChildFailed(Exception):
    """The child process ended without finishing (killed, or out of memory)."""


def in_child(produce: Callable[[], Iterable[T]]) -> Iterator[T]:
    """The items of `produce()`, made in a forked child process while the caller consumes them.

    The pipe holds a few items at most, so a slow consumer holds the producer back and memory
    stays flat. Where fork is not available the items are made here, one after the other.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_feed, args=(produce, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = pickle.loads(receiver.recv_bytes())  # noqa: S301 - our own child
            except EOFError:
                raise ChildFailed from None
            if kind == _DONE:
                return
            if kind == _RAISED:
                raise payload
            yield payload
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _feed(produce: Callable[[], Iterable[object]], sender: Connection) -> None:
    try:
        try:
            for item in produce():
                sender.send_bytes(pickle.dumps((_ITEM, item), pickle.HIGHEST_PROTOCOL))
        except Exception as error:
            try:
                told = pickle.dumps((_RAISED, error), pickle.HIGHEST_PROTOCOL)
            except Exception:
                told = pickle.dumps((_RAISED, ChildFailed(repr(error))))
            sender.send_bytes(told)
        else:
            sender.send_bytes(pickle.dumps((_DONE, None)))
    except (BrokenPipeError, OSError):
        pass  # the consumer stopped early: nobody to tell
    finally:
        sender.close()
        # leave at once: no exit handlers, no finalisers of the parent's database connections
        os._exit(0)
