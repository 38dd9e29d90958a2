"""Security headers on every kind of response (security-tests.md test 2)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/orgs/", "/orgs/CA/", "/orgs/NOPE/", "/api/v1/orgs"]
)
def test_pages_carry_the_security_headers(world, path: str, client_for) -> None:
    client = client_for(world.city_officer)
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Request-ID"]


def test_pages_load_no_asset_from_elsewhere(world, client_for) -> None:
    client = client_for(world.city_officer)
    body = client.get("/orgs/").content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_session_cookie_is_http_only(world) -> None:
    from tests.conftest import PASSWORD

    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_api_docs_use_the_bundled_swagger(world, client_for) -> None:
    client = client_for(world.city_officer)
    body = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()


def test_htmx_request_without_a_session_redirects_the_whole_page(db) -> None:
    response = Client().get("/orgs/?q=x", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert Client().get("/orgs/").status_code == 302


def test_favicon(db) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
