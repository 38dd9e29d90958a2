"""Running a skill: scheme, registration, conflicts of interest, marks, divergence, sign-off."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.contests import actions
from gonghui.contests.actions import AspectSpec, EntrantDetails, MarkEntry
from gonghui.contests.marking import ContestResults, SkillSheet
from gonghui.contests.models import Mark
from gonghui.contests.scoring import Award
from gonghui.core.models import AuditEvent
from gonghui.people.models import Membership, Person

from .factories import (
    add_competitor,
    add_judge,
    identity_number,
    make_contest,
    make_skill,
    make_unit,
)

D = Decimal
SIMPLE = [AspectSpec("M1", "测量", "M", D("70")), AspectSpec("J1", "评价", "J", D("30"))]


def _fill(skill, marks):
    """marks: {competitor: (measurement, [scores by judge in order])}."""
    sheet = SkillSheet.load(skill)
    m1, j1 = sheet.aspects
    entries = []
    for competitor, (measured, scores) in marks.items():
        entries.append(MarkEntry(competitor, m1, None, measured))
        for judge, score in zip(sheet.eligible_judges(competitor), scores, strict=True):
            entries.append(MarkEntry(competitor, j1, judge, str(score)))
    actions.enter_marks(by=None, skill=skill, entries=entries)


@pytest.fixture
def skill(world):
    contest = make_contest(world.city_a)
    skill = make_skill(contest, scheme=SIMPLE)
    for n in (1, 2, 3):
        add_judge(skill, n, is_chief=n == 1)
    return skill


def test_scheme_that_does_not_add_up_to_100_is_refused_with_the_sum(world) -> None:
    contest = make_contest(world.city_a)
    skill = actions.create_skill(by=None, contest=contest, code="S9", name="车工")
    with pytest.raises(ValidationError, match=r"add up to 99\.50"):
        actions.set_scheme(
            by=None,
            skill=skill,
            aspects=[AspectSpec("A", "a", "M", D("39.50")), AspectSpec("B", "b", "J", D("60"))],
        )
    assert not skill.aspects.exists()


def test_competitor_not_in_roster_is_recorded_as_a_non_member(skill) -> None:
    competitor = add_competitor(skill, 1)
    assert competitor.person.name == "选手一"
    assert not Membership.objects.filter(person=competitor.person).exists()
    assert AuditEvent.objects.filter(action="contest.competitor.register").count() == 1


def test_bad_identity_number_is_refused(skill) -> None:
    with pytest.raises(ValidationError):
        actions.register_competitor(
            by=None,
            skill=skill,
            details=EntrantDetails(number="C1", identity_number="650102199003070071", name="张三"),
        )
    assert not Person.objects.filter(name="张三").exists()


def test_a_name_that_differs_from_the_roster_is_refused(skill) -> None:
    add_competitor(skill, 1)
    with pytest.raises(ValidationError, match="not 李四"):
        actions.add_judge(
            by=None,
            skill=skill,
            details=EntrantDetails(number="J9", identity_number=identity_number(1), name="李四"),
        )


def test_conflict_by_unit_excludes_the_judge_and_refuses_the_mark(world, skill) -> None:
    unit = make_unit(1, world.gr_a1, "甲机械厂")
    competitor = add_competitor(skill, 1, unit=unit)
    judge = add_judge(skill, 4, unit=unit)
    sheet = SkillSheet.load(skill)
    assert judge.pk not in {j.pk for j in sheet.eligible_judges(competitor)}
    aspect = skill.aspects.get(code="J1")
    with pytest.raises(ValidationError) as refused:
        actions.enter_mark(
            by=None, skill=skill, competitor=competitor, aspect=aspect, judge=judge, value="2"
        )
    message = " ".join(refused.value.messages)
    assert "J4 裁判四" in message and "C001 选手一" in message and "甲机械厂" in message
    assert not Mark.objects.exists()


def test_conflict_by_grassroots_union_refuses_the_mark(world, skill) -> None:
    competitor = add_competitor(skill, 1, union=world.gr_a2)
    judge = add_judge(skill, 4, union=world.gr_a2)
    with pytest.raises(ValidationError, match="same grassroots union"):
        actions.enter_mark(
            by=None,
            skill=skill,
            competitor=competitor,
            aspect=skill.aspects.get(code="J1"),
            judge=judge,
            value="1",
        )


def test_union_is_derived_from_the_roster(world, skill) -> None:
    from gonghui.people.actions import PersonDetails, register_member

    register_member(
        by=None,
        identity_number=identity_number(7),
        details=PersonDetails(name="选手七"),
        union=world.gr_a1,
    )
    competitor = add_competitor(skill, 7)
    judge = actions.add_judge(
        by=None,
        skill=skill,
        details=EntrantDetails(
            number="J8", identity_number=identity_number(9008), name="裁判八", union=world.gr_a1
        ),
    )
    assert competitor.union == world.gr_a1
    assert judge.conflicts_with(competitor)


def test_judgement_needs_three_judges_free_of_conflict(world, skill) -> None:
    competitor = add_competitor(skill, 1, union=world.gr_a2)
    actions.add_judge(
        by=None,
        skill=skill,
        details=EntrantDetails(
            number="J1", identity_number=identity_number(9001), name="裁判一", union=world.gr_a2
        ),
        is_chief=True,
    )
    sheet = SkillSheet.load(skill)
    assert sheet.short_of_judges == [competitor]
    assert any("at least 3" in p for p in sheet.problems)


def test_marks_out_of_bounds_are_refused_and_nothing_is_written(skill) -> None:
    competitor = add_competitor(skill, 1)
    sheet = SkillSheet.load(skill)
    m1, j1 = sheet.aspects
    judge = sheet.judges[0]
    for aspect, who, value, reason in [
        (m1, None, "70.01", "from 0 to 70.00"),
        (m1, None, "-1", "from 0 to 70.00"),
        (m1, None, "1.005", "two decimals"),
        (m1, None, "abc", "not a number"),
        (j1, judge, "4", "0, 1, 2 or 3"),
        (j1, judge, "1.5", "0, 1, 2 or 3"),
        (j1, None, "1", "entered separately"),
        (m1, judge, "1", "without a judge"),
    ]:
        with pytest.raises(ValidationError, match=reason):
            actions.enter_marks(
                by=None,
                skill=skill,
                entries=[
                    MarkEntry(competitor, m1, None, "10"),
                    MarkEntry(competitor, aspect, who, value),
                ],
            )
    assert not Mark.objects.exists()


def test_divergent_scores_are_flagged_and_block_results_until_corrected(skill) -> None:
    one, two = add_competitor(skill, 1), add_competitor(skill, 2)
    _fill(skill, {one: ("60", [3, 1, 2]), two: ("50", [1, 1, 2])})
    sheet = SkillSheet.load(skill)
    j1 = sheet.aspects[1]
    assert sheet.divergent == {(one.pk, j1.pk)}
    assert sheet.results is None
    assert any("C001/J1" in p for p in sheet.problems)
    with pytest.raises(ValidationError, match="differ by more than 1"):
        actions.sign_off_skill(by=None, skill=skill)

    actions.enter_mark(
        by=None, skill=skill, competitor=one, aspect=j1, judge=sheet.judges[0], value="2"
    )
    sheet = SkillSheet.load(skill)
    assert not sheet.divergent and sheet.results is not None
    correction = AuditEvent.objects.get(action="contest.mark.correct")
    assert correction.changes == {"value": [3, 2]}
    assert AuditEvent.objects.filter(action="contest.mark.divergence_resolved").count() == 1


def test_results_follow_the_formulas(skill) -> None:
    # raw: 60 + 30*(2+2+2)/9 = 80.00; 50 + 30*4/9 = 63.33; 40 + 30*3/9 = 50.00
    one, two, three = (add_competitor(skill, n) for n in (1, 2, 3))
    _fill(skill, {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 2]), three: ("40", [1, 1, 1])})
    results = SkillSheet.load(skill).results
    assert results is not None
    table = {r.competitor: (r.raw, r.standardised, r.rank, r.award) for r in results.results}
    # median 63.33, MAD 13.33: 700 + 100*16.67/(1.4826*13.33) = 784.3 -> 784; 50 -> 633
    assert table[one.pk] == (D("80.00"), 784, 1, Award.GOLD)
    assert table[two.pk] == (D("63.33"), 700, 2, Award.SILVER)
    assert table[three.pk] == (D("50.00"), 633, 3, Award.BRONZE)


def test_void_skill_ranks_but_awards_nothing(world) -> None:
    contest = make_contest(world.city_a)
    skill = make_skill(contest, scheme=SIMPLE, minimum=3)
    for n in (1, 2, 3):
        add_judge(skill, n, is_chief=n == 1)
    one, two = add_competitor(skill, 1), add_competitor(skill, 2)
    _fill(skill, {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 1])})
    sheet = SkillSheet.load(skill)
    assert sheet.is_void
    assert sheet.results is not None and sheet.results.void
    assert [r.award for r in sheet.results.results] == [None, None]
    assert ContestResults.load(contest).best == []


def test_sign_off_locks_marks_and_only_the_chief_reopens(world, skill) -> None:
    one = add_competitor(skill, 1)
    _fill(skill, {one: ("60", [2, 2, 2])})
    chief = skill.judges.get(is_chief=True)
    chief.user = world.city_officer
    chief.save(update_fields=["user"])
    with pytest.raises(ValidationError, match="Only the chief judge 裁判一"):
        actions.sign_off_skill(by=world.fed_officer, skill=skill)
    actions.sign_off_skill(by=world.city_officer, skill=skill)
    skill.refresh_from_db()
    assert skill.is_signed_off
    m1 = skill.aspects.get(code="M1")
    with pytest.raises(ValidationError, match="signed off by the chief judge"):
        actions.enter_mark(
            by=world.city_officer, skill=skill, competitor=one, aspect=m1, judge=None, value="61"
        )
    with pytest.raises(ValidationError, match="signed off"):
        add_competitor(skill, 2)
    with pytest.raises(ValidationError, match="Only the chief judge"):
        actions.reopen_skill(by=world.fed_officer, skill=skill, reason="复核")
    with pytest.raises(ValidationError):
        actions.reopen_skill(by=world.city_officer, skill=skill, reason=" ")
    actions.reopen_skill(by=world.city_officer, skill=skill, reason="复核尺寸")
    actions.enter_mark(
        by=world.city_officer, skill=skill, competitor=one, aspect=m1, judge=None, value="61"
    )
    assert Mark.objects.get(aspect=m1).mark == D("61.00")
    actions_logged = list(
        AuditEvent.objects.filter(action__startswith="contest.skill.").values_list(
            "action", flat=True
        )
    )
    assert "contest.skill.sign_off" in actions_logged and "contest.skill.reopen" in actions_logged


def test_scheme_shape_is_frozen_once_marks_exist(skill) -> None:
    one = add_competitor(skill, 1)
    _fill(skill, {one: ("60", [2, 2, 2])})
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.set_scheme(
            by=None,
            skill=skill,
            aspects=[
                AspectSpec("M1", "测量", "M", D("60")),
                AspectSpec("J1", "评价", "J", D("40")),
            ],
        )
    actions.set_scheme(
        by=None,
        skill=skill,
        aspects=[
            AspectSpec("M1", "尺寸测量", "M", D("70")),
            AspectSpec("J1", "评价", "J", D("30")),
        ],
    )
    assert skill.aspects.get(code="M1").description == "尺寸测量"


def test_reentering_the_same_marks_changes_nothing(skill) -> None:
    one = add_competitor(skill, 1)
    _fill(skill, {one: ("60", [2, 2, 2])})
    events = AuditEvent.objects.count()
    _fill(skill, {one: ("60.00", [2, 2, 2])})
    assert AuditEvent.objects.count() == events


def test_a_judge_cannot_compete_in_the_same_skill(skill) -> None:
    with pytest.raises(ValidationError, match="is a judge of this skill"):
        actions.register_competitor(
            by=None,
            skill=skill,
            details=EntrantDetails(
                number="C9", identity_number=identity_number(9001), name="裁判一"
            ),
        )


def test_a_conflict_that_arises_after_marking_blocks_results(world, skill) -> None:
    one = add_competitor(skill, 1)
    _fill(skill, {one: ("60", [2, 2, 2])})
    assert SkillSheet.load(skill).results is not None
    unit = make_unit(2, world.gr_a1, "乙电器厂")
    # the competitor's employer is corrected: judge J1 works there too
    actions.register_competitor(
        by=None,
        skill=skill,
        details=EntrantDetails(
            number="C001", identity_number=identity_number(1), name="选手一", unit=unit
        ),
    )
    actions.add_judge(
        by=None,
        skill=skill,
        details=EntrantDetails(
            number="J1", identity_number=identity_number(9001), name="裁判一", unit=unit
        ),
        is_chief=True,
    )
    sheet = SkillSheet.load(skill)
    assert [(j.number, c.number) for j, c in sheet.conflicted_marks] == [("J1", "C001")]
    assert sheet.results is None
    assert any("Clear the scores judge J1" in p for p in sheet.problems)
    j1 = skill.aspects.get(code="J1")
    one = skill.competitors.get(number="C001")  # as the grid and the API load it
    with pytest.raises(ValidationError, match="must not mark"):
        actions.enter_mark(
            by=None, skill=skill, competitor=one, aspect=j1, judge=sheet.judges[0], value="1"
        )
    actions.enter_mark(
        by=None, skill=skill, competitor=one, aspect=j1, judge=sheet.judges[0], value=""
    )
    assert SkillSheet.load(skill).conflicted_marks == []


def test_naming_a_new_chief_judge_is_audited_for_both(skill) -> None:
    add_judge(skill, 2, is_chief=True)
    assert list(skill.judges.filter(is_chief=True).values_list("number", flat=True)) == ["J2"]
    stepped_down = AuditEvent.objects.filter(action="contest.judge.update").values_list(
        "object_repr", "changes"
    )
    assert any(changes == {"is_chief": [True, False]} for _repr, changes in stepped_down)


def test_a_withdrawn_competitor_goes_with_their_marks_audited_one_by_one(skill) -> None:
    one, two = add_competitor(skill, 1), add_competitor(skill, 2)
    _fill(skill, {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 1])})
    with pytest.raises(ValidationError, match="Say why"):
        actions.remove_entrant(by=None, entrant=one, reason=" ")
    assert actions.remove_entrant(by=None, entrant=one, reason="弃权") == 4
    assert not Mark.objects.filter(competitor__number="C001").exists()
    assert AuditEvent.objects.filter(action="contest.mark.remove").count() == 4
    event = AuditEvent.objects.get(action="contest.competitor.remove")
    assert event.extra["reason"] == "弃权" and event.extra["marks_removed"] == 4
    assert SkillSheet.load(skill).results is not None


def test_nobody_is_taken_off_a_signed_off_skill(skill) -> None:
    one = add_competitor(skill, 1)
    _fill(skill, {one: ("60", [2, 2, 2])})
    actions.sign_off_skill(by=None, skill=skill)
    with pytest.raises(ValidationError, match="signed off"):
        actions.remove_entrant(by=None, entrant=skill.judges.get(number="J2"), reason="错登")
    assert skill.judges.count() == 3


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("１２", "12.00"), ("１２．５", "12.50"), ("-0", "0.00"), ("1e1", "10.00"), (" 7 ", "7.00")],
)
def test_measurement_marks_are_read_as_officers_type_them(skill, typed, stored) -> None:
    aspect = skill.aspects.get(code="M1")
    assert str(actions.parse_value(aspect, typed)) == stored


@pytest.mark.parametrize("typed", ["12,5", "12，5"])
def test_a_comma_that_groups_no_thousands_is_refused_not_read_as_a_decimal_point(
    skill, typed
) -> None:
    aspect = skill.aspects.get(code="M1")
    with pytest.raises(ValidationError, match="a point"):
        actions.parse_value(aspect, typed)


@pytest.mark.parametrize("code", ["new", "import", "skills"])
def test_a_contest_code_that_names_a_page_is_refused(world, code) -> None:
    with pytest.raises(ValidationError, match="names a page"):
        make_contest(world.city_a, code=code)
