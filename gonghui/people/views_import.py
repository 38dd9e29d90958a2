"""The batches of roster imports: their list, a batch's page, and its roll-back (the import
itself is on the one import lifecycle: `people.imports`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.http import AuthedRequest
from gonghui.orgs.permissions import orgs_for_action
from gonghui.people.importing.rollback import RollbackRefused, roll_back_batch
from gonghui.people.models import BatchStatus
from gonghui.people.permissions import get_batch_for_user, visible_batches


def batch_list(request: AuthedRequest) -> HttpResponse:
    batches = visible_batches(request.user).select_related("union", "created_by")[:100]
    return render(request, "people/batch_list.html", {"batches": batches})


def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    can_roll_back = (
        batch.status != BatchStatus.ROLLED_BACK
        and orgs_for_action(request.user, "import").filter(pk=batch.union_id).exists()
    )
    return render(
        request, "people/batch_detail.html", {"batch": batch, "can_roll_back": can_roll_back}
    )


@require_POST
def batch_roll_back(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk, action="roll_back")
    try:
        summary = roll_back_batch(batch=batch, by=request.user)
    except RollbackRefused as refused:
        messages.error(
            request,
            _("This import cannot be rolled back: %(reasons)s")
            % {"reasons": " ".join(refused.reasons)},
        )
    else:
        messages.success(
            request,
            _(
                "Rolled back: %(removed)d people and %(memberships)d memberships removed, %(restored)d people restored."
            )
            % {
                "removed": summary["people_removed"],
                "memberships": summary["memberships_removed"],
                "restored": summary["people_restored"],
            },
        )
    return redirect(batch)
