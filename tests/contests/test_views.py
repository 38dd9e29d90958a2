"""Contest pages through the personas: who sees what, the grid, sign-off, results, files."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from gonghui.contests.models import Mark
from gonghui.core.models import AuditEvent


def test_outsider_sees_no_contest_page(world, finished, client_for) -> None:
    client = client_for(world.outsider)
    skill, contest = finished.skill, finished.contest
    assert contest.code not in client.get(reverse("contests:list")).content.decode()
    for url in [
        reverse("contests:detail", args=[contest.code]),
        reverse("contests:results", args=[contest.code]),
        reverse("contests:results_csv", args=[contest.code]),
        reverse("contests:results_xlsx", args=[contest.code]),
        reverse("contests:certificates", args=[contest.code]),
        reverse("contests:skill", args=[skill.pk]),
        reverse("contests:marks", args=[skill.pk]),
        reverse("contests:skill_results", args=[skill.pk]),
        reverse("contests:skill_certificates", args=[skill.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    posted = client.post(
        reverse(
            "contests:mark_cell",
            args=[skill.pk, finished.competitors[0].pk, skill.aspects.first().pk],
        ),
        {"value": "1"},
    )
    assert posted.status_code == 404


@pytest.mark.parametrize(
    ("persona", "sees", "manages"),
    [
        ("fed_officer", True, True),
        ("city_officer", True, True),
        ("city_viewer", True, False),
        ("county_officer", False, False),
        ("grassroots_officer", False, False),
        ("outsider", False, False),
        ("auditor", False, False),
    ],
)
def test_scope_per_persona(world, running, persona, sees, manages, client_for) -> None:
    client = client_for(getattr(world, persona))
    detail = client.get(reverse("contests:detail", args=[running.contest.code]))
    assert detail.status_code == (200 if sees else 404)
    grid = client.get(reverse("contests:marks", args=[running.skill.pk]))
    assert grid.status_code == (200 if manages else 403 if sees else 404)
    listed = client.get(reverse("contests:list")).content.decode()
    assert (running.contest.name in listed) == sees


def test_contest_page_counts_each_skills_entrants(world, running, client_for) -> None:
    html = (
        client_for(world.city_viewer)
        .get(reverse("contests:detail", args=[running.contest.code]))
        .content.decode()
    )
    row = html.split('data-testid="skill-table"')[1].split("</table>")[0]
    assert '<td class="num">3</td><td class="num">4</td>' in row  # 3 competitors, 4 judges


def test_skill_page_shows_scheme_judges_and_the_conflict(world, running, client_for) -> None:
    page = client_for(world.city_viewer).get(reverse("contests:skill", args=[running.skill.pk]))
    html = page.content.decode()
    assert "测量" in html and "70.00" in html
    assert "甲机械厂" in html
    # J4 works where C001 works: shown as a conflict on the judges' table
    judges = html.split('data-testid="judges"')[1].split("</table>")[0]
    assert "C001 选手一" in judges
    assert "Enter marks" not in html  # a viewer does not get the grid


def test_grid_saves_a_cell_and_answers_it_with_the_value(world, running, client_for) -> None:
    client = client_for(world.city_officer)
    skill = running.skill
    m1 = skill.aspects.get(code="M1")
    one = running.competitors[0]
    response = client.post(
        reverse("contests:mark_cell", args=[skill.pk, one.pk, m1.pk]),
        {"value": "55.5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'value="55.50"' in response.content.decode()
    assert Mark.objects.get(competitor=one, aspect=m1).mark == 55.5


def test_grid_keeps_a_bad_value_and_says_why(world, running, client_for) -> None:
    client = client_for(world.city_officer)
    skill = running.skill
    m1 = skill.aspects.get(code="M1")
    response = client.post(
        reverse("contests:mark_cell", args=[skill.pk, running.competitors[0].pk, m1.pk]),
        {"value": "75"},
    )
    html = response.content.decode()
    assert 'value="75"' in html and "from 0 to 70.00" in html and "bad" in html
    assert not Mark.objects.exists()


def test_grid_refuses_a_conflicted_judge_naming_both(world, running, client_for) -> None:
    client = client_for(world.city_officer)
    skill = running.skill
    j1 = skill.aspects.get(code="J1")
    response = client.post(
        reverse("contests:mark_cell", args=[skill.pk, running.competitors[0].pk, j1.pk]),
        {"value": "2", "judge": running.judges[3].pk},
    )
    html = response.content.decode()
    assert "J4 裁判四" in html and "C001 选手一" in html
    assert not Mark.objects.exists()


def test_judge_sheet_shows_the_recused_cell(world, running, client_for) -> None:
    client = client_for(world.city_officer)
    page = client.get(
        reverse("contests:marks", args=[running.skill.pk]) + f"?sheet={running.judges[3].pk}"
    )
    assert "recused" in page.content.decode()


def test_viewer_cannot_post_marks(world, running, client_for) -> None:
    skill = running.skill
    response = client_for(world.city_viewer).post(
        reverse(
            "contests:mark_cell",
            args=[skill.pk, running.competitors[0].pk, skill.aspects.first().pk],
        ),
        {"value": "1"},
    )
    assert response.status_code == 403
    assert not Mark.objects.exists()


def test_results_pages_show_medals_and_best(world, finished, client_for) -> None:
    client = client_for(world.city_viewer)
    html = client.get(reverse("contests:skill_results", args=[finished.skill.pk])).content.decode()
    assert "80.00" in html and "767" in html and "金牌" in html and "铜牌" in html
    contest_html = client.get(
        reverse("contests:results", args=[finished.contest.code])
    ).content.decode()
    assert "选手一" in contest_html.split('data-testid="best"')[1].split("</div>")[0]


def test_blocked_results_say_why(world, running, client_for) -> None:
    html = (
        client_for(world.city_officer)
        .get(reverse("contests:skill_results", args=[running.skill.pk]))
        .content.decode()
    )
    assert "marks are still to be entered" in html


def test_results_export_has_the_issue_columns_and_is_audited(world, finished, client_for) -> None:
    response = client_for(world.city_viewer).get(
        reverse("contests:results_csv", args=[finished.contest.code])
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["赛项代码", "名次", "选手编号", "姓名", "原始分", "标准分", "奖项"]
    assert rows[1] == ["S1", "1", "C001", "选手一", "80.00", "767", "金牌"]
    assert rows[3][-1] == "铜牌"
    assert AuditEvent.objects.filter(action="contest.results.export").count() == 1
    xlsx = client_for(world.city_viewer).get(
        reverse("contests:results_xlsx", args=[finished.contest.code])
    )
    assert xlsx.status_code == 200


def test_sign_off_page_flow(world, running, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.post(reverse("contests:sign_off", args=[running.skill.pk]), follow=True)
    assert "cannot be signed off yet" in response.content.decode()
    running.skill.refresh_from_db()
    assert not running.skill.is_signed_off


def test_create_contest_skill_scheme_and_register_in_the_web(world, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.post(
        reverse("contests:create"),
        {
            "code": "W1",
            "name": "网页竞赛",
            "organiser": world.county_a.code,
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
            "level": "county",
        },
    )
    assert response.status_code == 302
    client.post(
        reverse("contests:skill_create", args=["W1"]),
        {"code": "K1", "name": "钳工", "medal_policy": "worldskills", "minimum_competitors": 1},
    )
    from gonghui.contests.models import Skill

    skill = Skill.objects.get(contest__code="W1", code="K1")
    bad = client.post(
        reverse("contests:scheme", args=[skill.pk]),
        {"lines": "A\tA1\t尺寸\tM\t60\nB\tB1\t工艺\tJ\t39.5"},
    )
    assert "99.50" in bad.content.decode()
    client.post(
        reverse("contests:scheme", args=[skill.pk]), {"lines": "A|A1|尺寸|M|60\nB|B1|工艺|J|40"}
    )
    assert list(skill.aspects.values_list("code", flat=True)) == ["A1", "B1"]
    from .factories import identity_number

    registered = client.post(
        reverse("contests:competitor_add", args=[skill.pk]),
        {
            "c-number": "01",
            "c-name": "王芳",
            "c-identity_number": identity_number(40, female=True),
            "c-union": world.gr_a1.code,
        },
    )
    assert registered.status_code == 302
    assert skill.competitors.get().union == world.gr_a1
    refused = client.post(
        reverse("contests:competitor_add", args=[skill.pk]),
        {
            "c-number": "02",
            "c-name": "王芳",
            "c-identity_number": "650102199003070071",
            "c-union": world.gr_b1.code,
        },
    )
    html = refused.content.decode()
    assert "No organisation with code CB-1 within your scope" in html


def test_county_officer_cannot_create_a_contest_above_them(world, client_for) -> None:
    response = client_for(world.county_officer).post(
        reverse("contests:create"),
        {
            "code": "W2",
            "name": "x",
            "organiser": world.city_a.code,
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-02",
            "level": "county",
        },
    )
    assert "within your scope" in response.content.decode()


def test_taking_a_judge_off_in_the_web(world, running, client_for) -> None:
    skill = running.skill
    url = reverse("contests:entrant_remove", args=[skill.pk, "judge", "J4"])
    assert client_for(world.outsider).post(url, {"reason": "x"}).status_code == 404
    assert client_for(world.city_viewer).post(url, {"reason": "x"}).status_code == 403
    page = client_for(world.city_officer).post(url, {"reason": "登记错误"}, follow=True)
    assert "裁判四" in page.content.decode() and "taken off the skill" in page.content.decode()
    assert not skill.judges.filter(number="J4").exists()


def test_a_chief_judge_with_an_account_signs_off_alone(world, running, client_for) -> None:
    from tests.conftest import make_user

    from .conftest import fill_marks

    judy = make_user("judy", world.gr_a1)  # an account with no role: a judge, not an officer
    alice = client_for(world.city_officer)
    skill = running.skill
    form = {
        "j-number": "J1",
        "j-name": "裁判一",
        "j-identity_number": running.judges[0].person.reveal_identity_number(),
        "j-is_chief": "on",
    }
    refused = alice.post(
        reverse("contests:judge_add", args=[skill.pk]), {**form, "j-account": "charlie"}
    )
    assert "No account charlie within your scope" in refused.content.decode()
    alice.post(reverse("contests:judge_add", args=[skill.pk]), {**form, "j-account": "judy"})
    assert skill.judges.get(number="J1").user == judy

    one, two, three = running.competitors
    fill_marks(
        skill, {one: ("60", [2, 2, 2]), two: ("50", [1, 1, 2, 2]), three: ("40", [1, 1, 1, 1])}
    )
    judge = client_for(judy)
    listed = judge.get(reverse("contests:list")).content.decode()
    assert skill.contest.name in listed and 'href="/contests/"' in listed  # in the menu too
    page = judge.get(reverse("contests:skill", args=[skill.pk])).content.decode()
    assert 'data-testid="sign-off"' in page and 'data-testid="enter-marks"' not in page
    assert judge.get(reverse("contests:marks", args=[skill.pk])).status_code == 403
    assert judge.get(reverse("contests:detail", args=[skill.contest.code])).status_code == 404

    refused = alice.post(reverse("contests:sign_off", args=[skill.pk]), follow=True)
    assert "Only the chief judge 裁判一" in refused.content.decode()
    judge.post(reverse("contests:sign_off", args=[skill.pk]))
    skill.refresh_from_db()
    assert skill.is_signed_off and skill.signed_off_by == judy
    judge.post(reverse("contests:reopen", args=[skill.pk]), {"reason": "复核 C002"})
    skill.refresh_from_db()
    assert not skill.is_signed_off
    assert (
        client_for(world.outsider).post(reverse("contests:sign_off", args=[skill.pk])).status_code
        == 404
    )
