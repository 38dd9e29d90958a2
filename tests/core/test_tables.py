"""Pages of long lists take any page number a visitor types, and never fail for it."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "abc", "9223372036854775808", "１"])
def test_a_typed_page_number_never_fails_the_register_or_the_hall_of_honour(
    world, client_for, page: str
) -> None:
    client = client_for(world.fed_officer)
    assert client.get("/honours/register/", {"page": page}).status_code == 200
    assert Client().get("/public/honours/", {"page": page}).status_code == 200


HUGE = "99999999999999999999999"


def test_a_typed_id_no_row_can_have_never_fails_a_page(world, client_for) -> None:
    from tests.honours.conftest import make_honours

    campaign = make_honours(world).campaign
    client = client_for(world.fed_officer)
    quotas = client.post(
        f"/honours/campaigns/{campaign.pk}/quotas/", {"formula": "1", "parent": HUGE}
    )
    assert quotas.status_code in (200, 302)
    nominate = client.get(f"/honours/campaigns/{campaign.pk}/nominate/", {"person": HUGE})
    assert nominate.status_code in (200, 403)
