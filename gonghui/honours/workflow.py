"""The nomination's transition table: from draft to approved, one level at a time.

draft → submitted (under review at the first level) → … each level approves and sends up,
returns with a reason, or rejects with a reason … → shortlisted → in public notice
(→ objection under investigation → back to notice, or withdrawn) → committee vote →
approved / not approved. Withdrawal is possible from any live state, with a reason.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.types import Actor
from gonghui.core.workflow import Context, Transition, Workflow
from gonghui.honours import lists
from gonghui.honours.compliance import broken
from gonghui.honours.models import FINAL_STATES, Clearance, Nomination
from gonghui.honours.models import NominationStatus as S
from gonghui.honours.permissions import nomination_roles

NOMINATOR = frozenset({"nominator"})
REVIEWER = frozenset({"reviewer"})
ORGANISER = frozenset({"organiser"})
PUBLIC = frozenset({"public"})


def _has_record(n: Nomination, c: Context) -> str | None:
    if not n.democratic_record.strip():
        return _("Record the democratic recommendation (职代会 or 职工大会) first.")
    return None


def _within_nominating_quota(n: Nomination, c: Context) -> str | None:
    quota = lists.quota_of(n.campaign, n.organisation)
    if quota is None:
        return None
    used = (
        Nomination.objects.in_campaign(n.campaign)
        .filter(organisation=n.organisation)
        .exclude(status__in=[S.DRAFT, S.RETURNED, *FINAL_STATES])
        .exclude(pk=n.pk)
        .count()
    )
    if used + 1 > quota:
        return _("%(org)s has a quota of %(quota)s and has already submitted %(used)s.") % {
            "org": n.organisation.name,
            "quota": quota,
            "used": used,
        }
    return None


def _within_reviewer_quota(n: Nomination, c: Context) -> str | None:
    if n.reviewer is None:
        return None
    quota = lists.quota_of(n.campaign, n.reviewer)
    if quota is None:
        return None
    sent = len(lists.sent_up_from(n.campaign, n.reviewer))
    if sent + 1 > quota:
        return _("The quota of %(org)s is %(quota)s and %(sent)s are already sent up.") % {
            "org": n.reviewer.name,
            "quota": quota,
            "sent": sent,
        }
    return None


def _list_complies(n: Nomination, c: Context) -> str | None:
    if n.reviewer is None:
        return None
    figures = lists.figures_at(n.campaign, n.reviewer)
    bad = broken(figures)
    if not bad or lists.is_justified(n.campaign, n.reviewer, figures):
        return None
    names = "; ".join(f"{f.describe()} ({_('now')} {f.percent}%)" for f in bad)
    return _(
        "The list at %(org)s breaks a proportion rule: %(rules)s. Change the list, or record "
        "a written justification."
    ) % {"org": n.reviewer.name, "rules": names}


def _is_last_level(n: Nomination, c: Context) -> str | None:
    if n.level + 1 < len(n.review_chain):
        return _("This nomination still has levels to pass; send it up instead.")
    return None


def _is_not_last_level(n: Nomination, c: Context) -> str | None:
    if n.level + 1 >= len(n.review_chain):
        return _("This is the last level; shortlist the nomination instead.")
    return None


def _heads_cleared(n: Nomination, c: Context) -> str | None:
    if n.person is None or not n.person.is_enterprise_head:
        return None
    cleared = set(
        Clearance.objects.filter(nomination=n, is_cleared=True).values_list("kind", flat=True)
    )
    missing = [kind for kind in n.campaign.clearance_types if kind not in cleared]
    if missing:
        return _("An enterprise head needs these clearances first: %(missing)s.") % {
            "missing": "、".join(missing)
        }
    return None


def _notice_open(n: Nomination, c: Context) -> str | None:
    if not n.campaign.is_notice_open(timezone.localdate()):
        return _("The public notice for this campaign is closed.")
    return None


def _notice_ended(n: Nomination, c: Context) -> str | None:
    if not n.campaign.has_notice_ended(timezone.localdate()):
        return _("The public notice has not ended yet (it ends on %(day)s).") % {
            "day": n.campaign.notice_ends or "—"
        }
    return None


def _no_open_objection(n: Nomination, c: Context) -> str | None:
    if n.objections.open().exists():
        return _("An objection against this nominee is still under investigation.")
    return None


def _vote_passes(n: Nomination, c: Context) -> str | None:
    if not c.data.get("passed"):
        return _("The vote did not reach the pass threshold.")
    return None


def _vote_fails(n: Nomination, c: Context) -> str | None:
    if c.data.get("passed"):
        return _("The vote reached the pass threshold.")
    return None


def _start_review(n: Nomination, c: Context) -> list[str]:
    n.review_chain = [org.pk for org in lists.review_chain(n.campaign, n.organisation)]
    n.level = 0
    n.reviewer_id = n.review_chain[0]
    return ["review_chain", "level", "reviewer"]


def _send_up(n: Nomination, c: Context) -> list[str]:
    n.level += 1
    n.reviewer_id = n.review_chain[n.level]
    return ["level", "reviewer"]


def _leave_review(n: Nomination, c: Context) -> list[str]:
    n.reviewer = None
    n.last_reason = c.reason
    return ["reviewer", "last_reason"]


def _count_votes(n: Nomination, c: Context) -> list[str]:
    n.votes_yes, n.votes_no, n.votes_abstain = c.data["tally"]
    return ["votes_yes", "votes_no", "votes_abstain"]


LIVE = frozenset(S.values) - FINAL_STATES

NOMINATION_FLOW: Workflow[Nomination, Actor] = Workflow(
    model=Nomination,
    roles_of=nomination_roles,
    audit_prefix="nomination",
    transitions=[
        Transition(
            name="submit",
            sources=frozenset({S.DRAFT, S.RETURNED}),
            target=S.SUBMITTED,
            roles=NOMINATOR,
            guards=(_has_record, _within_nominating_quota),
            effect=_start_review,
        ),
        Transition(
            name="send_up",
            sources=frozenset({S.SUBMITTED}),
            target=S.SUBMITTED,
            roles=REVIEWER,
            guards=(_is_not_last_level, _within_reviewer_quota, _list_complies),
            effect=_send_up,
        ),
        Transition(
            name="shortlist",
            sources=frozenset({S.SUBMITTED}),
            target=S.SHORTLISTED,
            roles=REVIEWER,
            guards=(_is_last_level, _heads_cleared, _within_reviewer_quota, _list_complies),
            effect=_leave_review,
        ),
        Transition(
            name="return",
            sources=frozenset({S.SUBMITTED}),
            target=S.RETURNED,
            roles=REVIEWER,
            needs_reason=True,
            effect=_leave_review,
        ),
        Transition(
            name="reject",
            sources=frozenset({S.SUBMITTED}),
            target=S.REJECTED,
            roles=REVIEWER,
            needs_reason=True,
            effect=_leave_review,
        ),
        Transition(
            name="publish",
            sources=frozenset({S.SHORTLISTED}),
            target=S.IN_NOTICE,
            roles=ORGANISER,
        ),
        Transition(
            name="object",
            sources=frozenset({S.IN_NOTICE}),
            target=S.OBJECTION,
            roles=PUBLIC,
            guards=(_notice_open,),
        ),
        Transition(
            name="keep",
            sources=frozenset({S.OBJECTION}),
            target=S.IN_NOTICE,
            roles=NOMINATOR | ORGANISER,
            guards=(_no_open_objection,),
        ),
        Transition(
            name="to_vote",
            sources=frozenset({S.IN_NOTICE}),
            target=S.VOTING,
            roles=ORGANISER,
            guards=(_notice_ended, _no_open_objection),
        ),
        Transition(
            name="approve",
            sources=frozenset({S.VOTING}),
            target=S.APPROVED,
            roles=ORGANISER,
            guards=(_no_open_objection, _vote_passes),
            effect=_count_votes,
        ),
        Transition(
            name="not_approve",
            sources=frozenset({S.VOTING}),
            target=S.NOT_APPROVED,
            roles=ORGANISER,
            guards=(_vote_fails,),
            effect=_count_votes,
        ),
        Transition(
            name="withdraw",
            sources=LIVE,
            target=S.WITHDRAWN,
            roles=NOMINATOR | ORGANISER,
            needs_reason=True,
            effect=_leave_review,
        ),
    ],
)
