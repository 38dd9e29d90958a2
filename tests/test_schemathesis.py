"""Schemathesis over the API's own OpenAPI document, as a federation and a grassroots officer.

Each generated request is sent twice, with the federation officer's token and with the
grassroots officer's, in-process to the WSGI application inside the test's transaction: what
the requests write stays in the test database and is rolled back. Half of the requests aim at
rows that exist (a campaign, a nomination, an honouree, a contest and its skill, a member),
so that the operations are tried past their 404; the other half keep the generated ids.
Generation is derandomised with a fixed seed: the same cases every run.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import negative_data_rejection
from schemathesis.config import SchemathesisConfig

from gonghui.honours.models import BenefitEntry, Honouree
from gonghui.site.api import api
from gonghui.wsgi import application
from tests.conftest import api_token, bearer
from tests.contests.conftest import SIMPLE
from tests.contests.factories import add_competitor, add_judge, make_contest, make_skill
from tests.honours.conftest import make_honours, member, nominate

pytestmark = pytest.mark.django_db

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261203,
        "generation": {
            "max-examples": 8,
            "deterministic": True,
            "database": "none",
            # each case is sent with the officers' tokens (and the check of ignored
            # authentication sends it once without)
            "with-security-parameters": False,
        },
        "phases": {
            # the API declares no links between operations; the seeded rows stand in for them
            "stateful": {"enabled": False},
            # a parameter given twice is refused like any malformed one (OneValueParser)
            "coverage": {"generate-duplicate-query-parameters": False},
        },
        "checks": {
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
            # The rules refuse some requests the schema allows (a page past the last row, a
            # quota beyond the parent's) with a 400 or 422 that says why.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)

TOKENS = {"federation officer": "fed", "grassroots officer": "dave"}


@contextmanager
def _in_process() -> Iterator[None]:
    # As Django's test client does: the end of a request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class Seeded:
    """Rows the generated requests may hit, and the tokens to send them with."""

    tokens: dict[str, str]
    values: dict[str, Any]
    turn: Iterator[int]

    def aim(self, case: Any) -> None:
        """Every other case: put existing rows in the path instead of the generated ones."""
        if next(self.turn) % 2:
            return
        for name in case.path_parameters or {}:
            key = f"contest.{name}" if case.path.startswith("/api/v1/contests") else name
            if key in self.values:
                case.path_parameters[name] = self.values[key]


@pytest.fixture
def seeded(world: Any) -> Seeded:
    honours = make_honours(world)
    person = member(world.gr_a1, "王师傅")
    nomination = nominate(world, honours, person)
    honouree = Honouree.objects.create(
        name="王师傅",
        organisation=world.gr_a1,
        kind=honours.kind,
        level=honours.kind.level,
        year=2020,
        person=person,
    )
    BenefitEntry.objects.create(honouree=honouree, kind="award", on=date(2026, 5, 1))
    contest = make_contest(world.county_a)
    skill = make_skill(contest, scheme=SIMPLE)
    add_competitor(skill, 1)
    add_judge(skill, 1, is_chief=True)
    membership = person.memberships.get()
    return Seeded(
        tokens={who: api_token(username) for who, username in TOKENS.items()},
        values={
            "code": world.gr_a1.code,
            "organisation_code": world.gr_a1.code,
            "pk": person.unit_id,
            "person_id": person.pk,
            "membership_id": membership.pk,
            "campaign_id": honours.campaign.pk,
            "nomination_id": nomination.pk,
            "honouree_id": honouree.pk,
            "level": "regional",
            "day": "2026-10-01",
            "contest.code": contest.code,
            "skill_id": skill.pk,
            "number": "C001",
        },
        turn=itertools.count(),
    )


def _schema() -> Any:
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
    loaded.app = application
    return loaded


schema = _schema()


def _excluded(case: Any) -> list[Any]:
    """A multipart form carries text only: a "negative" value generated for a text field (False,
    12) arrives as the text "False" or "12", which the field rightly takes."""
    if (case.media_type or "").startswith("multipart/"):
        return [negative_data_rejection]
    return []


@pytest.mark.slow
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_answers_every_request_within_its_schema(case: Any, seeded: Seeded) -> None:
    seeded.aim(case)
    with _in_process():
        for who, token in seeded.tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            response = case.call(headers=headers)
            try:
                case.validate_response(response, headers=headers, excluded_checks=_excluded(case))
            except Exception as failure:
                failure.add_note(f"as the {who}")
                raise


def test_the_served_document_is_the_one_tested(world: Any) -> None:
    served = bearer(api_token("dave")).get("/api/v1/openapi.json")
    assert served.status_code == 200
    tested = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    assert served.json() == tested
