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


def test_the_password_rules_and_their_refusals_read_in_chinese() -> None:
    """Django's catalogue lacks some of them; ours fills the gap."""
    import re

    from django.contrib.auth.password_validation import (
        get_default_password_validators,
        password_validators_help_texts,
    )
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from gonghui.accounts.models import User

    han = re.compile(r"[\u4e00-\u9fff]")
    user = User(username="wanggong", full_name="王工", email="wanggong@example.cn")
    with translation.override("zh-hans"):
        texts = list(password_validators_help_texts())
        for password in ("abc", "wanggong12", "1234567890123", "password123"):
            for validator in get_default_password_validators():
                try:
                    validator.validate(password, user)
                except ValidationError as refusal:
                    texts += refusal.messages
    assert len(texts) >= 8
    assert [text for text in texts if not han.search(text)] == []


def test_chinese_text_uses_full_width_brackets() -> None:
    """县（市、区）总工会, not 县(市、区)总工会: Chinese text takes full-width punctuation."""
    import re

    from gonghui.orgs.models import CHINESE_TYPE_NAMES

    han = re.compile(r"[\u4e00-\u9fff]")
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    texts = [
        text
        for message in catalog
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
    ] + list(CHINESE_TYPE_NAMES.values())
    half_width = [
        text
        for text in texts
        if han.search(text) and re.search(r"[()]", re.sub(r"%\(\w+\)[sdr]", "", text))
    ]
    assert half_width == []
