"""Writes to contests: contests and skills, schemes, registration, judges, marks, sign-off.

Every function is atomic and audited. Marks are refused when they break the rules (bounds, a
judge with a conflict of interest, a skill signed off by its chief judge) with a message that
says why in the officer's language; nothing else is changed by a refused write.
"""

from gonghui.contests.actions.contests import (
    AspectSpec,
    check_scheme,
    create_contest,
    create_skill,
    parse_max_mark,
    set_scheme,
    update_contest,
    update_skill,
)
from gonghui.contests.actions.entrants import (
    EntrantDetails,
    add_judge,
    find_or_record_person,
    register_competitor,
    remove_entrant,
)
from gonghui.contests.actions.marks import (
    MarkEntry,
    enter_mark,
    enter_marks,
    parse_value,
    reopen_skill,
    sign_off_skill,
)

__all__ = [
    "AspectSpec",
    "EntrantDetails",
    "MarkEntry",
    "add_judge",
    "check_scheme",
    "create_contest",
    "create_skill",
    "enter_mark",
    "enter_marks",
    "find_or_record_person",
    "parse_max_mark",
    "parse_value",
    "register_competitor",
    "remove_entrant",
    "reopen_skill",
    "set_scheme",
    "sign_off_skill",
    "update_contest",
    "update_skill",
]
