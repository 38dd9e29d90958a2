"""A date input is filled as yyyy-mm-dd in Chinese too: the browser drops any other form."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import translation

from gonghui.core.forms import DateInput
from gonghui.honours.forms import NoticeForm


class _Form(forms.Form):
    on = forms.DateField(widget=DateInput())


def test_a_date_is_filled_as_the_browser_reads_it_in_every_language() -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = str(_Form(initial={"on": date(2026, 12, 3)})["on"])
        assert 'type="date"' in html
        assert 'value="2026-12-03"' in html


def test_the_notice_start_date_is_prefilled_in_chinese() -> None:
    with translation.override("zh-hans"):
        html = str(NoticeForm(initial={"starts_on": date(2026, 12, 3)})["starts_on"])
    assert 'value="2026-12-03"' in html
