"""The audit actions of worker services, with the labels the trail shows."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "hardship.create": _("Hardship file opened (draft)"),
    "hardship.update": _("Hardship file changed"),
    "hardship.member_add": _("Household member added"),
    "hardship.member_remove": _("Household member removed"),
    "hardship.submit": _("Hardship file submitted for approval"),
    "hardship.approve": _("Hardship file approved"),
    "hardship.return": _("Hardship file returned for changes"),
    "hardship.close": _("Hardship file closed"),
    "hardship.assist": _("Assistance recorded"),
    "hardship.export": _("Hardship files exported"),
    "hardship.import": _("Hardship file imported"),
    "hardship.visit": _("Household visit recorded"),
    "hardship.import_undo": _("Imported hardship file removed (import rolled back)"),
}
