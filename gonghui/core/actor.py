"""Whoever takes a step, as the ground floor sees them.

A user of the project's auth model, or None for a step the system or the public takes. The
apps use `gonghui.accounts.types.Actor`, the same with the project's own User.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser

Actor: TypeAlias = AbstractBaseUser | None
