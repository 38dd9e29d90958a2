"""Fixed personas on a small tree, used across the suite.

region (federation)                      <- fed_officer, auditor, security
  ├── city_a (prefecture)                 <- city_officer, city_viewer
  │     ├── county_a (county)             <- county_officer
  │     │     ├── gr_a1 (grassroots)      <- grassroots_officer
  │     │     └── gr_a2 (grassroots)
  │     └── gr_a3 (grassroots)
  └── city_b (prefecture)
        └── gr_b1 (grassroots)            <- outsider (officer here: must see nothing of city_a)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from gonghui.accounts.actions import grant_role
from gonghui.accounts.models import Role, User
from gonghui.core import audit_actions, db_protection
from gonghui.orgs.actions import create_organisation
from gonghui.orgs.models import Organisation, OrgType

PASSWORD = "correct-horse-battery-staple"

# actions recorded only by the tests of the audit trail and of the workflow engine
TEST_ACTIONS = {
    "test.event": "Test event",
    "test.bulk": "Test events in bulk",
    "batch.finish": "Test batch finished",
    "batch.roll_back": "Test batch rolled back",
}
audit_actions.declare("tests", TEST_ACTIONS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest 9.2 builds a test's id from its function name and pytest's own parametrisation
    # only, so schemathesis's items (one per API operation) all get one id, and xdist's
    # loadgroup scheduling (make test, .ci/run) folds them into a single test. Give each
    # item whose id is shared the brackets its name already has: one test per operation.
    shared = Counter(item.nodeid for item in items)
    for item in items:
        _name, bracket, params = item.name.partition("[")
        if shared[item.nodeid] > 1 and bracket and item.id.params is None:
            item._id = item.id.with_params(params.removesuffix("]"))


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    # assertions read English messages unless a test switches language itself
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _checkpoint_log(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # each test its own audit checkpoint log, never the one under var/
    settings.AUDIT_CHECKPOINTS = tmp_path_factory.mktemp("audit") / "checkpoints.log"


@pytest.fixture(autouse=True)
def _strict_audit(settings: Any) -> None:
    # recording an action that no app declared fails the test that records it
    settings.AUDIT_STRICT = True


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    # Transactional tests flush every table between tests, which the audit trail's
    # append-only triggers refuse; tests that check the triggers install them again.
    with django_db_blocker.unblock():
        db_protection.remove(connection)


def api_token(username: str, password: str = PASSWORD) -> str:
    """A bearer token issued through the API's own token endpoint."""
    response = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def bearer(token: str, **options: Any) -> Client:
    """A client that sends the token with every request, as a script would."""
    return Client(headers={"Authorization": f"Bearer {token}"}, **options)


def signed_in(user: User, **options: Any) -> Client:
    """A client with the user's session, as after signing in (the sign-in form itself is
    tested in tests/accounts). Hypothesis test classes, which take no fixtures, call it
    directly."""
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.fixture
def client_for(db: Any) -> Callable[..., Client]:
    """`client_for(world.city_officer)`: a client signed in as that persona; keyword
    options go to the client (`raise_request_exception=False`, `enforce_csrf_checks=True`)."""
    return signed_in


def make_org(
    code: str, org_type: str, parent: Organisation | None, name: str | None = None
) -> Organisation:
    return create_organisation(
        by=None, code=code, name=name or code, org_type=org_type, parent=parent
    )


def make_user(username: str, organisation: Organisation | None, role: str | None = None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=username, organisation=organisation
    )
    if role and organisation:
        grant_role(by=None, user=user, organisation=organisation, role=role)
    return user


@dataclass
class World:
    region: Organisation
    city_a: Organisation
    county_a: Organisation
    gr_a1: Organisation
    gr_a2: Organisation
    gr_a3: Organisation
    city_b: Organisation
    gr_b1: Organisation
    fed_officer: User
    city_officer: User
    city_viewer: User
    county_officer: User
    grassroots_officer: User
    outsider: User
    auditor: User
    security: User


@pytest.fixture
def world(db: Any) -> World:
    region = make_org("R", OrgType.FEDERATION, None, "自治区总工会")
    city_a = make_org("CA", OrgType.PREFECTURE, region, "甲市总工会")
    county_a = make_org("CA-K", OrgType.COUNTY, city_a, "甲县总工会")
    gr_a1 = make_org("CA-K-1", OrgType.GRASSROOTS, county_a, "甲县一厂工会")
    gr_a2 = make_org("CA-K-2", OrgType.GRASSROOTS, county_a, "甲县二厂工会")
    gr_a3 = make_org("CA-3", OrgType.GRASSROOTS, city_a, "甲市三厂工会")
    city_b = make_org("CB", OrgType.PREFECTURE, region, "乙市总工会")
    gr_b1 = make_org("CB-1", OrgType.GRASSROOTS, city_b, "乙市一厂工会")
    return World(
        region=region,
        city_a=city_a,
        county_a=county_a,
        gr_a1=gr_a1,
        gr_a2=gr_a2,
        gr_a3=gr_a3,
        city_b=city_b,
        gr_b1=gr_b1,
        fed_officer=make_user("fed", region, Role.OFFICER),
        city_officer=make_user("alice", city_a, Role.OFFICER),
        city_viewer=make_user("bob", city_a, Role.VIEWER),
        county_officer=make_user("carol", county_a, Role.OFFICER),
        grassroots_officer=make_user("dave", gr_a1, Role.OFFICER),
        outsider=make_user("charlie", gr_b1, Role.OFFICER),
        auditor=make_user("audrey", region, Role.AUDITOR),
        security=make_user("sam", region, Role.SECURITY),
    )
