"""Production settings: `gonghui check --deploy` is clean, and the database is the one asked for."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_ENV="production",
        GONGHUI_SECRET_KEY=secrets.token_urlsafe(50),
        GONGHUI_AUDIT_KEY=secrets.token_urlsafe(48),
        GONGHUI_FIELD_KEY=secrets.token_urlsafe(48),
        GONGHUI_ALLOWED_HOSTS="gonghui.example.org",
        GONGHUI_DATABASE_URL="postgres://gonghui@db.internal:5432/gonghui",
        GONGHUI_STATIC_ROOT=str(tmp_path / "static"),
        GONGHUI_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(extra)
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonghui.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_in_production(tmp_path: Path) -> None:
    result = _check(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    # the one silenced check (HSTS preload) is explained in settings.py
    assert "1 silenced" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    del env["GONGHUI_AUDIT_KEY"]
    result = _check(env)
    assert result.returncode != 0
    assert "GONGHUI_AUDIT_KEY must be set" in result.stderr


def test_short_audit_key_is_reported(tmp_path: Path) -> None:
    result = _check(_production_env(tmp_path, GONGHUI_AUDIT_KEY="short"))
    assert result.returncode != 0
    assert "gonghui.E001" in result.stderr


def test_sqlite_in_production_is_flagged(tmp_path: Path) -> None:
    result = _check(
        _production_env(tmp_path, GONGHUI_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    )
    assert result.returncode != 0
    assert "gonghui.W001" in result.stderr


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_given() -> None:
    # .ci/run sets this when it runs the suite on PostgreSQL: a silent fallback fails here
    expected = os.environ.get("GONGHUI_EXPECT_DATABASE")
    if expected:
        assert connection.vendor == expected
    assert connection.vendor in {"sqlite", "postgresql"}


def test_the_secret_key_changes_without_signing_everyone_out(settings) -> None:
    """A value signed with the old key still reads while the old key is a fallback."""
    from django.core import signing

    settings.SECRET_KEY = "old-" + "k" * 50
    signed = signing.dumps("session")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "k" * 50, ["old-" + "k" * 50]
    assert signing.loads(signed) == "session"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(signing.BadSignature):
        signing.loads(signed)
