"""The audit actions of labour and skills competitions, with the labels the trail shows."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "contest.create": _("Contest opened"),
    "contest.update": _("Contest changed"),
    "contest.skill.create": _("Skill added"),
    "contest.skill.update": _("Skill changed"),
    "contest.scheme.set": _("Marking scheme set"),
    "contest.competitor.register": _("Competitor registered"),
    "contest.competitor.update": _("Competitor changed"),
    "contest.competitor.remove": _("Competitor withdrawn"),
    "contest.judge.add": _("Judge added"),
    "contest.judge.update": _("Judge changed"),
    "contest.judge.remove": _("Judge taken off the skill"),
    "contest.mark.enter": _("Marks entered"),
    "contest.mark.correct": _("Marks corrected"),
    "contest.mark.remove": _("Marks removed"),
    "contest.mark.divergence_flagged": _("Divergent judgement scores flagged"),
    "contest.mark.divergence_resolved": _("Divergence resolved"),
    "contest.skill.sign_off": _("Marks signed off by the chief judge"),
    "contest.skill.reopen": _("Marks reopened"),
    "contest.results.export": _("Results exported"),
}
