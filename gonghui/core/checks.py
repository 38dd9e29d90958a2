"""Deployment checks of gonghui's own, run by `gonghui check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from gonghui.core import crypto


@register(Tags.security, deploy=True)
def check_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    rings = {"GONGHUI_AUDIT_KEYS": crypto.audit_keys(), "GONGHUI_FIELD_KEYS": crypto.field_keys()}
    for name, ring in rings.items():
        for position, key in enumerate(ring, start=1):
            if len(key.secret) < 32:
                errors.append(
                    Error(
                        f"Key {position} of {name} is shorter than 32 characters.",
                        hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'",
                        id="gonghui.E001",
                    )
                )
        current = settings.AUDIT_KEYS[0] if name == "GONGHUI_AUDIT_KEYS" else settings.FIELD_KEYS[0]
        if current.partition(":")[0] in crypto.SUITES and not current.startswith(
            f"{crypto.suite()}:"
        ):
            errors.append(
                Error(
                    f"The current key of {name} names other algorithms than GONGHUI_CRYPTO.",
                    hint="The current (first) key is used with GONGHUI_CRYPTO; prefix only older keys.",
                    id="gonghui.E004",
                )
            )
    if any(key.secret == settings.SECRET_KEY for key in crypto.audit_keys()):
        errors.append(Error("The audit key must differ from SECRET_KEY.", id="gonghui.E002"))
    if settings.CRYPTO not in ("aes", "sm"):
        errors.append(
            Error(
                f"GONGHUI_CRYPTO is {settings.CRYPTO!r}.",
                hint='Set it to "aes" (the default) or "sm" (SM4-GCM and HMAC-SM3).',
                id="gonghui.E003",
            )
        )
    return errors


@register(Tags.database, deploy=True)
def check_database(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.PRODUCTION and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return [
            Warning(
                "Production is running on SQLite.",
                hint=(
                    "SQLite serves one machine and cannot give the off-site real-time backup and "
                    "hot standby that 等保 level 3 asks for; set GONGHUI_DATABASE_URL to PostgreSQL."
                ),
                id="gonghui.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_second_factor(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.PRODUCTION and settings.MFA != "required":
        return [
            Warning(
                "Two-step verification is optional in production.",
                hint=(
                    "等保 level 3 asks for two factors, one of them cryptographic; "
                    "unset GONGHUI_MFA or set it to 'required'."
                ),
                id="gonghui.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_metrics_token(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.METRICS_TOKEN and len(settings.METRICS_TOKEN) < 32:
        return [
            Warning(
                "GONGHUI_METRICS_TOKEN is shorter than 32 characters.",
                hint=(
                    "/metrics is open to whoever holds the token; generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                ),
                id="gonghui.W003",
            )
        ]
    return []
