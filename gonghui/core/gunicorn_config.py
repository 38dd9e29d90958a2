"""gunicorn's settings for gonghui: `gunicorn -c python:gonghui.core.gunicorn_config …`.

Its hooks keep the metrics' shared directory (`PROMETHEUS_MULTIPROC_DIR`, see
`gonghui.core.metrics`) in order: at the start, the files of processes that no longer run are
swept away (their counts start again from zero, which Prometheus reads as a restart); when a web
worker ends, it is marked dead. Nothing here imports Django: gunicorn's master loads this
before any application.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True


def sweep_metrics_dir(directory: Path) -> list[Path]:
    """Make the directory if needed, and delete the value files of processes that no longer
    run (`counter_1234.db`: the number is the process's); those of a running process (the task
    worker, when only the web restarts) stay. Returns the files deleted."""
    directory.mkdir(parents=True, exist_ok=True)
    swept = []
    for path in directory.glob("*.db"):
        pid = path.stem.rpartition("_")[2]
        if not pid.isdigit() or not _running(int(pid)):
            path.unlink(missing_ok=True)
            swept.append(path)
    return swept


def on_starting(server: Any) -> None:
    directory = os.environ.get(MULTIPROCESS_DIR)
    if directory:
        sweep_metrics_dir(Path(directory))


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
