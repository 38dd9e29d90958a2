"""Identity numbers and mobiles never reach a log in full, whichever server prints the line."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonghui.core.accesslog import mask_personal_numbers
from gonghui.site.management.commands.serve import gunicorn_command

IDENTITY = "650102199003070072"
MOBILE = "13812345678"
SEARCHES = [f"/members/?q={IDENTITY}", f"/members/?q={MOBILE}", "/members/?q=65010219900307007X"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"GET /members/?q={IDENTITY} HTTP/1.1", "GET /members/?q=650102********0072 HTTP/1.1"),
        ("q=65010219900307007x&page=2", "q=650102********007x&page=2"),
        (f"q=%20{IDENTITY}", "q=%20650102********0072"),
        (f"q={MOBILE}", "q=138****5678"),
        (f"q=%2B86{MOBILE}", "q=%2B86138****5678"),
        ("hash 0a1b" + "1" * 18 + "ff", "hash 0a1b" + "1" * 18 + "ff"),  # inside a longer token
        ("GET /orgs/650102/ 200", "GET /orgs/650102/ 200"),
    ],
)
def test_numbers_are_masked_in_text(text: str, masked: str) -> None:
    assert mask_personal_numbers(text) == masked


def test_development_server_request_lines_are_masked() -> None:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    server_log = logging.getLogger("django.server")
    keep = Keep()
    server_log.addHandler(keep)
    try:
        server_log.info('"%s" %s %s', f"GET /members/?q={IDENTITY} HTTP/1.1", "302", "0")
    finally:
        server_log.removeHandler(keep)
    assert lines == ['"GET /members/?q=650102********0072 HTTP/1.1" 302 0']


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> None:
    # the Referer is what the next page sends; the sign-in redirect is an HTTPError here, and
    # the request line is logged all the same
    request = urllib.request.Request(url, headers={"Referer": url})  # noqa: S310 - http only
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.build_opener(_NoRedirect).open(request, timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GONGHUI_VAR_DIR": str(tmp_path / "var"),
        "GONGHUI_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
    }


@pytest.fixture
def served(environment: dict[str, str], tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """gunicorn as `gonghui serve` runs it, its access log into a file."""
    port = _free_port()
    access_log = tmp_path / "access.log"
    command = gunicorn_command("127.0.0.1", port, 1)
    command[command.index("--access-logfile") + 1] = str(access_log)
    with subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL) as server:
        try:
            _wait_for(port)
            yield port, access_log
        finally:
            server.terminate()
            server.wait(timeout=15)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_gunicorn_access_log_of_a_real_search_masks_the_numbers(
    served: tuple[int, Path],
) -> None:
    port, access_log = served
    for search in SEARCHES:
        _get(f"http://127.0.0.1:{port}{search}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(access_log.read_text().splitlines()) < 3:
        time.sleep(0.1)
    logged = access_log.read_text()
    assert logged.count("/members/?q=") == 3 * 2  # request line and referer
    assert "650102********0072" in logged and "138****5678" in logged
    assert IDENTITY not in logged and MOBILE not in logged and "07007X" not in logged


def test_runserver_log_of_a_real_search_masks_the_numbers(environment: dict[str, str]) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "gonghui.cli", "runserver", "--noreload", f"127.0.0.1:{port}"]
    lines: list[str] = []
    with subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as server:
        assert server.stderr is not None
        # the server writes a request's line after answering it: read until all three are there
        reader = threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True)
        reader.start()
        try:
            _wait_for(port)
            for search in SEARCHES:
                _get(f"http://127.0.0.1:{port}{search}")
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and sum("/members/?q=" in x for x in lines) < 3:
                time.sleep(0.1)
        finally:
            server.terminate()
            server.wait(timeout=15)
            reader.join(timeout=5)
    logged = "".join(lines)
    assert logged.count("/members/?q=") == 3
    assert "650102********0072" in logged and "138****5678" in logged
    assert IDENTITY not in logged and MOBILE not in logged
