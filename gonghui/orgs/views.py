from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.http import AuthedRequest
from gonghui.accounts.models import BUSINESS_ROLES, Role
from gonghui.core import workbench
from gonghui.core.forms import add_validation_errors
from gonghui.core.tables import paginate, query_without, sort
from gonghui.orgs import actions
from gonghui.orgs.forms import MoveForm, OrganisationForm, UnitForm
from gonghui.orgs.models import Organisation, OrgType
from gonghui.orgs.permissions import (
    can,
    get_org_for_user,
    get_org_to_move_for_user,
    get_unit_for_user,
    orgs_for_action,
    scope,
    visible_orgs,
    visible_units,
)

ORG_COLUMNS = {
    "code": "code",
    "name": "name",
    "type": "type",
    "tree": "path",
    "updated": "updated_at",
}


def _breadcrumbs(request: AuthedRequest, org: Organisation) -> list[Organisation]:
    """The ancestors the user may see, from their top organisation down."""
    reach = scope(request.user, BUSINESS_ROLES)
    return [a for a in Organisation.objects.ancestors(org) if reach.contains(a)]


def org_list(request: AuthedRequest) -> HttpResponse:
    orgs = visible_orgs(request.user).select_related("parent")
    q = request.GET.get("q", "")
    org_type = request.GET.get("type", "")
    parent_code = request.GET.get("parent", "").strip()
    orgs = orgs.filtered(q=q, org_type=org_type, parent=parent_code)
    ordered, sorting = sort(request, orgs, ORG_COLUMNS, "tree")
    page = paginate(request, ordered)
    context = {
        "page": page,
        "q": q,
        "type": org_type,
        "parent": parent_code,
        "types": OrgType.choices,
        "sorting": sorting,
        "querystring": query_without(request, "page"),
        "sortquery": query_without(request, "page", "sort"),
        "can_import": orgs_for_action(request.user, "import").exists(),
    }
    if request.htmx:
        return render(request, "orgs/org_list.html#results", context)
    return render(request, "orgs/org_list.html", context)


def org_detail(request: AuthedRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code)
    children = org.children.annotate(n_children=Count("children")).order_by("code")
    page = paginate(request, children)
    context = {
        "org": org,
        "breadcrumbs": _breadcrumbs(request, org),
        "page": page,
        "subtree_count": Organisation.objects.subtree(org).count() - 1,
        "units": org.units.order_by("name")[:20],
        "unit_count": org.units.count(),
        "can_edit": can(request.user, org, "edit"),
        "querystring": query_without(request, "page"),
    }
    if request.htmx:
        return render(request, "orgs/org_detail.html#children", context)
    context["figures"] = workbench.figures_for(request.user, org)
    return render(request, "orgs/org_detail.html", context)


def org_create(request: AuthedRequest, code: str) -> HttpResponse:
    parent = get_org_for_user(request.user, code, action="create_child")
    form = OrganisationForm(request.POST or None, initial={"type": OrgType.GRASSROOTS})
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.create_organisation(
                by=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                org_type=form.cleaned_data["type"],
                parent=parent,
                division_code=form.cleaned_data["division_code"],
                credit_code=form.cleaned_data["credit_code"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": org.name})
            return redirect(org)
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "parent": parent, "breadcrumbs": [*_breadcrumbs(request, parent), parent]},
    )


def org_edit(request: AuthedRequest, code: str) -> HttpResponse:
    org = get_org_for_user(request.user, code, action="edit")
    initial = {
        "code": org.code,
        "name": org.name,
        "type": org.type,
        "division_code": org.division_code,
        "credit_code": org.credit_code,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation(
                by=request.user,
                org=org,
                name=form.cleaned_data["name"],
                org_type=form.cleaned_data["type"],
                division_code=form.cleaned_data["division_code"],
                credit_code=form.cleaned_data["credit_code"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(org)
    return render(
        request,
        "orgs/org_form.html",
        {"form": form, "org": org, "breadcrumbs": [*_breadcrumbs(request, org), org]},
    )


def org_move(request: AuthedRequest, code: str) -> HttpResponse:
    org = get_org_to_move_for_user(request.user, code)
    form = MoveForm(
        request.POST or None, allowed_orgs=orgs_for_action(request.user, "create_child")
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = actions.move_organisation(
                by=request.user, org=org, new_parent=form.cleaned_data["new_parent"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Moved %(n)d organisations.") % {"n": moved})
            return redirect(org)
    return render(
        request,
        "orgs/org_move.html",
        {
            "form": form,
            "org": org,
            "breadcrumbs": [*_breadcrumbs(request, org), org],
            "subtree_count": Organisation.objects.subtree(org).count(),
        },
    )


UNIT_COLUMNS = {"name": "name", "credit_code": "credit_code", "organisation": "organisation__path"}


def unit_list(request: AuthedRequest) -> HttpResponse:
    units = visible_units(request.user).select_related("organisation")
    q = request.GET.get("q", "")
    org_code = request.GET.get("organisation", "").strip()
    units = units.matching(q)
    if org_code:
        units = units.filter(organisation__code=org_code)
    ordered, sorting = sort(request, units, UNIT_COLUMNS, "name")
    page = paginate(request, ordered)
    context = {
        "page": page,
        "q": q,
        "organisation": org_code,
        "sorting": sorting,
        "querystring": query_without(request, "page"),
        "sortquery": query_without(request, "page", "sort"),
        "can_create": orgs_for_action(request.user, "edit").exists(),
    }
    if request.htmx:
        return render(request, "orgs/unit_list.html#results", context)
    return render(request, "orgs/unit_list.html", context)


def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "can_edit": can(request.user, unit.organisation, "edit"),
            "breadcrumbs": [*_breadcrumbs(request, unit.organisation), unit.organisation],
        },
    )


def unit_create(request: AuthedRequest) -> HttpResponse:
    allowed = orgs_for_action(request.user, "edit")
    form = UnitForm(
        request.POST or None,
        allowed_orgs=allowed,
        initial={"organisation": request.GET.get("organisation", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.create_unit(
                by=request.user,
                name=form.cleaned_data["name"],
                credit_code=form.cleaned_data["credit_code"],
                organisation=form.cleaned_data["organisation"],
                division_code=form.cleaned_data["division_code"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": unit.name})
            return redirect(unit)
    return render(request, "orgs/unit_form.html", {"form": form})


def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, action="edit")
    allowed = orgs_for_action(request.user, "edit")
    initial = {
        "name": unit.name,
        "credit_code": unit.credit_code,
        "organisation": unit.organisation.code,
        "division_code": unit.division_code,
    }
    form = UnitForm(request.POST or None, allowed_orgs=allowed, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_unit(
                by=request.user,
                unit=unit,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
                division_code=form.cleaned_data["division_code"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(unit)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit})


# the role sets a picker may search in (the form still checks the choice)
PICKER_REACH = {"business": BUSINESS_ROLES, "security": frozenset({Role.SECURITY})}
PICKER_SIZE = 20


def organisation_choices(request: AuthedRequest) -> HttpResponse:
    """The organisations of the user's scope whose code starts with, or name holds, what is
    typed: the options of an organisation picker."""
    text = request.GET.get(request.GET.get("field", ""), "").strip()[:64]
    roles = PICKER_REACH.get(request.GET.get("reach", ""), BUSINESS_ROLES)
    found = Organisation.objects.filter(scope(request.user, roles).q())
    if text:
        found = found.filter(Q(code__istartswith=text) | Q(name__icontains=text))
    options = found.order_by("path")[:PICKER_SIZE]
    return render(request, "orgs/org_choices.html", {"options": options})


def unit_choices(request: AuthedRequest) -> HttpResponse:
    """Employer units of the user's scope by the start of the credit code or part of the name."""
    text = request.GET.get(request.GET.get("field", ""), "").strip()[:64]
    found = visible_units(request.user)
    if text:
        found = found.filter(Q(credit_code__istartswith=text) | Q(name__icontains=text))
    options = found.select_related("organisation").order_by("name")[:PICKER_SIZE]
    return render(request, "orgs/unit_choices.html", {"options": options})
