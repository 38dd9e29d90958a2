"""The Chinese catalogue is complete: no message untranslated, none left fuzzy."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
)


def test_every_message_is_translated() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_Hans")
    assert not catalogue.fuzzy
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or not all(strings):
            missing.append(message.id)
    assert missing == []
