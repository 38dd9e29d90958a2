"""What the operator's Prometheus scrapes at `/metrics`: counters the processes keep, and
figures read from the database at the scrape.

Counters and the request histogram live in each process: the web workers, the task worker, an
import run from the command line. Where `PROMETHEUS_MULTIPROC_DIR` names a directory (`gonghui
serve` sets one up; gunicorn's hooks are in `gonghui.core.gunicorn_config`), every process
writes its values to files there and a scrape adds them up, those of processes that have ended
included; without it (tests, `runserver`) a scrape reads the answering process's own.

No label carries personal data. A request is labelled with its URL pattern
(`/members/<int:pk>/`), never its path or query string: an identity number searched for never
reaches a metric, and there are as many series as there are pages.

What is read at the scrape stays cheap however large the installation: the audit trail's total
is the chain head's sequence number (events are never deleted, so no COUNT over millions of
rows), and the task results and running imports are small tables.
"""

from __future__ import annotations

import logging
import os
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from gonghui.core.models import AuditHead, Outcome

logger = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# the classic text format, which every Prometheus version reads
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


def multiprocess_dir() -> str | None:
    """The directory the processes share their values through, if there is one."""
    return os.environ.get(MULTIPROCESS_DIR) or None


if (_shared := multiprocess_dir()) is not None:
    # a process started before anyone made the directory makes it, rather than fail at its
    # first count
    Path(_shared).mkdir(parents=True, exist_ok=True)

# This process's own metrics; a scrape reads them when there is no shared directory.
REGISTRY = CollectorRegistry()
# no `_created` series beside each counter: they double the series, and a shared directory
# has none
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
SIGN_IN_REASONS = ("password", "locked", "address_locked", "second_factor")

REQUESTS = Counter(
    "gonghui_http_requests",
    "HTTP requests answered, by route (the URL pattern, never the path), method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "gonghui_http_request_duration_seconds",
    "Seconds taken to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
SIGN_IN_FAILURES = Counter(
    "gonghui_sign_in_failures",
    "Failed sign-ins on the web and the API, by reason: password (wrong username or "
    "password), locked (the username is locked), address_locked (too many failures from the "
    "address), second_factor (a wrong or throttled code).",
    ["reason"],
    registry=REGISTRY,
)
AUDIT_RECORDED = Counter(
    "gonghui_audit_events_recorded",
    "Audit events committed by the processes, by outcome (success, failure, denied).",
    ["outcome"],
    registry=REGISTRY,
)
IMPORT_ROWS_CHECKED = Counter(
    "gonghui_import_rows_checked",
    "Rows checked by imports as the check goes, by import kind (each pass over a file counts).",
    ["kind"],
    registry=REGISTRY,
)
IMPORT_ROWS_WRITTEN = Counter(
    "gonghui_import_rows_written",
    "Rows written by imports, once committed, by import kind.",
    ["kind"],
    registry=REGISTRY,
)
IMPORTS_WRITTEN = Counter(
    "gonghui_imports_written",
    "Imports that wrote their rows, by import kind.",
    ["kind"],
    registry=REGISTRY,
)

# every series that an alert may compare is there from the start, at 0
for _reason in SIGN_IN_REASONS:
    SIGN_IN_FAILURES.labels(_reason)
for _outcome in Outcome.values:
    AUDIT_RECORDED.labels(_outcome)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    """One request answered: `route` is its URL pattern, never its path."""
    method = method if method in HTTP_METHODS else "other"  # the method is the client's text
    REQUESTS.labels(route, method, str(status)).inc()
    REQUEST_SECONDS.labels(route, method).observe(seconds)


def count_sign_in_failure(reason: str) -> None:
    """A sign-in refused, for one of SIGN_IN_REASONS."""
    SIGN_IN_FAILURES.labels(reason).inc()


def count_audit_events(outcomes: Iterable[str]) -> None:
    """Events appended to the trail, counted once their transaction commits."""
    tally = Tally(outcomes)

    def counted() -> None:
        for outcome, events in tally.items():
            AUDIT_RECORDED.labels(outcome).inc(events)

    transaction.on_commit(counted)


def count_rows_checked(*, kind: str, rows: int) -> None:
    if rows > 0:
        IMPORT_ROWS_CHECKED.labels(kind).inc(rows)


def count_import_written(*, kind: str, rows: int) -> None:
    """An import wrote its rows: counted once their transaction commits."""

    def counted() -> None:
        IMPORTS_WRITTEN.labels(kind).inc()
        IMPORT_ROWS_WRITTEN.labels(kind).inc(rows)

    transaction.on_commit(counted)


def _task_figures() -> Iterator[Metric]:
    """Background tasks waiting, running and failed, by task; how long the oldest has waited."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    found = {
        (row["status"], row["task_path"]): row["n"]
        for row in DBTaskResult.objects.order_by()
        .values("status", "task_path")
        .annotate(n=Count("pk"))
    }
    tasks = sorted({task for _status, task in found})
    for name, status, meaning in (
        ("waiting", TaskResultStatus.READY, "Background tasks waiting for a worker, by task."),
        ("running", TaskResultStatus.RUNNING, "Background tasks being run, by task."),
        ("failed", TaskResultStatus.FAILED, "Background tasks that failed (kept), by task."),
    ):
        family = GaugeMetricFamily(f"gonghui_tasks_{name}", meaning, labels=["task"])
        for task in tasks:
            family.add_metric([task], found.get((status, task), 0))
        yield family
    oldest = DBTaskResult.objects.ready().order_by().aggregate(at=Min("enqueued_at"))["at"]
    yield GaugeMetricFamily(
        "gonghui_tasks_oldest_waiting_seconds",
        "Seconds the oldest background task due to run has waited (0: none waits).",
        value=(timezone.now() - oldest).total_seconds() if oldest else 0,
    )


def _audit_figures() -> Iterator[Metric]:
    head = AuditHead.objects.filter(pk=1).values_list("last_id", flat=True).first()
    yield CounterMetricFamily(
        "gonghui_audit_events",
        "Events in the audit trail (the chain head's sequence number; events are never deleted).",
        value=head or 0,
    )


def _import_figures() -> Iterator[Metric]:
    from gonghui.core.imports.kinds import kinds
    from gonghui.core.imports.models import RUNNING, ImportJob

    found = {
        (row["kind"], row["stage"]): row["n"]
        for row in ImportJob.objects.filter(stage__in=RUNNING)
        .order_by()
        .values("kind", "stage")
        .annotate(n=Count("pk"))
    }
    family = GaugeMetricFamily(
        "gonghui_imports_running",
        "Web imports waiting to be checked (queued), being checked or being written, by kind.",
        labels=["kind", "stage"],
    )
    codes = sorted({kind.code for kind in kinds()} | {kind for kind, _stage in found})
    for code in codes:
        for stage in sorted(RUNNING):
            family.add_metric([code, stage], found.get((code, stage), 0))
    yield family


class DatabaseCollector:
    """The figures read from the database at each scrape. A database that does not answer
    leaves them out and says so (`gonghui_database_up 0`); the counters are still served."""

    def collect(self) -> Iterable[Metric]:
        try:
            families = [*_task_figures(), *_audit_figures(), *_import_figures()]
        except DatabaseError as error:
            logger.warning("metrics: the database did not answer: %s", error)
            families = []
        up = GaugeMetricFamily(
            "gonghui_database_up",
            "Whether the database answered the scrape's queries (1) or not (0).",
            value=1 if families else 0,
        )
        return [*families, up]


def exposition() -> tuple[bytes, str]:
    """The body of `/metrics` and its content type: every process's counters added up (or
    this process's own, without a shared directory), and the database's figures."""
    registry = CollectorRegistry()
    shared = multiprocess_dir()
    if shared is None:
        registry.register(REGISTRY)
    else:
        MultiProcessCollector(registry, path=shared)  # type: ignore[no-untyped-call]
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE
