"""Who acts: the one type every action, permission function and workflow takes."""

from __future__ import annotations

from typing import TypeAlias

from gonghui.accounts.models import User

# A signed-in user, or None for a step the system takes (a scheduled task, a migration of
# data) or a member of the public takes (an objection to a public notice).
Actor: TypeAlias = User | None

__all__ = ["Actor", "User"]
