"""The organisation picker: a text field for the code, with a list of matching organisations
that fills in as one types (htmx); without script it is the plain field it always was.

The list is the browser's own (`<datalist>`): arrow keys and Enter choose, and the field
receives the code. Which organisations are offered is the user's scope in the roles the form
names (`reach`); the field still checks the choice against what the form allows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString


class Picker(forms.TextInput):
    """A text field whose list of matches fills in from `url` as one types."""

    def __init__(
        self, *, url: str, kind: str, reach: str = "business", attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.url, self.kind, self.reach = url, kind, reach

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = dict(attrs or {})
        choices = f"{attrs.get('id') or 'id_' + name}-choices"
        attrs.update(
            {
                "list": choices,
                "hx-get": reverse("orgs:pick")
                + "?"
                + urlencode({"field": name, "reach": self.reach}),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{choices}",
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
                "data-picker": self.kind,
            }
        )
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', field, choices)


def OrganisationPicker(*, reach: str = "business") -> Picker:
    """Organisations of the user's scope, by the start of the code or part of the name."""
    return Picker(url="orgs:pick", kind="organisation", reach=reach)


def UnitPicker() -> Picker:
    """Employer units of the user's scope, by the start of the credit code or part of the name."""
    return Picker(url="orgs:pick_unit", kind="unit")


def AccountPicker() -> Picker:
    """Active accounts of the unions of the user's scope, by username or the person's name."""
    return Picker(url="accounts:pick", kind="account")
