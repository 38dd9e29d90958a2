"""The audit actions of the organisation tree, employer units and the demo, with the labels the trail shows."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "org.create": _("Organisation created"),
    "org.update": _("Organisation changed"),
    "org.move": _("Organisation moved"),
    "org.import": _("Organisations imported"),
    "org.export": _("Organisations exported"),
    "unit.create": _("Employer unit registered"),
    "unit.update": _("Employer unit changed"),
    "demo.load": _("Demo data loaded"),
}
