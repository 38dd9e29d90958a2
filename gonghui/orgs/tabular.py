"""The organisation tree in spreadsheets: the column spec, the import plan and the export rows.

`plan_org_import` checks a whole file against the database before anything is written and
reports every bad row; `apply_org_import` then hands the rows, parents first, to
`actions.apply_org_rows`. An export re-imports with no changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.types import Actor
from gonghui.core.tabular import Column, Row, RowError, Spec, is_scientific
from gonghui.core.validators import (
    normalise_credit_code,
    validate_credit_code,
    validate_division_code,
)
from gonghui.orgs import actions
from gonghui.orgs.models import (
    CHINESE_TYPE_NAMES,
    SEGMENT,
    Organisation,
    OrganisationQuerySet,
    OrgType,
    code_validator,
)

ORG_SPEC = Spec(
    columns=(
        Column(
            "code",
            "组织代码",
            aliases=("code", "organisation code"),
            help=gettext_lazy("1 to 32 letters, digits, dots, hyphens or underscores; unique."),
        ),
        Column("name", "组织名称", aliases=("name", "organisation name")),
        Column(
            "parent_code",
            "上级组织代码",
            aliases=("parent_code", "parent code", "parent"),
            help=gettext_lazy("In the tree or in this file, above or below this row."),
        ),
        Column(
            "type",
            "组织类型",
            aliases=("type", "organisation type"),
            help=gettext_lazy(
                "总工会, 地州市总工会, 县（市、区）总工会, 产业工会, 基层工会 or 联合工会."
            ),
        ),
        Column(
            "division_code",
            "行政区划代码",
            aliases=("division_code",),
            required=False,
            help=gettext_lazy("Six digits (GB/T 2260)."),
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            aliases=("credit_code", "unified social credit code"),
            required=False,
            help=gettext_lazy("18 characters (GB 32100)."),
        ),
    )
)
HEADER = {column.key: column.header for column in ORG_SPEC.columns}
Report = Callable[["_Line", str, str], None]
NAME_MAX_LENGTH = Organisation._meta.get_field("name").max_length or 128
QUERY_BATCH = 500  # codes per IN (...) query: well within every database's parameter limit


@dataclass
class _Line:
    """One row of the file, parsed: None for an optional column the file does not have."""

    number: int
    code: str
    name: str
    org_type: str  # an OrgType value, or "" when missing or unknown
    parent_code: str
    division_code: str | None
    credit_code: str | None


@dataclass
class OrgImportPlan:
    """What an import would do, and every reason it cannot."""

    rows: list[actions.OrgRow] = field(default_factory=list)  # parents first
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0

    @property
    def is_clean(self) -> bool:
        return not self.errors


def _first_message(error: ValidationError) -> str:
    return str(error.messages[0])


def _scientific_message(value: str) -> str:
    return _(
        "The spreadsheet turned this value into a number (%(value)s) and lost its last digits; format the column as text and enter it again."
    ) % {"value": value}


def _parse(row: Row, errors: list[RowError]) -> _Line | None:
    """Check one row's own cells; None when it has no usable code."""
    values, number = row.values, row.number

    def bad(key: str, message: str) -> None:
        errors.append(RowError(number, HEADER[key], message))

    code = values["code"]
    name = values["name"]
    type_text = values["type"]
    parent_code = values["parent_code"]
    division_code = values.get("division_code")
    credit_code = values.get("credit_code")
    usable = True
    if not code:
        bad("code", _("The organisation code is missing."))
        usable = False
    elif is_scientific(code):
        bad("code", _scientific_message(code))
        usable = False
    else:
        try:
            code_validator(code)
        except ValidationError as error:
            bad("code", _first_message(error))
            usable = False
    if not name:
        bad("name", _("The name is missing."))
    elif len(name) > NAME_MAX_LENGTH:
        bad(
            "name",
            _("A name has at most %(limit)d characters; this one has %(length)d.")
            % {"limit": NAME_MAX_LENGTH, "length": len(name)},
        )
    org_type = ""
    if not type_text:
        bad("type", _("The organisation type is missing."))
    else:
        member = OrgType.from_label(type_text)
        if member is None:
            bad(
                "type",
                _("Unknown organisation type %(value)s; use one of: %(choices)s.")
                % {"value": type_text, "choices": "、".join(CHINESE_TYPE_NAMES.values())},
            )
        else:
            org_type = member.value
    if parent_code and is_scientific(parent_code):
        bad("parent_code", _scientific_message(parent_code))
    if division_code:
        try:
            validate_division_code(division_code)
        except ValidationError as error:
            bad("division_code", _first_message(error))
    if credit_code:
        credit_code = normalise_credit_code(credit_code)
        try:
            validate_credit_code(credit_code)
        except ValidationError as error:
            bad("credit_code", _first_message(error))
    if not usable:
        return None
    return _Line(number, code, name, org_type, parent_code, division_code, credit_code)


def _in_batches(queryset: Any, lookup: str, values: Iterable[Any]) -> Iterator[Any]:
    items = list(values)
    for start in range(0, len(items), QUERY_BATCH):
        yield from queryset.filter(**{lookup: items[start : start + QUERY_BATCH]})


class _Tree:
    """The tree as it would be after the import: file rows over the database."""

    def __init__(self, lines: dict[str, _Line]) -> None:
        self.lines = lines
        self.existing: dict[str, Organisation] = {
            o.code: o for o in _in_batches(Organisation.objects.all(), "code__in", lines)
        }
        outside = {ln.parent_code for ln in lines.values() if ln.parent_code} - lines.keys()
        self.db: dict[str, Organisation] = dict(self.existing)
        self.db.update(
            (o.code, o) for o in _in_batches(Organisation.objects.all(), "code__in", outside)
        )
        # every ancestor of every organisation involved: walking up never needs another query
        ancestor_pks = {
            int(org.path[i : i + SEGMENT])
            for org in self.db.values()
            for i in range(0, len(org.path), SEGMENT)
        }
        by_pk = {o.pk: o for o in self.db.values()}
        by_pk.update(
            (o.pk, o)
            for o in _in_batches(Organisation.objects.all(), "pk__in", ancestor_pks - by_pk.keys())
        )
        self.code_of = {pk: org.code for pk, org in by_pk.items()}
        self.db.update((org.code, org) for org in by_pk.values())

    def db_parent(self, code: str) -> str:
        parent_id = self.db[code].parent_id
        return self.code_of[parent_id] if parent_id else ""

    def parent(self, code: str) -> str:
        """The parent code after the import ("" at the top or when unknown)."""
        line = self.lines.get(code)
        if line is not None:
            return line.parent_code
        return self.db_parent(code) if code in self.db else ""

    def org_type(self, code: str) -> str:
        line = self.lines.get(code)
        if line is not None:
            return line.org_type
        return self.db[code].type if code in self.db else ""

    def cycles(self) -> list[list[str]]:
        """Every loop of parents among the file's rows (each listed once)."""
        state: dict[str, int] = {}  # 1: on the walk being made, 2: known to reach the top
        loops = []
        for start in self.lines:
            walk: list[str] = []
            code = start
            while code and code not in state and (code in self.lines or code in self.db):
                state[code] = 1
                walk.append(code)
                code = self.parent(code)
            if code and state.get(code) == 1:
                loops.append(walk[walk.index(code) :])
            for visited in walk:
                state[visited] = 2
        return loops

    def depth_in_file(self, code: str) -> int:
        depth, seen = 0, {code}
        code = self.parent(code)
        while code in self.lines and code not in seen:
            seen.add(code)
            depth += 1
            code = self.parent(code)
        return depth


def plan_org_import(
    rows: Iterable[Row], *, allowed_parents: OrganisationQuerySet | None
) -> OrgImportPlan:
    """Check every row against the file and the database; write nothing.

    `allowed_parents` is the importing user's scope (`orgs_for_action(user, "import")`):
    every parent and every changed organisation must lie in it. None means no limit (the
    command line, run by a system administrator).
    """
    plan = OrgImportPlan()

    def bad(line: _Line, key: str, message: str) -> None:
        plan.errors.append(RowError(line.number, HEADER[key], message))

    lines: dict[str, _Line] = {}
    for row in rows:
        line = _parse(row, plan.errors)
        if line is None:
            continue
        earlier = lines.setdefault(line.code, line)
        if earlier is not line:
            bad(
                line,
                "code",
                _("The code %(code)s already appears in row %(row)d.")
                % {"code": line.code, "row": earlier.number},
            )
    tree = _Tree(lines)
    places = _Places(tree, allowed_parents, bad)
    for line in lines.values():
        places.check(line)
    places.check_cycles()
    _check_children_of_grassroots(tree, lines, bad)
    _check_credit_codes(lines, bad, allowed_parents)
    plan.errors.sort(key=lambda e: e.row)  # stable: within a row, in the order found
    _classify(plan, tree)
    return plan


class _Places:
    """Where each row puts its organisation: a parent that exists, may be used, can hold it."""

    def __init__(
        self, tree: _Tree, allowed_parents: OrganisationQuerySet | None, bad: Report
    ) -> None:
        self.tree, self.bad = tree, bad
        self.scoped = allowed_parents is not None
        self.allowed: set[str] = set()
        if allowed_parents is not None:
            allowed = allowed_parents.only("code")
            self.allowed = {o.code for o in _in_batches(allowed, "code__in", tree.db)}
        self.blocked: set[str] = set()  # rows whose place is not theirs to decide

    def may_use(self, code: str) -> bool:
        if code in self.tree.lines:
            return True
        return code in self.tree.db and (not self.scoped or code in self.allowed)

    def check(self, line: _Line) -> None:
        code, bad = line.code, self.bad
        org = self.tree.existing.get(code)
        if org is not None and self.scoped and code not in self.allowed:
            bad(
                line,
                "code",
                _(
                    "You may not change %(code)s: it is not among the organisations you may import into."
                )
                % {"code": code},
            )
            self.blocked.add(code)
            return
        old_parent = self.tree.db_parent(code) if org is not None else ""
        if not line.parent_code:
            self._check_top(line, moved_up=org is not None and bool(old_parent))
            return
        if org is not None and not old_parent:
            bad(
                line,
                "parent_code",
                _("%(code)s is the top of the tree and cannot be given a parent organisation.")
                % {"code": code},
            )
            self.blocked.add(code)
            return
        if line.org_type == OrgType.FEDERATION:
            bad(
                line,
                "type",
                _("A federation is at the top of the tree and has no parent organisation."),
            )
        moving = org is None or old_parent != line.parent_code
        if moving and not self._check_new_parent(line, old_parent=old_parent if org else None):
            return
        if self.tree.org_type(line.parent_code) == OrgType.GRASSROOTS:
            bad(
                line,
                "parent_code",
                _("%(parent)s is a grassroots union and cannot have organisations beneath it.")
                % {"parent": line.parent_code},
            )

    def _check_top(self, line: _Line, *, moved_up: bool) -> None:
        if moved_up:
            message = _("%(code)s cannot be moved to the top of the tree.") % {"code": line.code}
        elif line.org_type and line.org_type != OrgType.FEDERATION:
            message = _(
                "Only a federation can be at the top of the tree: give the code of the parent organisation."
            )
        elif line.code not in self.tree.existing and self.scoped:
            message = _("You may not add an organisation at the top of the tree.")
        else:
            return
        self.bad(line, "parent_code", message)

    def _check_new_parent(self, line: _Line, *, old_parent: str | None) -> bool:
        """A new or changed parent must exist (and be the user's); False when it is unknown."""
        if not self.may_use(line.parent_code):
            # the same words whether the parent is missing or out of scope
            if self.scoped:
                message = _(
                    "The parent organisation %(code)s is neither in this file nor among the organisations you may import into."
                )
            else:
                message = _(
                    "The parent organisation %(code)s is neither in this file nor in the database."
                )
            self.bad(line, "parent_code", message % {"code": line.parent_code})
            return False
        if old_parent is not None and self.scoped and old_parent not in self.allowed:
            self.bad(
                line,
                "parent_code",
                _("Only an officer of %(parent)s can move %(code)s away from it.")
                % {"parent": old_parent, "code": line.code},
            )
        return True

    def check_cycles(self) -> None:
        for loop in self.tree.cycles():
            chain = " → ".join([*loop, loop[0]])
            for code in loop:
                if code in self.tree.lines and code not in self.blocked:
                    self.bad(
                        self.tree.lines[code],
                        "parent_code",
                        _("%(code)s would end up beneath itself: %(chain)s.")
                        % {"code": code, "chain": chain},
                    )


def _check_children_of_grassroots(tree: _Tree, lines: dict[str, _Line], bad: Report) -> None:
    """An organisation that keeps children beneath it cannot become a grassroots union."""
    becoming = [
        code
        for code, line in lines.items()
        if line.org_type == OrgType.GRASSROOTS
        and code in tree.existing
        and tree.existing[code].type != OrgType.GRASSROOTS
    ]
    staying: set[str] = set()
    children = Organisation.objects.select_related("parent").only("code", "parent__code")
    for child in _in_batches(children, "parent__code__in", becoming):
        if child.code not in lines and child.parent is not None:
            staying.add(child.parent.code)  # children in the file are checked on their own rows
    for code in becoming:
        if code in staying:
            bad(
                lines[code],
                "type",
                _(
                    "This organisation has organisations beneath it, so it cannot be a grassroots union."
                ),
            )


def _check_credit_codes(
    lines: dict[str, _Line], bad: Report, allowed_parents: OrganisationQuerySet | None
) -> None:
    """A credit code belongs to one organisation: once in the file, and nobody else's yet."""
    first_row: dict[str, _Line] = {}
    for line in lines.values():
        if not line.credit_code:
            continue
        earlier = first_row.setdefault(line.credit_code, line)
        if earlier is not line:
            bad(
                line,
                "credit_code",
                _("The unified social credit code %(credit)s already appears in row %(row)d.")
                % {"credit": line.credit_code, "row": earlier.number},
            )
    holders = Organisation.objects.only("code", "credit_code")
    taken = {
        o.credit_code: o.code
        for o in _in_batches(holders, "credit_code__in", first_row)
        if o.code != first_row[o.credit_code].code
    }
    named = set(taken.values())  # a holder outside the user's scope stays unnamed
    if allowed_parents is not None:
        named = {o.code for o in _in_batches(allowed_parents.only("code"), "code__in", named)}
    for credit, holder in taken.items():
        if holder in named:
            message = _("The unified social credit code %(credit)s is already used by %(holder)s.")
        else:
            message = _(
                "The unified social credit code %(credit)s is already used by another organisation."
            )
        bad(first_row[credit], "credit_code", message % {"credit": credit, "holder": holder})


def _classify(plan: OrgImportPlan, tree: _Tree) -> None:
    """Count what applying would do, and list the rows parents first."""
    ordered = sorted(tree.lines.values(), key=lambda ln: tree.depth_in_file(ln.code))
    for line in ordered:
        org = tree.existing.get(line.code)
        if org is None:
            plan.created += 1
            division = line.division_code or ""
            credit = line.credit_code or ""
            parent = line.parent_code
        else:
            division = org.division_code if line.division_code is None else line.division_code
            credit = org.credit_code if line.credit_code is None else line.credit_code
            parent = line.parent_code or tree.db_parent(line.code)
            changed = (line.name, line.org_type, division, credit) != (
                org.name,
                org.type,
                org.division_code,
                org.credit_code,
            )
            moved = parent != tree.db_parent(line.code)
            plan.updated += changed
            plan.moved += moved
            plan.unchanged += not (changed or moved)
        plan.rows.append(
            actions.OrgRow(
                code=line.code,
                name=line.name,
                org_type=line.org_type,
                parent_code=parent,
                division_code=division,
                credit_code=credit,
            )
        )


def apply_org_import(*, plan: OrgImportPlan, by: Actor, source: str) -> actions.TreeImportResult:
    """Write a clean plan (in one transaction, audited in bulk by `apply_org_rows`)."""
    if not plan.is_clean:
        raise ValueError("an import plan with errors cannot be applied")
    return actions.apply_org_rows(by=by, rows=plan.rows, source=source)


def org_export_rows(orgs: OrganisationQuerySet) -> Iterator[tuple[str, ...]]:
    """Rows in ORG_SPEC's column order, parents first, read in batches."""
    columns = ("code", "name", "parent__code", "type", "division_code", "credit_code")
    for code, name, parent, org_type, division, credit in (
        orgs.order_by("path").values_list(*columns).iterator(chunk_size=2000)
    ):
        type_name = CHINESE_TYPE_NAMES.get(OrgType(org_type), org_type)
        yield code, name, parent or "", type_name, division, credit
