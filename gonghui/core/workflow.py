"""The shared workflow engine: one transition table per programme, one door to change a state.

A programme declares its states as `TextChoices` and a `Workflow` of `Transition`s
(name, from, to, roles, guard). `Workflow.apply()` locks the row, re-reads its state, checks
that the transition leaves from that state, that the user holds one of its roles on the
object and that its guard passes; then it runs the programme's effect, saves, and writes one
audit event with the reason. Anything refused raises `TransitionRefused`, a ValidationError
with a message a union officer can read, and changes nothing.

Roles here are the programme's own words ("nominator", "reviewer", "organiser", "public"):
the programme's `roles_of(user, obj)` says which the user holds on this object, so the
engine never needs to know the organisation tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.actor import Actor

M = TypeVar("M", bound=models.Model)
# the actor a programme passes: its own User type, or None for system and public steps
U = TypeVar("U", bound=Actor)

# A guard answers None when the transition may go ahead, or the reason it may not.
Guard = Callable[[M, "Context"], str | None]
Effect = Callable[[M, "Context"], Iterable[str]]


class TransitionRefused(ValidationError):
    """A transition the table, the user's roles or a guard does not allow; nothing changed."""


@dataclass
class Context:
    """What a guard and an effect may read about the request to move: who, why, and extras."""

    by: Actor
    roles: frozenset[str]
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition(Generic[M]):
    """One row of the table: `name` moves an object from any of `sources` to `target`."""

    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard[M], ...] = ()
    needs_reason: bool = False
    # The effect changes other fields on the locked object; it returns their names.
    effect: Effect[M] | None = None


class Workflow(Generic[M, U]):
    """A model's transition table and the function that applies it, for actors of type U."""

    def __init__(
        self,
        *,
        model: type[M],
        transitions: Iterable[Transition[M]],
        roles_of: Callable[[U, M], frozenset[str]],
        state_field: str = "status",
        audit_prefix: str | None = None,
    ) -> None:
        self.model = model
        self.transitions: dict[str, Transition[M]] = {}
        for t in transitions:
            if t.name in self.transitions:
                raise ValueError(f"transition {t.name!r} is declared twice")
            self.transitions[t.name] = t
        self.roles_of = roles_of
        self.state_field = state_field
        self.audit_prefix = audit_prefix or model._meta.model_name or "object"

    def state_label(self, value: str) -> str:
        state_field = self.model._meta.get_field(self.state_field)
        choices = dict(getattr(state_field, "choices", None) or [])
        return str(choices.get(value, value))

    def available(self, obj: M, user: U) -> list[Transition[M]]:
        """The transitions the table and the user's roles allow from the object's state now.

        Guards are not run here (they may be costly); `apply` runs them.
        """
        state = getattr(obj, self.state_field)
        roles = self.roles_of(user, obj)
        return [t for t in self.transitions.values() if state in t.sources and roles & t.roles]

    def check(self, obj: M, name: str, context: Context) -> Transition[M]:
        """The transition if it may run on `obj` as it is now, else `TransitionRefused`."""
        transition = self.transitions.get(name)
        if transition is None:
            raise TransitionRefused(_("Unknown action: %(name)s.") % {"name": name}, code="unknown")
        state = getattr(obj, self.state_field)
        if state not in transition.sources:
            raise TransitionRefused(
                _("This cannot be done while the record is “%(state)s”.")
                % {"state": self.state_label(state)},
                code="state",
            )
        if not context.roles & transition.roles:
            raise TransitionRefused(
                _("You do not have the role needed for this step."), code="role"
            )
        if transition.needs_reason and not context.reason.strip():
            raise TransitionRefused(_("Please give a reason."), code="reason")
        for guard in transition.guards:
            refusal = guard(obj, context)
            if refusal:
                raise TransitionRefused(refusal, code="guard")
        return transition

    @transaction.atomic
    def apply(
        self,
        obj: M,
        name: str,
        *,
        by: U,
        reason: str = "",
        data: Mapping[str, Any] | None = None,
        roles: frozenset[str] | None = None,
    ) -> M:
        """Lock the row, check, run the effect, save, audit. Returns the fresh locked object.

        `roles` overrides the user's roles for system steps (a public objection has no user).
        """
        locked = self.model._default_manager.select_for_update().get(pk=obj.pk)
        context = Context(
            by=by,
            roles=roles if roles is not None else self.roles_of(by, locked),
            reason=reason.strip(),
            data=data or {},
        )
        transition = self.check(locked, name, context)
        before = getattr(locked, self.state_field)
        changed = set(transition.effect(locked, context)) if transition.effect else set()
        setattr(locked, self.state_field, transition.target)
        changed.add(self.state_field)
        locked.save(update_fields=sorted(changed))
        extra: dict[str, Any] = {"transition": transition.name}
        if context.reason:
            extra["reason"] = context.reason
        audit.record(
            action=f"{self.audit_prefix}.{transition.name}",
            by=by,
            obj=locked,
            changes={self.state_field: (before, transition.target)},
            extra=extra,
        )
        return locked
