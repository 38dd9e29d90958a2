"""Serve gonghui: the web server and the background worker, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from gonghui.accounts.models import User
from gonghui.core.gunicorn_config import MULTIPROCESS_DIR, sweep_metrics_dir
from gonghui.orgs.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """The web server as `serve` runs it: its access log masks identity numbers and mobiles,
    and its hooks keep the metrics' shared directory."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "gonghui.wsgi",
        "--config",
        "python:gonghui.core.gunicorn_config",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--logger-class",
        "gonghui.core.accesslog.GunicornLogger",
        "--timeout",
        "120",
    ]


def metrics_environment() -> dict[str, str]:
    """The environment of the web and worker processes: one directory where each writes its
    metrics for /metrics to add up (PROMETHEUS_MULTIPROC_DIR if set, else var/metrics), cleared
    of the files of processes that ended."""
    directory = Path(os.environ.get(MULTIPROCESS_DIR) or settings.VAR_DIR / "metrics")
    sweep_metrics_dir(directory)
    return {**os.environ, MULTIPROCESS_DIR: str(directory)}


class Command(BaseCommand):
    help = "Serve the web application with gunicorn and run the background task worker beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(
        self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **options: Any
    ) -> None:
        processes: list[subprocess.Popen[bytes]] = []
        environment = metrics_environment()
        if not no_worker:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gonghui.cli", "worker", "--interval", "1"],
                    env=environment,
                )
            )
        processes.append(
            subprocess.Popen(gunicorn_command(host, port, workers), env=environment)  # noqa: S603
        )
        address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"  # noqa: S104
        self.stdout.write(self.style.SUCCESS(f"gonghui is serving {address}"))
        self.stdout.write(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        present = set(
            User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        if present:
            self.stdout.write(f"demo accounts (password {DEMO_PASSWORD}):")
            for username, description in DEMO_ACCOUNTS:
                if username in present:
                    self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write("Press Ctrl+C to stop.")

        def stop(*_: Any) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                process.wait(timeout=15)
