"""Metrics kept by several processes (gunicorn's workers, the task worker, a command-line
import) are added up at the scrape through the shared directory, those of ended processes
included; the directory is kept clean of the files of processes that no longer run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from gonghui.core import gunicorn_config
from gonghui.core.metrics import MULTIPROCESS_DIR
from gonghui.site.management.commands.serve import gunicorn_command, metrics_environment

TOKEN = "a-long-random-token-for-the-data-centre-prometheus"

# what a process other than the web does: a task worker counts rows, a sign-in fails on the API
COUNTING = """
import django
django.setup()
from gonghui.core import metrics
metrics.count_sign_in_failure("password")
metrics.count_rows_checked(kind="tests.kind", rows=5)
metrics.observe_request(route="/healthz", method="GET", status=200, seconds=0.02)
"""


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def key(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


def _environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        MULTIPROCESS_DIR: str(tmp_path / "metrics"),  # made by the first process that counts
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
        "GONGHUI_VAR_DIR": str(tmp_path / "var"),
        "GONGHUI_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'gonghui.sqlite3'}",
        "GONGHUI_METRICS_TOKEN": TOKEN,
    }


@pytest.mark.slow
@pytest.mark.xdist_group("subprocess")
@pytest.mark.django_db
def test_the_counts_of_two_processes_are_added_up_after_they_ended(
    tmp_path, settings, monkeypatch
) -> None:
    environment = _environment(tmp_path)
    children = [
        subprocess.Popen([sys.executable, "-c", COUNTING], env=environment) for _ in range(2)
    ]
    assert [child.wait(timeout=120) for child in children] == [0, 0]
    assert len({path.stem.rpartition("_")[2] for path in (tmp_path / "metrics").glob("*.db")}) == 2

    settings.METRICS_TOKEN = TOKEN
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path / "metrics"))
    response = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/metrics")
    samples = _samples(response.content.decode())
    assert samples[key("gonghui_sign_in_failures_total", reason="password")] == 2
    assert samples[key("gonghui_import_rows_checked_total", kind="tests.kind")] == 10
    healthz = {"method": "GET", "route": "/healthz"}
    assert samples[key("gonghui_http_request_duration_seconds_count", **healthz)] == 2
    assert samples[key("gonghui_http_request_duration_seconds_bucket", **healthz, le="0.025")] == 2
    assert samples[key("gonghui_http_request_duration_seconds_bucket", **healthz, le="0.01")] == 0
    assert samples[key("gonghui_database_up")] == 1  # the database's figures beside them

    # both processes have ended: a new start sweeps their files away
    assert len(gunicorn_config.sweep_metrics_dir(tmp_path / "metrics")) >= 2
    assert not list((tmp_path / "metrics").glob("*.db"))


def test_the_sweep_keeps_the_files_of_running_processes(tmp_path) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    directory = tmp_path / "metrics"
    directory.mkdir()
    mine = directory / f"counter_{os.getpid()}.db"
    theirs = directory / f"histogram_{ended.pid}.db"
    stray = directory / "counter_x.db"
    for path in (mine, theirs, stray):
        path.write_bytes(b"")
    assert sorted(gunicorn_config.sweep_metrics_dir(directory)) == sorted([theirs, stray])
    assert mine.exists()
    assert gunicorn_config.sweep_metrics_dir(tmp_path / "new") == []  # made when missing
    assert (tmp_path / "new").is_dir()


def _ended_pid() -> int:
    """The id of a process that has just ended (so none runs under it)."""
    import subprocess

    ended = subprocess.Popen(["true"])
    ended.wait()
    return ended.pid


def test_a_web_worker_that_ends_is_marked_dead(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path))
    pid = _ended_pid()
    live = tmp_path / f"gauge_livesum_{pid}.db"
    counted = tmp_path / f"counter_{pid}.db"
    live.write_bytes(b"")
    counted.write_bytes(b"")
    gunicorn_config.child_exit(None, SimpleNamespace(pid=pid))
    assert not live.exists() and counted.exists()  # what it counted stays in the sum
    (tmp_path / "counter_1.db").write_bytes(b"")
    gunicorn_config.on_starting(None)
    assert not counted.exists()


def test_serve_gives_its_processes_one_swept_directory(tmp_path, monkeypatch, settings) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)
    assert metrics_environment()[MULTIPROCESS_DIR] == str(tmp_path / "metrics")
    assert (tmp_path / "metrics").is_dir()
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path / "chosen"))
    assert metrics_environment()[MULTIPROCESS_DIR] == str(tmp_path / "chosen")
    command = gunicorn_command("127.0.0.1", 8000, 2)
    assert command[command.index("--config") + 1] == "python:gonghui.core.gunicorn_config"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, token: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def _served(url: str, seconds: float = 60) -> int:
    """Ask until the server answers; the number of answers (each one a request it counted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _get(url)
            return 1
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _workers(directory: Path, master: int) -> set[int]:
    pids = {int(path.stem.rpartition("_")[2]) for path in directory.glob("counter_*.db")}
    alive = set()
    for pid in pids:
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == master:
            alive.add(pid)
    return alive


@pytest.mark.slow
@pytest.mark.xdist_group("subprocess")
def test_gunicorn_workers_requests_add_up_even_after_a_worker_is_replaced(tmp_path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    master = subprocess.Popen(
        gunicorn_command("127.0.0.1", port, 2),
        env=_environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answered = _served(f"{base}/healthz")
        for _ in range(20):
            answered += _get(f"{base}/healthz")[0] == 200
        deadline = time.monotonic() + 60
        while len(workers := _workers(tmp_path / "metrics", master.pid)) < 2:
            assert time.monotonic() < deadline, "the two workers did not start"
            time.sleep(0.3)
        os.kill(min(workers), signal.SIGTERM)  # gunicorn starts another in its place
        while len(_workers(tmp_path / "metrics", master.pid) - {min(workers)}) < 2:
            assert time.monotonic() < deadline, "no worker replaced the one that ended"
            time.sleep(0.3)
        for _ in range(10):
            answered += _served(f"{base}/healthz")
        status, body = _get(f"{base}/metrics", TOKEN)
        assert status == 200
        healthz = key("gonghui_http_requests_total", method="GET", route="/healthz", status="200")
        assert _samples(body)[healthz] == answered
        assert _get(f"{base}/metrics", "wrong")[0] == 401
    finally:
        master.terminate()
        master.wait(timeout=30)
