from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_validation_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put an action's ValidationError beside the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(None if field == NON_FIELD_ERRORS else target, e)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    """The browser's date picker, filled as yyyy-mm-dd whatever the language's own format.

    A date input holds only that form: a value written the Chinese way (2026/12/03) is dropped
    by the browser, and a required date would be sent empty.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
