"""Hardship files kept on paper or in Excel, imported on the one import lifecycle (core.imports).

One row per household: the worker (a current member of the chosen grassroots union), the
household's size, its year in yuan, the cause and the local 低保 line. Every row is checked with
the rules of the new-file form (tier by formula, one household one file, amounts within
bounds); the good rows become files in the stage the officer chose: drafts, or approved files
for those approved on paper (only by one who may approve them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.forms import OrganisationCodeField
from gonghui.accounts.models import User
from gonghui.core.imports.actions import StageRefused
from gonghui.core.imports.kinds import Checked, Context, ImportKind, Written, counted
from gonghui.core.imports.models import ImportJob
from gonghui.core.tabular import Column, Row, RowError, Spec, open_table
from gonghui.core.tabular.base import parse_typed_date
from gonghui.orgs.models import Organisation
from gonghui.people.actions import MEMBER_UNION_TYPES, identity_digests
from gonghui.people.identity import parse_identity
from gonghui.people.models import Membership, Person
from gonghui.services import actions
from gonghui.services.bounds import DIBAO_LINE, MONEY
from gonghui.services.eligibility import assess
from gonghui.services.models import Cause, FileStatus, Finances, Tier
from gonghui.services.permissions import keeping_unions

MONEY_HELP = gettext_lazy("Yuan, e.g. 12000 or 12,000.00; blank is 0.")
FILE_SPEC = Spec(
    (
        Column(
            "identity_number",
            "公民身份号码",
            ("身份证号", "身份证号码", "identity_number"),
            help=gettext_lazy("18 characters; a current member of the union."),
        ),
        Column("name", "姓名", ("职工姓名", "name"), help=gettext_lazy("As on the roster.")),
        Column(
            "household_size",
            "家庭人口",
            ("家庭人口数", "家庭成员数", "household_size", "members"),
            help=gettext_lazy("People in the household, the worker included."),
        ),
        Column(
            "income",
            "家庭年收入",
            ("家庭年可支配收入", "年收入", "income"),
            help=gettext_lazy("The household's annual disposable income, in yuan."),
        ),
        Column("medical", "医疗支出", ("medical",), required=False, help=MONEY_HELP),
        Column("schooling", "教育支出", ("就学支出", "schooling"), required=False, help=MONEY_HELP),
        Column("disability", "残疾支出", ("disability",), required=False, help=MONEY_HELP),
        Column("job_seeking", "求职支出", ("job_seeking",), required=False, help=MONEY_HELP),
        Column(
            "cause",
            "致困原因",
            ("困难原因", "cause"),
            required=False,
            help=gettext_lazy("Blank (the income decides), 意外, 灾害, 疾病 or 支出过高."),
        ),
        Column(
            "hardship_costs",
            "困难支出",
            ("hardship_costs",),
            required=False,
            help=gettext_lazy("The year's costs of the hardship, for 支出过高."),
        ),
        Column("cause_note", "困难情况", ("情况说明", "cause_note"), required=False),
        Column(
            "dibao_line",
            "低保标准",
            ("低保线", "dibao_line"),
            help=gettext_lazy("The local 低保 line, yuan a month."),
        ),
        Column(
            "filed_on",
            "建档日期",
            ("filed_on",),
            required=False,
            help=gettext_lazy("When the file was opened on paper, e.g. 2024-03-15."),
        ),
    )
)
CAUSES = {
    "": Cause.NONE,
    "无": Cause.NONE,
    "意外": Cause.ACCIDENT,
    "事故": Cause.ACCIDENT,
    "工伤": Cause.ACCIDENT,
    "灾害": Cause.DISASTER,
    "疫情": Cause.DISASTER,
    "疾病": Cause.ILLNESS,
    "大病": Cause.ILLNESS,
    "重病": Cause.ILLNESS,
    "支出过高": Cause.COSTS,
    "支出": Cause.COSTS,
    **{cause.value: cause for cause in Cause if cause.value},
}
MAX_HOUSEHOLD = 30
_MONEY_NOISE = re.compile(r"[,，\s元￥¥]")


@dataclass
class FilePlan:
    union: Organisation
    stage: str
    rows: list[actions.ImportedFile] = field(default_factory=list)


def _money(text: str) -> Decimal | None:
    cleaned = _MONEY_NOISE.sub("", text)
    if not cleaned:
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and MONEY.holds(value) else None


class _RowCheck:
    """One row's checks, each failure noted against its column."""

    def __init__(self, row: Row) -> None:
        self.row, self.values = row, row.values
        self.errors: list[RowError] = []

    def text(self, key: str) -> str:
        return self.values.get(key, "").strip()

    def bad(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, FILE_SPEC.header(key), message))

    def amount(self, key: str) -> Decimal:
        value = _money(self.text(key))
        if value is None:
            self.bad(key, _("Write an amount in yuan between 0 and 9,999,999,999.99."))
        return value or Decimal(0)

    def size(self) -> int:
        text = self.text("household_size").removesuffix("人")
        size = int(text) if text.isdigit() else 0
        if not 1 <= size <= MAX_HOUSEHOLD:
            self.bad("household_size", _("Write the household's size, from 1 to 30 people."))
        return size

    def line(self) -> Decimal:
        value = _money(self.text("dibao_line"))
        if value is None or not DIBAO_LINE.holds(value) or value <= 0:
            self.bad("dibao_line", _("Write the local 低保 line in yuan a month, e.g. 650."))
            return Decimal(0)
        return value

    def filed_on(self) -> date | None:
        text = self.text("filed_on")
        if not text:
            return None
        try:
            day = parse_typed_date(text)[0]
        except ValueError:
            day = None
        if day is None or day > timezone.localdate():
            self.bad("filed_on", _("Write a date not in the future, e.g. 2024-03-15."))
        return day

    def details(self) -> actions.FileDetails | None:
        cause = CAUSES.get(self.text("cause"))
        if cause is None:
            self.bad(
                "cause", _("Write the cause as 意外, 灾害, 疾病 or 支出过高, or leave it blank.")
            )
        finances = Finances(
            income=self.amount("income"),
            medical=self.amount("medical"),
            schooling=self.amount("schooling"),
            disability=self.amount("disability"),
            job_seeking=self.amount("job_seeking"),
            hardship_costs=self.amount("hardship_costs"),
            cause_note=self.text("cause_note")[:500],
        )
        line = self.line()
        if cause is None or not line:
            return None
        return actions.FileDetails(
            dibao_line=line, finances=finances, cause=cause, worker_income=Decimal(0)
        )


@dataclass
class _Known:
    """What every row is checked against: the union, its importer, the workers seen so far."""

    plan: FilePlan
    by: User | None
    seen: dict[int, int] = field(default_factory=dict)  # person → the row that filed them
    warnings: list[RowError] = field(default_factory=list)


def _worker(check: _RowCheck, known: _Known) -> Person | None:
    """The current member of the union with the row's identity number, named as on the roster."""
    try:
        number = parse_identity(check.text("identity_number")).number
    except ValidationError as error:
        check.bad("identity_number", " ".join(error.messages))
        return None
    membership = (
        Membership.objects.current()
        .filter(union=known.plan.union, person__identity_hash__in=identity_digests(number))
        .select_related("person")
        .first()
    )
    # a member of another union is answered as one unknown here: nothing said of them
    if membership is None:
        check.bad(
            "identity_number",
            _("No current member of %(union)s has this identity number.")
            % {"union": known.plan.union.name},
        )
        return None
    person = membership.person
    # spaces inside a name (王　芳, typed to line names up) and the interpunct's forms aside
    typed = re.sub(r"[•．・]", "·", re.sub(r"\s+", "", check.text("name")))
    if typed != re.sub(r"\s+", "", person.name):
        check.bad(
            "name",
            _("The roster names this member %(name)s.") % {"name": person.name},
        )
    if (earlier := known.seen.get(person.pk)) is not None:
        check.bad(
            "identity_number",
            _("One household, one file: this worker is filed on row %(row)d already.")
            % {"row": earlier},
        )
    known.seen.setdefault(person.pk, check.row.number)
    return person


def _check_row(row: Row, known: _Known) -> tuple[actions.ImportedFile | None, list[RowError]]:
    check = _RowCheck(row)
    person = _worker(check, known)
    size, details, filed_on = check.size(), check.details(), check.filed_on()
    if person is None or details is None or check.errors:
        return None, check.errors
    try:
        actions.check_new_file(by=known.by, union=known.plan.union, person=person, details=details)
    except ValidationError as error:
        check.bad("identity_number", " ".join(error.messages))
        return None, check.errors
    assessment = assess(
        finances=details.finances,
        household_size=size,
        dibao_line=details.dibao_line,
        cause=details.cause,
    )
    if assessment.tier == Tier.INELIGIBLE:
        if known.plan.stage == FileStatus.APPROVED:
            check.bad("income", assessment.explanation)
            return None, check.errors
        # a draft may be kept while its figures are completed, as on the form
        known.warnings.append(
            RowError(row.number, FILE_SPEC.header("income"), assessment.explanation)
        )
    imported = actions.ImportedFile(
        person=person, household_size=size, details=details, filed_on=filed_on
    )
    return imported, check.errors


def _stage_refusal(by: User | None, union: Organisation, stage: str) -> str | None:
    if stage not in (FileStatus.DRAFT, FileStatus.APPROVED):
        return _("Import files as drafts or as approved files.")
    if stage == FileStatus.APPROVED and not actions.may_import_approved(by, union):
        return _(
            "Only an officer of a county-level union or above over %(union)s may import files "
            "as approved; import them as drafts and submit them for approval."
        ) % {"union": union.name}
    return None


def check_files(path: Path, context: Context[User]) -> Checked:
    """Every row checked against the roster and the open files; nothing written."""
    union: Organisation = context.organisation
    if union.type not in MEMBER_UNION_TYPES:  # the command line names any organisation
        raise ValidationError(_("A hardship file is kept by a grassroots union."))
    stage = str(context.options.get("stage") or FileStatus.DRAFT)
    known = _Known(plan=FilePlan(union=union, stage=stage), by=context.by)
    if refusal := _stage_refusal(context.by, union, stage):
        return Checked(errors=[RowError(0, str(_("Stage")), refusal)], plan=known.plan)
    errors: list[RowError] = []
    counter: list[int] = []
    with open_table(path, spec=FILE_SPEC) as table:
        for row in counted(table, context, counter):
            imported, row_errors = _check_row(row, known)
            errors.extend(row_errors)
            if imported is not None:
                known.plan.rows.append(imported)
    rows = counter[0] if counter else 0
    ready = len(known.plan.rows)
    return Checked(
        rows=rows,
        ready=ready,
        errors=errors,
        warnings=known.warnings,
        counts={stage: ready},
        plan=known.plan,
    )


def write_files(checked: Checked, context: Context[User]) -> Written:
    """Write the good rows as files of the chosen stage, each audited."""
    plan: FilePlan = checked.plan
    files = actions.import_files(
        by=context.by,
        union=plan.union,
        rows=plan.rows,
        stage=plan.stage,
        source=Path(context.source).name,
    )
    return Written(
        rows=len(files),
        counts={plan.stage: len(files)},
        result={"files": [file.pk for file in files]},
    )


def roll_back_files(job: ImportJob, by: User | None) -> str:
    """Remove the files the job wrote, if none has been worked on since."""
    file_ids = [int(pk) for pk in job.result.get("files", [])]
    try:
        removed = actions.remove_imported_files(by=by, file_ids=file_ids)
    except ValidationError as error:
        raise StageRefused(
            _("This import cannot be rolled back: %(reasons)s")
            % {"reasons": " ".join(error.messages)}
        ) from None
    return _("Rolled back: %(n)d hardship files removed.") % {"n": removed}


class StageField(forms.ChoiceField):
    """Drafts, or approved files: the latter refused on the form to one who approves none."""

    def __init__(self, user: User) -> None:
        super().__init__(
            label=gettext_lazy("Import the files as"),
            choices=[
                (FileStatus.DRAFT.value, gettext_lazy("Drafts (to be submitted for approval)")),
                (FileStatus.APPROVED.value, gettext_lazy("Approved (already approved on paper)")),
            ],
            required=False,  # drafts when not said
            initial=FileStatus.DRAFT.value,
            help_text=gettext_lazy(
                "Approved files are imported by officers of a county-level union or above."
            ),
        )
        self.user = user

    def clean(self, value: object) -> str:
        stage = str(super().clean(value) or FileStatus.DRAFT.value)
        if stage == FileStatus.APPROVED and not _approves_any(self.user):
            raise forms.ValidationError(
                _(
                    "Only an officer of a county-level union or above may import files as "
                    "approved; import them as drafts and submit them for approval."
                )
            )
        return stage


def _form_fields(user: User) -> dict[str, forms.Field]:
    union = OrganisationCodeField(label=gettext_lazy("Union code"))
    union.allowed = keeping_unions(user)
    return {"union": union, "stage": StageField(user)}


def _approves_any(user: User) -> bool:
    """Whether the user approves files in a union they import into."""
    return any(actions.may_import_approved(user, union) for union in keeping_unions(user)[:50])


def _only_code(user: User) -> dict[str, str]:
    codes = list(keeping_unions(user).values_list("code", flat=True)[:2])
    return {"union": codes[0]} if len(codes) == 1 else {}


def _file_list(job: ImportJob) -> tuple[str, str]:
    return reverse("services:list"), str(_("Hardship files"))


HARDSHIP_IMPORT: ImportKind[User] = ImportKind(
    code="services.hardship_files",
    label=gettext_lazy("Import hardship files"),
    spec=FILE_SPEC,
    check=check_files,
    write=write_files,
    may_import=lambda user: keeping_unions(user).exists(),
    organisations=keeping_unions,
    url_name="services:import",
    back_url_name="services:list",
    intro=gettext_lazy(
        "The hardship files a union keeps on paper or in Excel: one row per household, the "
        "worker a current member of the union. Every row is checked as on the new-file form."
    ),
    form_fields=_form_fields,
    form_initial=_only_code,
    organisation_field="union",
    skips_bad_rows=True,
    roll_back=roll_back_files,
    count_labels={
        FileStatus.DRAFT.value: gettext_lazy("Drafts"),
        FileStatus.APPROVED.value: gettext_lazy("Approved files"),
    },
    done_link=_file_list,
)
