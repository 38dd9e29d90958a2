"""Request lines reach logs with identity numbers and mobiles masked.

An exact search puts the number in the query string, which access logs print (and the
Referer of the next request repeats). Every logger that prints request lines masks it: the
development server's (`django.server`, through `MaskPersonalNumbers`), gunicorn's access log
(through `GunicornLogger`, which `gonghui serve` uses; production passes `--logger-class`),
and the console handler as a last net. The masks are those of the pages (`core.personal`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

from gonghui.core.personal import mask_identity_number, mask_phone

# at a boundary: not inside a longer run of letters and digits, but a percent-escape
# (%20650102…) or a country code (+86138…) may stand right before
_START = r"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{2}))"
_IDENTITY = re.compile(_START + r"\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?:" + _START + r"|(?<=86))1[3-9]\d{9}(?![0-9A-Za-z])")


def mask_personal_numbers(text: str) -> str:
    """Any identity-number-like (18 characters) or mobile-like (11 digits) value, masked."""
    text = _IDENTITY.sub(lambda match: mask_identity_number(match.group()), text)
    return _MOBILE.sub(lambda match: mask_phone(match.group()), text)


class MaskPersonalNumbers(logging.Filter):
    """A logging filter that masks the record's message (its arguments merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class GunicornLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with every access-log field masked (request line, path, query,
    referer, headers)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_personal_numbers(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
