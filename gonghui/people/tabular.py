"""The roster's spreadsheet columns, and turning one row of text into checked values."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.core.crypto import blind_index, blind_indexer, sealer
from gonghui.core.personal import mask_identity_number, mask_phone
from gonghui.core.tabular import Column, RowError, Spec
from gonghui.core.tabular import base as tabular_base
from gonghui.core.tabular.base import parse_typed_date
from gonghui.core.validators import (
    PROVINCE_CODES,
    normalise_credit_code,
    validate_credit_code,
)
from gonghui.people.identity import (
    Identity,
    normalise_name,
    normalise_phone,
    parse_identity,
    pinyin_key,
    syllable,
)
from gonghui.people.models import CHINESE_SKILL_LEVELS, SkillLevel

MEMBER_SPEC = Spec(
    columns=(
        Column("name", "姓名", ("name", "full_name", "名字")),
        Column(
            "identity_number",
            "公民身份号码",
            ("身份证号", "身份证号码", "公民身份证号码", "identity_number", "id_number"),
        ),
        Column(
            "phone", "手机号码", ("手机", "手机号", "联系电话", "mobile", "phone"), required=False
        ),
        Column(
            "joined_on",
            "入会日期",
            ("joined_on", "join_date", "入会时间"),
            required=False,
            month_means_first_day=True,
        ),
        Column("unit_name", "工作单位", ("单位", "单位名称", "employer", "unit"), required=False),
        Column(
            "unit_credit_code",
            "单位统一社会信用代码",
            ("unit_credit_code", "统一社会信用代码"),
            required=False,
        ),
        Column("post", "岗位", ("职务", "post"), required=False),
        Column("skill_level", "技能等级", ("skill_level",), required=False),
        Column("is_frontline", "一线职工", ("frontline", "is_frontline"), required=False),
        Column("is_migrant", "农民工", ("migrant", "is_migrant"), required=False),
        Column(
            "is_enterprise_head",
            "企业负责人",
            ("enterprise_head", "is_enterprise_head"),
            required=False,
        ),
        Column("gender", "性别", ("gender", "sex"), required=False),
    )
)
YES, NO = tabular_base.YES, tabular_base.NO
GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
_SKILLS = {text: level for level, text in CHINESE_SKILL_LEVELS.items() if text}


@dataclass(slots=True)
class MemberRow:
    """A checked row: everything the import writes, already normalised."""

    number: int
    identity: Identity
    digest: str
    name: str
    name_key: str
    phone: str
    phone_digest: str
    joined_on: date | None
    unit_name: str
    unit_credit_code: str
    post: str
    skill_level: str
    is_frontline: bool
    is_migrant: bool
    is_enterprise_head: bool

    @classmethod
    def of(
        cls, *, number: int, identity: Identity, name: str, phone: str, **fields: Any
    ) -> MemberRow:
        """A row from checked values; the keyed hashes and the sort key are computed here."""
        return cls(
            number=number,
            identity=identity,
            digest=blind_index(identity.number, field="identity_number"),
            name=name,
            name_key=pinyin_key(name),
            phone=phone,
            phone_digest=blind_index(phone, field="phone"),
            **fields,
        )


class SealedRow(NamedTuple):
    """A checked row ready to be written: the identity number and the mobile only sealed,
    hashed and masked. The first fields are the person's columns in the importer's order."""

    name: str
    name_key: str
    digest: str
    identity_sealed: str
    identity_masked: str
    gender: str
    birth_year: int
    phone_digest: str
    phone_sealed: str
    phone_masked: str
    post: str
    skill_level: str
    is_frontline: bool
    is_migrant: bool
    is_enterprise_head: bool
    number: int
    joined_on: str  # ISO 8601, or "" when the file does not say
    unit_name: str
    unit_credit_code: str


PERSON_FIELDS = 15  # SealedRow[:PERSON_FIELDS] are person columns as they are


def row_values() -> Callable[[MemberRow], tuple[Any, ...]]:
    """A function turning checked rows into the fields of a SealedRow as a plain tuple (which
    passes between processes fastest), all but the sealing: the identity number and the
    mobile stand in the clear where their sealed forms go, for `rows_sealer` to seal."""

    def values(row: MemberRow) -> tuple[Any, ...]:
        identity, phone = row.identity, row.phone
        number = identity.number
        if not phone:
            phone_masked = ""
        elif len(phone) == 11:
            phone_masked = phone[:3] + "****" + phone[7:]
        else:
            phone_masked = mask_phone(phone)
        return (
            row.name,
            row.name_key,
            row.digest,
            number,  # sealed by rows_sealer
            number[:6] + "********" + number[14:]
            if len(number) == 18
            else mask_identity_number(number),
            identity.gender,
            identity.birth_date.year,
            row.phone_digest,
            phone,  # sealed by rows_sealer
            phone_masked,
            row.post,
            str(row.skill_level),  # a plain str: a SkillLevel does not pass between processes
            row.is_frontline,
            row.is_migrant,
            row.is_enterprise_head,
            row.number,
            row.joined_on.isoformat() if row.joined_on else "",
            row.unit_name,
            row.unit_credit_code,
        )

    return values


def rows_sealer() -> Callable[[list[tuple[Any, ...]]], list[SealedRow]]:
    """A function sealing rows made by `row_values` (the identity number and the mobile
    encrypted in place), with the field keys looked up once. An import does this beside the
    database writes, in the process that writes: the reading and checking fill the other core."""
    seal_identity, seal_phone = sealer("identity_number"), sealer("phone")
    urandom, make = os.urandom, SealedRow._make
    identity_at = SealedRow._fields.index("identity_sealed")
    phone_at = SealedRow._fields.index("phone_sealed")

    def seal(rows: list[tuple[Any, ...]]) -> list[SealedRow]:
        sealed = []
        nonces = urandom(24 * len(rows))  # two fresh 12-byte nonces a row, drawn at once
        at = 0
        for row in rows:
            fields = list(row)
            fields[identity_at] = seal_identity(fields[identity_at], nonces[at : at + 12])
            if fields[phone_at]:
                fields[phone_at] = seal_phone(fields[phone_at], nonces[at + 12 : at + 24])
            at += 24
            sealed.append(make(fields))
        return sealed

    return seal


def _flag(value: str) -> bool | None:
    text = value.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _date(value: str) -> date | None:
    return parse_typed_date(value)[0]


# how a column's check reports a problem: fail(column key, message)
Fail = Callable[[str, str], None]


def parse_member_row(
    number: int, values: dict[str, str], *, today: date
) -> tuple[MemberRow | None, list[RowError]]:
    """Check one row; every problem becomes a RowError naming its column (Chinese header)."""
    errors: list[RowError] = []

    def fail(key: str, message: str) -> None:
        errors.append(RowError(number, MEMBER_SPEC.header(key), message))

    identity = _identity(values, fail)
    name = _name(values, fail)
    phone = _phone(values, fail)
    joined_on = _joined_on(values, fail, today=today, identity=identity)
    level = _skill_level(values, fail)
    flags = {key: _yes_or_no(values, key, fail) for key in _FLAG_KEYS}
    credit_code = _credit_code(values, fail)
    _check_gender(values, fail, identity=identity)
    if errors or identity is None:
        return None, errors
    row = MemberRow.of(
        number=number,
        identity=identity,
        name=name,
        phone=phone,
        joined_on=joined_on,
        unit_name=values.get("unit_name", "").strip()[:128],
        unit_credit_code=credit_code,
        post=values.get("post", "").strip()[:64],
        skill_level=level or "",
        **flags,
    )
    return row, []


def _identity(values: dict[str, str], fail: Fail) -> Identity | None:
    try:
        return parse_identity(values.get("identity_number", ""))
    except ValidationError as error:
        fail(
            "identity_number",
            error.messages[0]
            if values.get("identity_number")
            else _("The identity number is missing."),
        )
        return None


def _name(values: dict[str, str], fail: Fail) -> str:
    try:
        return normalise_name(values.get("name", ""))
    except ValidationError as error:
        fail("name", error.messages[0])
        return ""


def _phone(values: dict[str, str], fail: Fail) -> str:
    phone = values.get("phone", "").strip()
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValidationError as error:
            fail("phone", error.messages[0])
    return phone


def _joined_on(
    values: dict[str, str], fail: Fail, *, today: date, identity: Identity | None
) -> date | None:
    """The joining date: a date, not in the future, not before the birth date."""
    raw = values.get("joined_on", "").strip()
    if not raw:
        return None
    try:
        joined_on = _date(raw)
    except ValueError:
        fail("joined_on", _("%(value)s is not a date; write it as 2024-05-01.") % {"value": raw})
        return None
    if joined_on is not None and joined_on > today:
        fail("joined_on", _("The joining date is in the future."))
    elif identity is not None and joined_on is not None and joined_on < identity.birth_date:
        fail("joined_on", _("The joining date is before the birth date."))
    return joined_on


def _skill_level(values: dict[str, str], fail: Fail) -> str | None:
    skill = values.get("skill_level", "").strip()
    level = _SKILLS.get(skill) or SkillLevel.from_label(skill)
    if level is None:
        fail(
            "skill_level",
            _(
                "Unknown skill level %(value)s: use 初级工, 中级工, 高级工, 技师, 高级技师 or leave it empty."
            )
            % {"value": skill},
        )
    return level


def _yes_or_no(values: dict[str, str], key: str, fail: Fail) -> bool:
    flag = _flag(values.get(key, ""))
    if flag is None:
        fail(key, _("Write 是 or 否, not %(value)s.") % {"value": values[key]})
    return bool(flag)


def _credit_code(values: dict[str, str], fail: Fail) -> str:
    credit_code = normalise_credit_code(values.get("unit_credit_code", ""))
    if credit_code:
        try:
            validate_credit_code(credit_code)
        except ValidationError as error:
            fail("unit_credit_code", error.messages[0])
    return credit_code


def _check_gender(values: dict[str, str], fail: Fail, *, identity: Identity | None) -> None:
    """A gender column, where the file has one, agrees with the identity number."""
    if (gender := values.get("gender", "").strip()) and identity is not None:
        stated = GENDERS.get(gender.lower())
        if stated is None:
            fail("gender", _("Write 男 or 女, not %(value)s.") % {"value": gender})
        elif stated != identity.gender:
            fail(
                "gender",
                _("The gender %(value)s contradicts the identity number.") % {"value": gender},
            )


_FAST_ID = re.compile(r"[0-9]{17}[0-9X]")
_FAST_NAME = re.compile(r"[\u4e00-\u9fff]{1,64}")
_FAST_PHONE = re.compile(r"1[3-9][0-9]{9}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# the last three weights times ord("0"): taken off their sum over the characters' codes
_TAIL_OFFSET = 48 * sum(_ID_WEIGHTS[14:])
_FLAG_KEYS = ("is_frontline", "is_migrant", "is_enterprise_head")
_UNKNOWN: Any = object()


class MemberRowChecker:
    """`parse_member_row`, fast for the rows that are right.

    An import checks a million rows, nearly all of them good: this takes the common shapes
    (plain ASCII numbers, names in Chinese characters, values that repeat from row to row)
    with precompiled patterns, per-file caches and keys derived once, and hands any row it is
    not certain of to `parse_member_row`, which decides it and says what is wrong. It never
    accepts what `parse_member_row` would refuse, nor builds a different row: the tests hold
    the two to the same answers on generated rows.
    """

    def __init__(self, *, today: date) -> None:
        self.today = today
        self._system_today = date.today()  # what parse_identity compares birth dates with
        self._identity_index = blind_indexer("identity_number")
        self._phone_index = blind_indexer("phone")
        self._areas: dict[str, int | None] = {}
        self._births: dict[str, tuple[date, int] | None] = {}
        self._joins: dict[str, date | None] = {}
        self._skills: dict[str, str | None] = {}
        self._flags: dict[str, bool | None] = {}
        self._codes: dict[str, bool] = {}

    def __call__(
        self, number: int, values: dict[str, str]
    ) -> tuple[MemberRow | None, list[RowError]]:
        row = self._fast(number, values)
        if row is not None:
            return row, []
        return parse_member_row(number, values, today=self.today)

    # One body on purpose: it runs once a row, a million times, and a call per column would
    # cost more than the split would read better; `parse_member_row` is the readable rule.
    def _fast(self, number: int, values: dict[str, str]) -> MemberRow | None:
        get = values.get
        identity_number = get("identity_number", "").strip()
        if not identity_number.isascii():
            return None
        identity_number = identity_number.upper()
        if _FAST_ID.fullmatch(identity_number) is None:
            return None
        # the check character's weighted sum, in parts: the area's and the birth date's are
        # worked out once per file (they repeat), the last three digits here
        area = self._areas.get(identity_number[:6], _UNKNOWN)
        if area is _UNKNOWN:
            area = self._area(identity_number[:6])
        birth = self._births.get(identity_number[6:14], _UNKNOWN)
        if birth is _UNKNOWN:
            birth = self._birth(identity_number[6:14])
        if area is None or birth is None:
            return None
        born, birth_sum = birth
        last = ord(identity_number[16])
        total = area + birth_sum + 8 * ord(identity_number[14]) + 4 * ord(identity_number[15])
        if "10X98765432"[(total + 2 * last - _TAIL_OFFSET) % 11] != identity_number[17]:
            return None
        gender = "M" if last % 2 else "F"  # ord("0") is even
        name = get("name", "")
        if _FAST_NAME.fullmatch(name) is None:
            return None
        phone = get("phone", "").strip()
        if phone and _FAST_PHONE.fullmatch(phone) is None:
            return None
        joined_on = None
        if raw := get("joined_on", "").strip():
            joined_on = self._joins.get(raw, _UNKNOWN)
            if joined_on is _UNKNOWN:
                joined_on = self._joins[raw] = _optional_date(raw)
            if joined_on is None or joined_on > self.today or joined_on < born:
                return None
        skill = get("skill_level", "").strip()
        level = self._skills.get(skill, _UNKNOWN)
        if level is _UNKNOWN:
            level = self._skills[skill] = _SKILLS.get(skill) or SkillLevel.from_label(skill)
        if level is None:
            return None
        flags = []
        for key in _FLAG_KEYS:
            text = get(key, "")
            flag = self._flags.get(text, _UNKNOWN)
            if flag is _UNKNOWN:
                flag = self._flags[text] = _flag(text)
            if flag is None:
                return None
            flags.append(flag)
        credit_code = get("unit_credit_code", "")
        if credit_code:
            credit_code = normalise_credit_code(credit_code)
            valid = self._codes.get(credit_code)
            if valid is None:
                valid = self._codes[credit_code] = _valid_credit_code(credit_code)
            if not valid:
                return None
        if (stated := get("gender", "").strip()) and GENDERS.get(stated.lower()) != gender:
            return None
        is_frontline, is_migrant, is_enterprise_head = flags  # in _FLAG_KEYS' order
        return MemberRow(
            number=number,
            identity=Identity(identity_number, born, gender),
            digest=self._identity_index(identity_number),
            name=name,
            name_key=" ".join(map(syllable, name)),
            phone=phone,
            phone_digest=self._phone_index(phone),
            joined_on=joined_on,
            unit_name=get("unit_name", "").strip()[:128],
            unit_credit_code=credit_code,
            post=get("post", "").strip()[:64],
            skill_level=level or "",
            is_frontline=is_frontline,
            is_migrant=is_migrant,
            is_enterprise_head=is_enterprise_head,
        )

    def _area(self, text: str) -> int | None:
        """The weighted sum of the six area digits, None for an unknown province."""
        total = sum(map(mul, _ID_WEIGHTS[:6], text.encode())) - 48 * sum(_ID_WEIGHTS[:6])
        self._areas[text] = total if text[:2] in PROVINCE_CODES else None
        return self._areas[text]

    def _birth(self, text: str) -> tuple[date, int] | None:
        """The birth date and the weighted sum of its eight digits; None unless a real date
        not after today."""
        try:
            born: date | None = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            born = None
        if born is None or born > self._system_today:
            self._births[text] = None
            return None
        total = sum(map(mul, _ID_WEIGHTS[6:14], text.encode())) - 48 * sum(_ID_WEIGHTS[6:14])
        self._births[text] = (born, total)
        return born, total


def _optional_date(text: str) -> date | None:
    try:
        return _date(text)
    except ValueError:
        return None


def _valid_credit_code(code: str) -> bool:
    try:
        validate_credit_code(code)
    except ValidationError:
        return False
    return True
