"""A new password read on the command line: from standard input, or typed twice at a prompt."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import CommandError


def read_password(*, from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"{prompt}: ")
    if password != getpass.getpass(f"{prompt} (again): "):
        raise CommandError("the two passwords differ")
    return password
