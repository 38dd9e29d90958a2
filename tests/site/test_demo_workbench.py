"""What the demo leaves on each persona's workbench, and every link leads to a page."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.contests.demo import build_contests
from gonghui.core import workbench
from gonghui.honours.demo import build_honours
from gonghui.orgs.demo import build_demo
from gonghui.people.demo import build_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    summary = build_demo(grassroots_per_county=1)
    build_roster(members=60)
    build_honours()
    organisations = {a.username: a.organisation for a in summary.accounts}
    build_contests(root=summary.root, prefecture=organisations["prefecture"])


def test_each_demo_persona_has_work_waiting_and_every_link_opens(demo, client_for) -> None:
    waiting = {}
    for username in ("federation", "prefecture", "county", "grassroots"):
        user = User.objects.get(username=username)
        todos = workbench.todos_for(user)
        waiting[username] = [str(t.text) for t in todos]
        client: Client = client_for(user)
        home = client.get("/")
        assert home.status_code == 200
        for todo in todos:
            assert client.get(todo.url.split("#")[0]).status_code == 200, (username, todo.url)
        for figure in home.context["figures"]:
            assert client.get(figure.url).status_code == 200, (username, figure.url)
    # the demo's objection waits on the nominating union, its contest on the prefecture
    assert any("objection" in text for text in waiting["grassroots"]), waiting
    assert any("block the results" in text for text in waiting["prefecture"]), waiting
    assert all(waiting[u] for u in ("federation", "prefecture", "grassroots")), waiting
