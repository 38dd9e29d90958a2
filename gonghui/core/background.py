"""A generator run in a child process beside its consumer, so the two share the machine's cores.

Long imports are a pipeline: reading and checking a file is Python work on one core, writing
the rows is the database's work (in this process for SQLite). `in_child` forks a process that
runs the producer and sends each item back through a pipe, while this process consumes them:
the two halves overlap instead of taking turns. The child touches nothing but what the
producer touches (never the database: it shares this process's connections, and must leave
them alone), is killed if the consumer stops early, and its exceptions are raised here.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import pickle
from collections.abc import Callable, Generator, Iterable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")
# the first byte of each message: an item, the end, or an exception (pickled)
_ITEM, _DONE, _RAISED = b"i", b"d", b"r"


class ChildFailed(Exception):
    """The child process ended without finishing (killed, or out of memory)."""


def in_child(produce: Callable[[], Iterable[T]]) -> Generator[T, None, None]:
    """The items of `produce()`, made in a forked child process while the caller consumes them.

    Items are plain values (what `marshal` takes: tuples, lists, str, int, bool, None…), the
    fastest to pass. The pipe holds one item at a time, so a slow consumer holds the producer
    back and memory stays flat. Where fork is not available the items are made here.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_feed, args=(produce, sender, receiver), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv_bytes()
            except EOFError:
                raise ChildFailed from None
            kind = message[:1]
            if kind == _DONE:
                return
            if kind == _RAISED:
                raise pickle.loads(message[1:])  # noqa: S301 - from our own child
            yield marshal.loads(memoryview(message)[1:])  # noqa: S302 - from our own child
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _feed(produce: Callable[[], Iterable[Any]], sender: Connection, receiver: Connection) -> None:
    # The fork copied the reading end too. Closed here, it is held by the consumer alone, so
    # if the consumer dies (killed, a power cut) the next write fails and this child leaves
    # instead of waiting on a full pipe for ever.
    receiver.close()
    try:
        try:
            for item in produce():
                sender.send_bytes(_ITEM + marshal.dumps(item))
        except Exception as error:
            try:
                told = pickle.dumps(error, pickle.HIGHEST_PROTOCOL)
            except Exception:
                told = pickle.dumps(ChildFailed(repr(error)))
            sender.send_bytes(_RAISED + told)
        else:
            sender.send_bytes(_DONE)
    except (BrokenPipeError, OSError):
        pass  # the consumer stopped early: nobody to tell
    finally:
        sender.close()
        # leave at once: no exit handlers, no finalisers of the parent's database connections
        os._exit(0)
