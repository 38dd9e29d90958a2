from datetime import datetime
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from gonghui.accounts import actions
from gonghui.accounts.api_auth import BearerToken
from gonghui.accounts.http import AuthedRequest
from gonghui.accounts.models import ApiToken
from gonghui.core.api_schemas import Input, answers
from gonghui.orgs.permissions import assignments

router = Router(tags=["authentication"])


class Credentials(Input):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    # the authenticator's code (or a recovery code), for an account with two-step verification
    otp: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=64)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class AssignmentOut(Schema):
    organisation_code: str
    organisation_name: str
    role: str


class MeOut(Schema):
    username: str
    full_name: str
    organisation_code: str | None
    assignments: list[AssignmentOut]


@router.post(
    "/auth/token",
    auth=None,
    response=answers({200: TokenOut}, 400, 401, 403, 429, public=True),
    summary="Exchange a username and password for a bearer token",
)
def obtain_token(request: AuthedRequest, payload: Credentials) -> Any:
    try:
        user = actions.check_credentials(
            request=request, username=payload.username, password=payload.password
        )
    except actions.AddressLocked as held:
        raise HttpError(
            429,
            f"too many failed sign-ins from this address: it waits until {held.until.isoformat()}",
        ) from None
    except actions.AccountLocked as locked:
        raise HttpError(
            429, f"account locked after repeated failed sign-ins until {locked.until.isoformat()}"
        ) from None
    if user is None:
        raise HttpError(401, "wrong username or password")
    if actions.has_second_factor(user):
        try:
            actions.verify_second_factor(user=user, code=payload.otp)
        except actions.SecondFactorRefused as refused:
            status = 429 if refused.throttled_until else 401
            raise HttpError(status, "two-step verification: give the code as otp") from None
    elif actions.second_factor_needed(user):
        raise HttpError(403, "set up two-step verification in the web first")
    actions.record_sign_in(user=user, via="api")
    issued = actions.issue_api_token(user=user, name=payload.name or "API")
    return {"token": issued.raw, "expires_at": issued.token.expires_at}


@router.delete(
    "/auth/token",
    auth=BearerToken(),
    response=answers({204: None}),
    summary="Revoke the token used for this call",
)
def revoke_token(request: AuthedRequest) -> Any:
    raw = request.headers.get("Authorization", "").split(" ", 1)[-1]
    from gonghui.accounts.models import hash_token

    token = ApiToken.objects.get(key_hash=hash_token(raw))
    actions.revoke_api_token(by=request.user, token=token)
    return 204, None


@router.get("/me", response=answers({200: MeOut}), summary="Who you are and the roles you hold")
def me(request: AuthedRequest) -> Any:
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "organisation_code": user.organisation.code if user.organisation else None,
        "assignments": [
            {
                "organisation_code": a.organisation.code,
                "organisation_name": a.organisation.name,
                "role": a.role,
            }
            for a in assignments(user)
        ],
    }
