"""The contests API: contests, skills, schemes, competitors, judges, marks, sign-off, results.

Scoped like the pages (the same permission functions and actions); identity numbers masked.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field, StrictBool

from gonghui.accounts.http import AuthedRequest
from gonghui.contests import actions
from gonghui.contests.bounds import MAX_MARK, MINIMUM_COMPETITORS
from gonghui.contests.marking import ContestResults, ResultLine, SkillSheet
from gonghui.contests.models import (
    Competitor,
    Contest,
    ContestLevel,
    ContestStatus,
    Judge,
    MedalPolicyChoice,
    Skill,
)
from gonghui.contests.permissions import (
    entrant_unions,
    get_contest_for_user,
    get_organiser_for_user,
    get_skill_for_user,
    linkable_account,
    visible_contests,
)
from gonghui.core.api_schemas import Id, Input, Pages, answers
from gonghui.core.bounds import Day
from gonghui.orgs.models import Organisation
from gonghui.orgs.permissions import get_unit_by_credit_code_for_user

router = Router(tags=["contests"])


class ContestOut(Schema):
    code: str
    name: str
    theme: str
    organiser_code: str
    starts_on: date
    ends_on: date
    level: str
    status: str

    @staticmethod
    def resolve_organiser_code(obj: Contest) -> str:
        return obj.organiser.code


class ContestIn(Input):
    code: str = Field(max_length=32)
    name: str = Field(max_length=128)
    organiser_code: str = Field(max_length=32)
    starts_on: Day
    ends_on: Day
    theme: str = Field(default="", max_length=200)
    level: ContestLevel = ContestLevel.REGIONAL


class ContestPatch(Input):
    name: str | None = Field(default=None, max_length=128)
    theme: str | None = Field(default=None, max_length=200)
    starts_on: Day | None = None
    ends_on: Day | None = None
    level: ContestLevel | None = None
    status: ContestStatus | None = None


class AspectOut(Schema):
    code: str
    sub_criterion: str
    description: str
    kind: str
    max_mark: Decimal
    descriptors: list[str]


class AspectIn(Input):
    code: str = Field(max_length=32)
    description: str = Field(max_length=300)
    kind: str = Field(pattern="^[MJ]$")
    max_mark: Annotated[Decimal, MAX_MARK.schema()]
    sub_criterion: str = Field(default="", max_length=64)
    descriptors: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list, max_length=4
    )


class SkillOut(Schema):
    id: int
    contest_code: str
    code: str
    name: str
    medal_policy: str
    minimum_competitors: int
    signed_off_at: datetime | None
    aspects: list[AspectOut]

    @staticmethod
    def resolve_contest_code(obj: Skill) -> str:
        return obj.contest.code

    @staticmethod
    def resolve_aspects(obj: Skill) -> Any:
        return obj.aspects.all()


MinimumCompetitors = Annotated[int, MINIMUM_COMPETITORS.schema()]


class SkillIn(Input):
    code: str = Field(max_length=32)
    name: str = Field(max_length=128)
    medal_policy: MedalPolicyChoice = MedalPolicyChoice.NATIONAL
    minimum_competitors: MinimumCompetitors = 1


class SkillPatch(Input):
    name: str | None = Field(default=None, max_length=128)
    medal_policy: MedalPolicyChoice | None = None
    minimum_competitors: MinimumCompetitors | None = None


class SchemeIn(Input):
    aspects: list[AspectIn] = Field(max_length=100)


class EntrantOut(Schema):
    number: str
    name: str
    identity_number: str
    unit_credit_code: str | None
    union_code: str | None

    @staticmethod
    def resolve_name(obj: Competitor | Judge) -> str:
        return obj.person.name

    @staticmethod
    def resolve_identity_number(obj: Competitor | Judge) -> str:
        return obj.person.identity_masked

    @staticmethod
    def resolve_unit_credit_code(obj: Competitor | Judge) -> str | None:
        return obj.unit.credit_code if obj.unit else None

    @staticmethod
    def resolve_union_code(obj: Competitor | Judge) -> str | None:
        return obj.union.code if obj.union else None


class JudgeOut(EntrantOut):
    is_chief: bool
    must_not_mark: list[str]  # competitor numbers: conflicts of interest


class EntrantIn(Input):
    number: str = Field(max_length=16)
    name: str = Field(max_length=64)
    identity_number: str = Field(max_length=20)
    unit_credit_code: str = Field(default="", max_length=18)
    union_code: str = Field(default="", max_length=32)


class JudgeIn(EntrantIn):
    is_chief: StrictBool = False
    account: str = Field(default="", max_length=150, description="username of the judge's account")


class MarkOut(Schema):
    competitor: str
    aspect: str
    judge: str | None
    value: str


class MarkIn(Input):
    competitor: str = Field(max_length=16, description="the competitor's number")
    aspect: str = Field(max_length=32, description="the aspect's code")
    judge: str | None = Field(
        default=None, max_length=16, description="the judge's number (J aspects only)"
    )
    value: str = Field(max_length=20, description="a mark, a 0–3 score, or empty to clear")


class MarksIn(Input):
    marks: list[MarkIn] = Field(max_length=20000)


class MarksOut(Schema):
    changed: int
    divergent: list[str]
    problems: list[str]


class ReopenIn(Input):
    reason: str = Field(max_length=500)


class ResultOut(Schema):
    skill_code: str
    rank: int
    number: str
    name: str
    raw: Decimal
    standardised: int
    award: str | None
    award_name: str


class SkillResultsOut(Schema):
    skill_code: str
    void: bool
    signed_off: bool
    problems: list[str]
    results: list[ResultOut]


class ContestResultsOut(Schema):
    contest_code: str
    skills: list[SkillResultsOut]
    best: list[ResultOut]


def _result(line: ResultLine) -> dict[str, Any]:
    return {
        "skill_code": line.skill.code,
        "rank": line.rank,
        "number": line.competitor.number,
        "name": line.competitor.person.name,
        "raw": line.raw,
        "standardised": line.standardised,
        "award": line.award.value if line.award else None,
        "award_name": line.award_name,
    }


def _skill_results(sheet: SkillSheet) -> dict[str, Any]:
    return {
        "skill_code": sheet.skill.code,
        "void": sheet.is_void,
        "signed_off": sheet.skill.is_signed_off,
        "problems": sheet.problems,
        "results": [_result(line) for line in sheet.lines],
    }


@router.get(
    "/contests", response=answers({200: list[ContestOut]}), summary="Contests in your scope"
)
@paginate(Pages)
def list_contests(request: AuthedRequest, q: str = "") -> Any:
    return visible_contests(request.user).select_related("organiser").matching(q)


@router.post(
    "/contests", response=answers({201: ContestOut}, 400, 403, 404), summary="Open a contest"
)
def create_contest(request: AuthedRequest, payload: ContestIn) -> Any:
    organiser = get_organiser_for_user(request.user, payload.organiser_code)
    contest = actions.create_contest(
        by=request.user,
        code=payload.code,
        name=payload.name,
        organiser=organiser,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        theme=payload.theme,
        level=payload.level,
    )
    return 201, contest


@router.get("/contests/{code}", response=answers({200: ContestOut}, 404), summary="One contest")
def get_contest(request: AuthedRequest, code: str) -> Any:
    return get_contest_for_user(request.user, code)


@router.patch(
    "/contests/{code}",
    response=answers({200: ContestOut}, 400, 403, 404),
    summary="Change a contest",
)
def update_contest(request: AuthedRequest, code: str, payload: ContestPatch) -> Any:
    contest = get_contest_for_user(request.user, code, action="manage")
    return actions.update_contest(
        by=request.user,
        contest=contest,
        name=payload.name if payload.name is not None else contest.name,
        theme=payload.theme if payload.theme is not None else contest.theme,
        starts_on=payload.starts_on or contest.starts_on,
        ends_on=payload.ends_on or contest.ends_on,
        level=payload.level or contest.level,
        status=payload.status or contest.status,
    )


@router.get(
    "/contests/{code}/skills",
    response=answers({200: list[SkillOut]}, 404),
    summary="A contest's skills",
)
def list_skills(request: AuthedRequest, code: str) -> Any:
    contest = get_contest_for_user(request.user, code)
    return contest.skills.select_related("contest").prefetch_related("aspects")


@router.post(
    "/contests/{code}/skills",
    response=answers({201: SkillOut}, 400, 403, 404),
    summary="Add a skill",
)
def create_skill(request: AuthedRequest, code: str, payload: SkillIn) -> Any:
    contest = get_contest_for_user(request.user, code, action="manage")
    return 201, actions.create_skill(
        by=request.user,
        contest=contest,
        code=payload.code,
        name=payload.name,
        medal_policy=payload.medal_policy,
        minimum_competitors=payload.minimum_competitors,
    )


@router.get(
    "/contests/{code}/results",
    response=answers({200: ContestResultsOut}, 404),
    summary="A contest's results",
)
def contest_results(request: AuthedRequest, code: str) -> Any:
    contest = get_contest_for_user(request.user, code)
    results = ContestResults.load(contest)
    return {
        "contest_code": contest.code,
        "skills": [_skill_results(sheet) for sheet in results.sheets],
        "best": [_result(line) for line in results.best],
    }


@router.get(
    "/contests/skills/{skill_id}",
    response=answers({200: SkillOut}, 404),
    summary="A skill and its scheme",
)
def get_skill(request: AuthedRequest, skill_id: Id) -> Any:
    return get_skill_for_user(request.user, skill_id)


@router.patch(
    "/contests/skills/{skill_id}",
    response=answers({200: SkillOut}, 400, 403, 404),
    summary="Change a skill (refused once signed off)",
)
def update_skill(request: AuthedRequest, skill_id: Id, payload: SkillPatch) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    return actions.update_skill(
        by=request.user,
        skill=skill,
        name=payload.name if payload.name is not None else skill.name,
        medal_policy=payload.medal_policy or skill.medal_policy,
        minimum_competitors=payload.minimum_competitors or skill.minimum_competitors,
    )


@router.put(
    "/contests/skills/{skill_id}/scheme",
    response=answers({200: SkillOut}, 400, 403, 404),
    summary="Replace the marking scheme (maxima add up to 100)",
)
def set_scheme(request: AuthedRequest, skill_id: Id, payload: SchemeIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    actions.set_scheme(
        by=request.user,
        skill=skill,
        aspects=[
            actions.AspectSpec(
                a.code, a.description, a.kind, a.max_mark, a.sub_criterion, tuple(a.descriptors)
            )
            for a in payload.aspects
        ],
    )
    return skill


def _details(request: AuthedRequest, payload: EntrantIn) -> actions.EntrantDetails:
    unit = None
    if payload.unit_credit_code:
        unit = get_unit_by_credit_code_for_user(request.user, payload.unit_credit_code)
        if unit is None:
            raise ValidationError(
                {"unit_credit_code": ["no employer unit with this credit code within your scope"]}
            )
    union: Organisation | None = None
    if payload.union_code:
        union = entrant_unions(request.user).filter(code=payload.union_code).first()
        if union is None:
            raise ValidationError(
                {"union_code": ["no grassroots union with this code within your scope"]}
            )
    return actions.EntrantDetails(
        number=payload.number,
        identity_number=payload.identity_number,
        name=payload.name,
        unit=unit,
        union=union,
    )


@router.get(
    "/contests/skills/{skill_id}/competitors",
    response=answers({200: list[EntrantOut]}, 404),
    summary="A skill's competitors (identity numbers masked)",
)
def list_competitors(request: AuthedRequest, skill_id: Id) -> Any:
    skill = get_skill_for_user(request.user, skill_id)
    return skill.competitors.select_related("person", "unit", "union")


@router.post(
    "/contests/skills/{skill_id}/competitors",
    response=answers({201: EntrantOut}, 400, 403, 404),
    summary="Register a competitor (people not in the roster become non-members)",
)
def register_competitor(request: AuthedRequest, skill_id: Id, payload: EntrantIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    return 201, actions.register_competitor(
        by=request.user, skill=skill, details=_details(request, payload)
    )


@router.get(
    "/contests/skills/{skill_id}/judges",
    response=answers({200: list[JudgeOut]}, 404),
    summary="A skill's judges, with whom each must not mark",
)
def list_judges(request: AuthedRequest, skill_id: Id) -> Any:
    sheet = SkillSheet.load(get_skill_for_user(request.user, skill_id))
    numbers = {c.pk: c.number for c in sheet.competitors}
    out = []
    for judge in sheet.judges:
        judge.must_not_mark = sorted(  # type: ignore[attr-defined]
            numbers[c] for j, c in sheet.conflicts if j == judge.pk
        )
        out.append(judge)
    return out


@router.post(
    "/contests/skills/{skill_id}/judges",
    response=answers({201: JudgeOut}, 400, 403, 404),
    summary="Add a judge",
)
def add_judge(request: AuthedRequest, skill_id: Id, payload: JudgeIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    account = linkable_account(request.user, payload.account) if payload.account else None
    if payload.account and account is None:
        raise ValidationError({"account": ["no account with this username within your scope"]})
    judge = actions.add_judge(
        by=request.user,
        skill=skill,
        details=_details(request, payload),
        is_chief=payload.is_chief,
        user=account,
    )
    sheet = SkillSheet.load(skill)
    numbers = {c.pk: c.number for c in sheet.competitors}
    judge.must_not_mark = sorted(  # type: ignore[attr-defined]
        numbers[c] for j, c in sheet.conflicts if j == judge.pk
    )
    return 201, judge


class RemoveIn(Input):
    reason: str = Field(max_length=500)


class RemovedOut(Schema):
    marks_removed: int


@router.post(
    "/contests/skills/{skill_id}/competitors/{number}/remove",
    response=answers({200: RemovedOut}, 400, 403, 404),
    summary="Take a competitor off the skill (withdrawn), with their marks",
)
def remove_competitor(request: AuthedRequest, skill_id: Id, number: str, payload: RemoveIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    competitor = skill.competitors.filter(number=number).first()
    if competitor is None:
        raise Http404
    return {
        "marks_removed": actions.remove_entrant(
            by=request.user, entrant=competitor, reason=payload.reason
        )
    }


@router.post(
    "/contests/skills/{skill_id}/judges/{number}/remove",
    response=answers({200: RemovedOut}, 400, 403, 404),
    summary="Take a judge off the skill, with their scores",
)
def remove_judge(request: AuthedRequest, skill_id: Id, number: str, payload: RemoveIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    judge = skill.judges.filter(number=number).first()
    if judge is None:
        raise Http404
    return {
        "marks_removed": actions.remove_entrant(
            by=request.user, entrant=judge, reason=payload.reason
        )
    }


@router.get(
    "/contests/skills/{skill_id}/marks",
    response=answers({200: list[MarkOut]}, 403, 404),
    summary="Marks entered",
)
def list_marks(request: AuthedRequest, skill_id: Id) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    marks = skill.marks.select_related("competitor", "aspect", "judge").order_by(
        "competitor__number", "aspect__position", "judge__number"
    )
    return [
        {
            "competitor": m.competitor.number,
            "aspect": m.aspect.code,
            "judge": m.judge.number if m.judge else None,
            "value": f"{m.mark:.2f}" if m.judge_id is None else str(m.score),
        }
        for m in marks
    ]


@router.post(
    "/contests/skills/{skill_id}/marks",
    response=answers({200: MarksOut}, 400, 403, 404),
    summary="Enter or correct marks, all or none",
)
def enter_marks(request: AuthedRequest, skill_id: Id, payload: MarksIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="manage")
    competitors = {c.number: c for c in skill.competitors.select_related("person", "unit", "union")}
    aspects = {a.code: a for a in skill.aspects.all()}
    judges = {j.number: j for j in skill.judges.select_related("person", "unit", "union")}
    entries = []
    for position, mark in enumerate(payload.marks):
        competitor, aspect = competitors.get(mark.competitor), aspects.get(mark.aspect)
        judge = judges.get(mark.judge) if mark.judge else None
        if competitor is None or aspect is None or (mark.judge and judge is None):
            raise ValidationError(
                {
                    f"marks[{position}]": [
                        "no such competitor, aspect or judge in this skill: "
                        f"{mark.competitor}/{mark.aspect}/{mark.judge or ''}"
                    ]
                }
            )
        entries.append(actions.MarkEntry(competitor, aspect, judge, mark.value))
    changed = actions.enter_marks(by=request.user, skill=skill, entries=entries)
    sheet = SkillSheet.load(skill)
    numbers = {c.pk: c.number for c in sheet.competitors}
    codes = {a.pk: a.code for a in sheet.aspects}
    return {
        "changed": changed,
        "divergent": sorted(f"{numbers[c]}/{codes[a]}" for c, a in sheet.divergent),
        "problems": sheet.problems,
    }


@router.post(
    "/contests/skills/{skill_id}/sign-off",
    response=answers({200: SkillOut}, 400, 403, 404),
    summary="Sign off",
)
def sign_off(request: AuthedRequest, skill_id: Id) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="sign_off")
    return actions.sign_off_skill(by=request.user, skill=skill)


@router.post(
    "/contests/skills/{skill_id}/reopen",
    response=answers({200: SkillOut}, 400, 403, 404),
    summary="Withdraw the sign-off",
)
def reopen(request: AuthedRequest, skill_id: Id, payload: ReopenIn) -> Any:
    skill = get_skill_for_user(request.user, skill_id, action="sign_off")
    return actions.reopen_skill(by=request.user, skill=skill, reason=payload.reason)


@router.get(
    "/contests/skills/{skill_id}/results",
    response=answers({200: SkillResultsOut}, 404),
    summary="A skill's results",
)
def skill_results(request: AuthedRequest, skill_id: Id) -> Any:
    return _skill_results(SkillSheet.load(get_skill_for_user(request.user, skill_id)))
