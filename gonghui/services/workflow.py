"""The hardship file's transition table.

draft → submitted (by the keeping union) → approved, or returned with a reason (by an officer of
a county-level union or above over it) → … → closed with a reason (脱困, 退休, 调离, 去世).
A draft or a returned file may also be closed (the worker retired or died before approval).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.core.workflow import Context, Transition, Workflow
from gonghui.services.eligibility import assess
from gonghui.services.models import CloseReason, FileStatus, HardshipFile, Tier
from gonghui.services.permissions import file_roles

S = FileStatus
KEEPER = frozenset({"keeper"})
APPROVER = frozenset({"approver"})


def _eligible(file: HardshipFile, context: Context) -> str | None:
    """Refuse a household the formula finds not eligible, with the figure that decided it."""
    assessment = assess(
        finances=file.finances(),
        household_size=file.household_size,
        dibao_line=file.dibao_line,
        cause=file.cause,
    )
    if assessment.tier == Tier.INELIGIBLE:
        return assessment.explanation
    return None


def _has_reason_code(file: HardshipFile, context: Context) -> str | None:
    if context.data.get("close_reason") not in CloseReason.values:
        return _("Choose why the file is closed.")
    return None


def _record_approval(file: HardshipFile, context: Context) -> list[str]:
    file.approved_at = timezone.now()
    file.last_reason = context.reason
    return ["approved_at", "last_reason"]


def _record_return(file: HardshipFile, context: Context) -> list[str]:
    file.last_reason = context.reason
    return ["last_reason"]


def _record_closing(file: HardshipFile, context: Context) -> list[str]:
    file.close_reason = context.data["close_reason"]
    file.closed_at = timezone.now()
    # the household leaves the register: its people may be filed again
    file.members.update(is_open=False)
    return ["close_reason", "closed_at"]


HARDSHIP_FLOW: Workflow[HardshipFile, Actor] = Workflow(
    model=HardshipFile,
    roles_of=file_roles,
    audit_prefix="hardship",
    transitions=[
        Transition(
            name="submit",
            sources=frozenset({S.DRAFT, S.RETURNED}),
            target=S.SUBMITTED,
            roles=KEEPER,
            guards=(_eligible,),
        ),
        Transition(
            name="approve",
            sources=frozenset({S.SUBMITTED}),
            target=S.APPROVED,
            roles=APPROVER,
            guards=(_eligible,),
            effect=_record_approval,
        ),
        Transition(
            name="return",
            sources=frozenset({S.SUBMITTED}),
            target=S.RETURNED,
            roles=APPROVER,
            needs_reason=True,
            effect=_record_return,
        ),
        Transition(
            name="close",
            sources=frozenset({S.DRAFT, S.RETURNED, S.APPROVED}),
            target=S.CLOSED,
            roles=KEEPER | APPROVER,
            guards=(_has_reason_code,),
            effect=_record_closing,
        ),
    ],
)
