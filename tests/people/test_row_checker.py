"""The import's fast row check gives exactly the answers of the reference `parse_member_row`."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.crypto import decrypt
from gonghui.core.personal import mask_identity_number
from gonghui.core.validators import identity_check_character
from gonghui.people.tabular import MemberRowChecker, parse_member_row, row_values, rows_sealer

TODAY = date(2026, 6, 1)


def _identity(body: str, check: str | None = None) -> str:
    return body + (identity_check_character(body) if check is None else check)


IDENTITIES = [
    _identity("65010219900307001"),
    _identity("65010219900307002").lower(),  # a lower-case x or a plain digit
    _identity("11010519491231002"),
    _identity("44030120000229003"),  # a real 29 February
    " " + _identity("65010219850615004") + " ",
    _identity("65010219900307001").replace("6", "６"),  # full-width digits, pasted from a document
    _identity("65010219900307005", "0"),
    _identity("65010219900230006"),  # 30 February
    _identity("65010230000101007"),  # born in the future
    _identity("99010219900307008"),  # no such province
    "6501021990030700",
    "6.50102199003071E+17",
    "",
]
NAMES = [
    "张三",
    "欧阳修文",
    "阿依古丽·买买提",
    " 李 四 ",
    "",
    "王" * 65,
    "王5",
    "Zhang San",
    "张•三",
    "张_",
]
PHONES = [
    "",
    "13812345678",
    "138-1234-5678",
    "+8613812345678",
    "12345678901",
    " 13812345678 ",
    "1381234567８",
]
DATES = [
    "",
    "2020-01-01",
    "2020/1/2",
    "20200102",
    "2026年5月3日",
    "2999-01-01",
    "1901-01-01",
    "abc",
    "2020-02-30",
]
SKILLS = ["", "技师", "高级技师", "初级工", "foo", "无", "technician", " 中级工 "]
FLAGS = ["", "是", "否", "Y", "no", "maybe", "√"]
CODES = [
    "",
    "91650102123456788R",
    "91650102123456788r",
    "91650102123456788X",
    "9165",
    " 91650102123456788R ",
]
GENDERS = ["", "男", "女", "F", "x"]

CHOICES = {
    "identity_number": IDENTITIES,
    "name": NAMES,
    "phone": PHONES,
    "joined_on": DATES,
    "unit_name": ["", "乌鲁木齐机床厂", "  天山纺织  "],
    "unit_credit_code": CODES,
    "post": ["", "钳工", " 焊工 "],
    "skill_level": SKILLS,
    "is_frontline": FLAGS,
    "is_migrant": FLAGS,
    "is_enterprise_head": FLAGS,
    "gender": GENDERS,
}
GOOD = {key: [v for v in options if v][:2] for key, options in CHOICES.items()}


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """Mostly right rows, with up to three fields anything from the lists (or left out)."""
    values = {key: draw(st.sampled_from(GOOD[key])) for key in CHOICES}
    values["gender"] = ""
    for key in draw(st.sets(st.sampled_from(sorted(CHOICES)), max_size=2)):
        if key not in {"identity_number", "name"} and draw(st.integers(0, 3)) == 0:
            del values[key]
        else:
            values[key] = draw(st.sampled_from(CHOICES[key]))
    return values


@settings(max_examples=1500, deadline=None)
@given(values=rows(), number=st.integers(min_value=2, max_value=10**6))
def test_fast_check_agrees_with_the_reference(values: dict[str, str], number: int) -> None:
    checker = MemberRowChecker(today=TODAY)
    assert checker(number, values) == parse_member_row(number, values, today=TODAY)
    # and again with the per-file caches warm
    assert checker(number, values) == parse_member_row(number, values, today=TODAY)


def test_most_good_rows_take_the_fast_path() -> None:
    checker = MemberRowChecker(today=TODAY)
    good = {
        "identity_number": IDENTITIES[0],
        "name": "张三",
        "phone": "13812345678",
        "joined_on": "2020-01-01",
        "unit_credit_code": "91650102123456788R",
        "skill_level": "技师",
        "is_frontline": "是",
    }
    row = checker._fast(2, good)
    assert row is not None
    assert row.identity.gender == "M" and row.name_key == "zhang1 san1"
    assert checker._fast(2, {**good, "name": "阿依古丽·买买提"}) is None  # left to the reference


def test_full_width_identity_numbers_are_made_plain() -> None:
    row, errors = parse_member_row(
        2, {"identity_number": IDENTITIES[5], "name": "张三"}, today=TODAY
    )
    assert not errors and row is not None
    assert row.identity.number == IDENTITIES[0]


def test_sealed_rows_keep_the_checked_values_and_only_seal_the_personal_data() -> None:
    row, _errors = parse_member_row(
        7,
        {
            "identity_number": IDENTITIES[0],
            "name": "张三",
            "joined_on": "2020-01-01",
            "skill_level": "技师",
        },
        today=TODAY,
    )
    assert row is not None
    (sealed,) = rows_sealer()([row_values()(row)])
    assert (sealed.name, sealed.digest, sealed.joined_on, sealed.number) == (
        "张三",
        row.digest,
        "2020-01-01",
        7,
    )
    assert decrypt(sealed.identity_sealed, field="identity_number") == IDENTITIES[0]
    assert sealed.identity_masked == mask_identity_number(IDENTITIES[0])
    assert sealed.birth_year == row.identity.birth_date.year
    assert not sealed.phone_sealed and not sealed.phone_masked


@settings(max_examples=50, deadline=None)
@given(
    keys=st.lists(st.integers(min_value=0, max_value=2**64 - 1) | st.integers(0, 40), max_size=3000)
)
def test_first_rows_remembers_like_a_dict(keys: list[int]) -> None:
    from gonghui.people.importing.checking import FirstRows

    seen, reference = FirstRows(capacity=8), {}
    for row, key in enumerate(keys, 2):
        assert seen.first(key, row) == reference.setdefault(key or 1, row)
