"""The honours API's one public door: filing an objection to a nominee on an open public
notice, without signing in, under the same rate limit as the notice page's form."""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from gonghui.accounts.http import AuthedRequest
from gonghui.core.api_schemas import Id, answers
from gonghui.honours import actions
from gonghui.honours.public import (
    TOO_MANY_OBJECTIONS,
    nomination_open_to_objection,
    too_many_objections_from,
)
from gonghui.honours.schemas import ObjectionFiledOut, ObjectionIn

router = Router(tags=["honours"])


@router.post(
    "/public/notices/nominations/{nomination_id}/objections",
    auth=None,
    response=answers({201: ObjectionFiledOut}, 400, 404, 429, public=True),
    summary=(
        "Object to a nominee in public notice (no sign-in; the name is optional and kept "
        "confidential; a few reports an hour from one address)"
    ),
)
def file_objection(request: AuthedRequest, nomination_id: Id, payload: ObjectionIn) -> Any:
    nomination = nomination_open_to_objection(nomination_id)
    if too_many_objections_from(request):
        raise HttpError(429, str(TOO_MANY_OBJECTIONS))
    actions.file_objection(
        nomination=nomination,
        reporter=payload.reporter,
        contact=payload.contact,
        facts=payload.facts,
    )
    return 201, {
        "filed": True,
        "message": _(
            "Thank you. Your report has been passed to the nominating union, which will "
            "investigate it and record a written conclusion. Your name and contact are kept "
            "confidential."
        ),
    }
