"""Every page an officer can reach, crawled: none names a person outside the officer's scope.

The demo federation (roster, honours, contests) is loaded; each scoped demo officer follows
every link of the pages they reach (GET only, the public pages aside). A name is a secret from
an officer when it belongs only to people, honourees, nominees, competitors or judges outside
their subtree; no page, fragment or export they reach may contain one.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.contests.demo import build_contests
from gonghui.contests.models import Competitor, Judge
from gonghui.contests.permissions import visible_contests
from gonghui.honours.demo import build_honours
from gonghui.honours.models import Honouree, Nomination
from gonghui.honours.permissions import visible_honourees, visible_nominations
from gonghui.orgs.demo import build_demo
from gonghui.people.demo import build_roster
from gonghui.people.models import Person
from gonghui.people.permissions import visible_people

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
NEVER = ("/accounts/logout", "/public/", "/i18n/", "/static/", "/api/v1/docs", "/favicon")
PAGES_EACH = 260


@pytest.fixture
def demo(db: Any) -> None:
    summary = build_demo(grassroots_per_county=1)
    build_roster(members=400)
    build_honours()
    organisations = {a.username: a.organisation for a in summary.accounts}
    build_contests(root=summary.root, prefecture=organisations["prefecture"])


def _names(user: User) -> tuple[set[str], set[str]]:
    """Every person-like name in the database, and those the user may be shown."""
    everyone = (
        set(Person.objects.values_list("name", flat=True))
        | set(Honouree.objects.values_list("name", flat=True))
        | set(Nomination.objects.values_list("person__name", flat=True))
        | set(Competitor.objects.values_list("person__name", flat=True))
        | set(Judge.objects.values_list("person__name", flat=True))
    )
    contests = visible_contests(user)
    seen = (
        set(visible_people(user).values_list("name", flat=True))
        | set(visible_honourees(user).values_list("name", flat=True))
        | set(visible_nominations(user).values_list("person__name", flat=True))
        | set(
            Competitor.objects.filter(skill__contest__in=contests).values_list(
                "person__name", flat=True
            )
        )
        | set(
            Judge.objects.filter(skill__contest__in=contests).values_list("person__name", flat=True)
        )
    )
    return everyone, seen


def _crawl(client: Client, secrets: set[str]) -> tuple[int, list[tuple[str, str]]]:
    queue, seen, leaks = deque(["/"]), {"/"}, []
    visited = 0
    while queue and visited < PAGES_EACH:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        assert response.status_code < 500, path
        if response.streaming:
            body = b"".join(response.streaming_content).decode("utf-8-sig", "replace")
        elif response.get("Content-Type", "").startswith(("text/", "application/json")):
            body = response.content.decode("utf-8-sig", "replace")
        else:
            continue
        leaks += [(path, name) for name in secrets if name in body]
        for link in LINK.findall(body):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(NEVER) and "/download" not in link:
                seen.add(link)
                queue.append(link)
    return visited, leaks


@pytest.mark.parametrize("username", ["prefecture", "county", "grassroots"])
def test_no_page_an_officer_reaches_names_a_person_outside_the_scope(
    demo: None, username: str, client_for
) -> None:
    user = User.objects.get(username=username)
    everyone, seen = _names(user)
    # names of two characters are too common to be telling: three and more only; an account
    # holder's name (the officers') is not a roster entry
    accounts = set(User.objects.values_list("full_name", flat=True))
    secrets = {name for name in everyone - seen - accounts if len(name) >= 3}
    assert secrets, "the demo has people outside every scoped officer's subtree"
    client = client_for(user)
    visited, leaks = _crawl(client, secrets)
    assert visited > 30
    pages = sorted({path for path, _name in leaks})
    assert leaks == [], (
        f"{len(pages)} pages name people outside the scope: {pages[:10]}, {leaks[:5]}"
    )
