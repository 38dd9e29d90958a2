"""Contest pages: list, detail, skill (scheme, competitors, judges), mark grid, results, files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.contests import actions
from gonghui.contests.certificates import FontMissing, render_certificates
from gonghui.contests.documents import results_list_pdf
from gonghui.contests.export import RESULT_HEADERS, result_rows
from gonghui.contests.forms import (
    ContestEditForm,
    ContestForm,
    EntrantForm,
    JudgeForm,
    ReopenForm,
    SchemeForm,
    SkillForm,
)
from gonghui.contests.grid import MEASUREMENT_SHEET, Grid
from gonghui.contests.marking import ContestResults, SkillSheet, result_lines
from gonghui.contests.models import Competitor, Judge
from gonghui.contests.permissions import (
    can_manage,
    entrant_unions,
    get_contest_for_user,
    get_organisers_for_user,
    get_skill_for_user,
    is_chief_judge,
    judged_skills,
    linkable_account,
    organisers_for,
    visible_contests,
)
from gonghui.core import audit
from gonghui.core.bounds import ID, whole_number
from gonghui.core.forms import add_validation_errors
from gonghui.core.tables import paginate
from gonghui.core.tabular import csv_response, xlsx_response
from gonghui.orgs.permissions import get_unit_by_credit_code_for_user


def contest_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    contests = visible_contests(request.user).select_related("organiser").matching(q)
    return render(
        request,
        "contests/contest_list.html",
        {
            "page": paginate(request, contests),
            "q": q,
            "can_create": organisers_for(request.user).exists(),
            "judging": judged_skills(request.user).select_related("contest").distinct(),
        },
    )


def contest_create(request: AuthedRequest) -> HttpResponse:
    allowed = get_organisers_for_user(request.user)
    form = ContestForm(request.POST or None, allowed_orgs=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            contest = actions.create_contest(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Contest %(name)s created.") % {"name": contest.name})
            return redirect(contest)
    return render(request, "contests/contest_form.html", {"form": form})


def contest_detail(request: AuthedRequest, code: str) -> HttpResponse:
    contest = get_contest_for_user(request.user, code)
    manage = can_manage(request.user, contest)
    edit_form = ContestEditForm(
        initial={
            "name": contest.name,
            "theme": contest.theme,
            "starts_on": contest.starts_on,
            "ends_on": contest.ends_on,
            "level": contest.level,
            "status": contest.status,
        }
    )
    skills = contest.skills.annotate(
        competitor_count=Count("competitors", distinct=True),
        judge_count=Count("judges", distinct=True),
    )
    return render(
        request,
        "contests/contest_detail.html",
        {
            "contest": contest,
            "skills": skills,
            "can_manage": manage,
            "edit_form": edit_form,
            "skill_form": SkillForm(),
        },
    )


@require_POST
def contest_edit(request: AuthedRequest, code: str) -> HttpResponseBase:
    contest = get_contest_for_user(request.user, code, action="manage")
    form = ContestEditForm(request.POST)
    if form.is_valid():
        try:
            actions.update_contest(by=request.user, contest=contest, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Check the contest's fields."))
    return redirect(contest)


@require_POST
def skill_create(request: AuthedRequest, code: str) -> HttpResponseBase:
    contest = get_contest_for_user(request.user, code, action="manage")
    form = SkillForm(request.POST)
    if form.is_valid():
        try:
            skill = actions.create_skill(by=request.user, contest=contest, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect(skill)
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(contest)


def _skill_context(request: AuthedRequest, skill: Any, **forms: Any) -> dict[str, Any]:
    sheet = SkillSheet.load(skill)
    manage = can_manage(request.user, skill.contest)
    conflicts: dict[int, list[Competitor]] = {}
    competitors = {c.pk: c for c in sheet.competitors}
    for judge_id, competitor_id in sorted(sheet.conflicts):
        conflicts.setdefault(judge_id, []).append(competitors[competitor_id])
    unions = entrant_unions(request.user)
    scheme_text = "\n".join(
        "\t".join([a.sub_criterion, a.code, a.description, a.kind, str(a.max_mark), *a.descriptors])
        for a in sheet.aspects
    )
    return {
        "skill": skill,
        "contest": skill.contest,
        "sheet": sheet,
        "judge_rows": [(j, conflicts.get(j.pk, [])) for j in sheet.judges],
        "can_manage": manage,
        "can_sign_off": manage or is_chief_judge(request.user, skill),
        "scheme_form": forms.get("scheme_form") or SchemeForm(initial={"lines": scheme_text}),
        "competitor_form": forms.get("competitor_form")
        or EntrantForm(allowed_orgs=unions, prefix="c"),
        "judge_form": forms.get("judge_form") or JudgeForm(allowed_orgs=unions, prefix="j"),
        "skill_form": forms.get("skill_form") or SkillForm.for_edit(skill),
    }


def skill_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    skill = get_skill_for_user(request.user, pk)
    return render(request, "contests/skill_detail.html", _skill_context(request, skill))


@require_POST
def skill_edit(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="manage")
    form = SkillForm.for_edit(skill, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_skill(
                by=request.user,
                skill=skill,
                name=data["name"],
                medal_policy=data["medal_policy"],
                minimum_competitors=data["minimum_competitors"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect(skill)
    return render(
        request, "contests/skill_detail.html", _skill_context(request, skill, skill_form=form)
    )


@require_POST
def skill_scheme(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="manage")
    form = SchemeForm(request.POST)
    if form.is_valid():
        try:
            actions.set_scheme(by=request.user, skill=skill, aspects=form.cleaned_data["lines"])
        except ValidationError as error:
            form.add_error("lines", error)
        else:
            messages.success(request, _("The marking scheme is saved."))
            return redirect(skill)
    return render(
        request, "contests/skill_detail.html", _skill_context(request, skill, scheme_form=form)
    )


def _entrant_details(request: AuthedRequest, form: EntrantForm) -> actions.EntrantDetails:
    data = form.cleaned_data
    unit = None
    if data.get("unit_code"):
        unit = get_unit_by_credit_code_for_user(request.user, data["unit_code"])
        if unit is None:
            raise ValidationError(
                {"unit_code": _("No employer unit with this credit code within your scope.")}
            )
    return actions.EntrantDetails(
        number=data["number"],
        identity_number=data["identity_number"],
        name=data["name"],
        unit=unit,
        union=data.get("union"),
    )


@require_POST
def competitor_add(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="manage")
    unions = entrant_unions(request.user)
    form = EntrantForm(request.POST, allowed_orgs=unions, prefix="c")
    if form.is_valid():
        try:
            competitor = actions.register_competitor(
                by=request.user, skill=skill, details=_entrant_details(request, form)
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request, _("Competitor %(name)s registered.") % {"name": competitor.person.name}
            )
            return redirect(skill)
    return render(
        request, "contests/skill_detail.html", _skill_context(request, skill, competitor_form=form)
    )


def _judge_account(request: AuthedRequest, username: str) -> Any:
    if not username.strip():
        return None
    account = linkable_account(request.user, username)
    if account is None:
        raise ValidationError(
            {"account": _("No account %(name)s within your scope.") % {"name": username}}
        )
    return account


@require_POST
def judge_add(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="manage")
    unions = entrant_unions(request.user)
    form = JudgeForm(request.POST, allowed_orgs=unions, prefix="j")
    if form.is_valid():
        try:
            judge = actions.add_judge(
                by=request.user,
                skill=skill,
                details=_entrant_details(request, form),
                is_chief=form.cleaned_data["is_chief"],
                user=_judge_account(request, form.cleaned_data.get("account", "")),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Judge %(name)s added.") % {"name": judge.person.name})
            return redirect(skill)
    return render(
        request, "contests/skill_detail.html", _skill_context(request, skill, judge_form=form)
    )


@require_POST
def skill_sign_off(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="sign_off")
    try:
        actions.sign_off_skill(by=request.user, skill=skill)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The marks are signed off and locked."))
    return redirect(skill)


@require_POST
def skill_reopen(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="sign_off")
    form = ReopenForm(request.POST)
    try:
        actions.reopen_skill(
            by=request.user,
            skill=skill,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The sign-off is withdrawn; marks can be corrected."))
    return redirect(skill)


def mark_grid(request: AuthedRequest, pk: int) -> HttpResponse:
    skill = get_skill_for_user(request.user, pk, action="manage")
    grid = Grid.build(SkillSheet.load(skill), request.GET.get("sheet", MEASUREMENT_SHEET))
    return render(
        request, "contests/mark_grid.html", {"skill": skill, "contest": skill.contest, "grid": grid}
    )


@require_POST
def mark_cell(request: AuthedRequest, pk: int, competitor: int, aspect: int) -> HttpResponse:
    """Save one cell; answer the cell again, with the value typed and the reason if refused."""
    skill = get_skill_for_user(request.user, pk, action="manage")
    found = (
        skill.competitors.select_related("person", "unit", "union").filter(pk=competitor).first()
    )
    the_aspect = skill.aspects.filter(pk=aspect).first()
    judge: Judge | None = None
    judge_id = request.POST.get("judge", "")
    if judge_id:
        judge = (
            skill.judges.select_related("person", "unit", "union")
            .filter(pk=whole_number(judge_id, ID) or 0)
            .first()
        )
        if judge is None:
            raise Http404
    if found is None or the_aspect is None:
        raise Http404
    value = request.POST.get("value", "")[:20]
    error = ""
    try:
        actions.enter_mark(
            by=request.user,
            skill=skill,
            competitor=found,
            aspect=the_aspect,
            judge=judge,
            value=value,
        )
    except ValidationError as refused:
        error = " ".join(refused.messages)
    sheet = SkillSheet.load(skill)
    cell = Grid.cell_for(sheet, found, the_aspect, judge, typed=value, error=error)
    return render(request, "contests/mark_grid.html#cell", {"skill": skill, "cell": cell})


def skill_results(request: AuthedRequest, pk: int) -> HttpResponse:
    skill = get_skill_for_user(request.user, pk)
    sheet = SkillSheet.load(skill)
    return render(
        request,
        "contests/skill_results.html",
        {"skill": skill, "contest": skill.contest, "sheet": sheet, "lines": result_lines(sheet)},
    )


def contest_results(request: AuthedRequest, code: str) -> HttpResponse:
    contest = get_contest_for_user(request.user, code)
    results = ContestResults.load(contest)
    return render(
        request, "contests/contest_results.html", {"contest": contest, "results": results}
    )


def _export_audit(request: AuthedRequest, contest: Any, what: str) -> None:
    audit.record(
        action="contest.results.export",
        by=request.user,
        obj=contest,
        extra={"format": what},
    )


def results_export(request: AuthedRequest, code: str, format: str) -> HttpResponseBase:
    contest = get_contest_for_user(request.user, code, action="export")
    rows = list(result_rows(ContestResults.load(contest)))
    _export_audit(request, contest, format)
    filename = f"{contest.code}-results.{format}"
    if format == "xlsx":
        return xlsx_response(rows, RESULT_HEADERS, filename=filename)
    return csv_response(rows, RESULT_HEADERS, filename=filename)


def results_document(request: AuthedRequest, code: str) -> HttpResponseBase:
    """The results list as a PDF to post: the skills signed off by their chief judges."""
    contest = get_contest_for_user(request.user, code, action="export")
    try:
        pdf = results_list_pdf(contest, ContestResults.load(contest), today=timezone.localdate())
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect(contest)
    if pdf is None:
        messages.error(request, _("No skill of this contest is signed off yet."))
        return redirect(contest)
    _export_audit(request, contest, "results:pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{contest.name}成绩公布表.pdf") or "attachment"
    )
    return response


def _certificates(
    request: AuthedRequest, contest: Any, sheets: list[SkillSheet], name: str
) -> HttpResponseBase:
    signed = [sheet for sheet in sheets if sheet.skill.is_signed_off]
    lines = [line for sheet in signed for line in sheet.lines if line.award]
    if not lines:
        messages.error(
            request,
            _(
                "No certificates yet: they are issued for medals and awards of skills signed off by the chief judge."
            ),
        )
        return redirect(request.META.get("HTTP_REFERER") or contest.get_absolute_url())
    try:
        pdf = render_certificates(contest, lines)
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect(contest)
    _export_audit(request, contest, f"certificates:{name}")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{name}-certificates.pdf") or "attachment"
    )
    return response


def contest_certificates(request: AuthedRequest, code: str) -> HttpResponseBase:
    contest = get_contest_for_user(request.user, code, action="export")
    return _certificates(request, contest, ContestResults.load(contest).sheets, contest.code)


def skill_certificates(request: AuthedRequest, pk: int) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="export")
    return _certificates(
        request, skill.contest, [SkillSheet.load(skill)], f"{skill.contest.code}-{skill.code}"
    )


@require_POST
def entrant_remove(request: AuthedRequest, pk: int, kind: str, number: str) -> HttpResponseBase:
    skill = get_skill_for_user(request.user, pk, action="manage")
    people = skill.competitors if kind == "competitor" else skill.judges
    entrant = people.select_related("person").filter(number=number).first()
    if entrant is None:
        raise Http404
    form = ReopenForm(request.POST)
    try:
        removed = actions.remove_entrant(
            by=request.user,
            entrant=entrant,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is taken off the skill; %(count)d marks removed.")
            % {"name": entrant.person.name, "count": removed},
        )
    return redirect(skill)
