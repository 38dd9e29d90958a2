"""The audit actions of the roster: people, memberships, imports and exports, with the labels the trail shows."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "person.create": _("Person registered"),
    "person.update": _("Person changed"),
    "person.reveal": _("Personal data shown in full"),
    "person.search_exact": _("Searched by a full identity number or mobile"),
    "membership.join": _("Joined a union"),
    "membership.transfer": _("Membership transferred"),
    "membership.end": _("Membership ended"),
    "member.import.start": _("Roster import started"),
    "member.import.chunk": _("Roster import: a chunk written"),
    "member.import": _("Roster imported"),
    "member.import.rollback": _("Roster import rolled back"),
    "member.export": _("Roster exported"),
}
