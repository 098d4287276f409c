"""/api/saved-searches and the "New for you" page: owner only, shapes, errors (no index needed)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from search.models import SavedSearch, SavedSearchMatch
from tests.factories import DatasetFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    return UserFactory(username="ada")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_create_list_update_delete_with_a_token(ada):
    client = api_for(ada)
    response = client.post(
        "/api/saved-searches",
        {"query": "rainfall  in Singapore", "filters": {"format": ["csv"], "year_from": 2015}, "email_digest": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["query"] == "rainfall in Singapore" and data["name"] == "rainfall in Singapore"
    assert data["filters"] == {"format": ["csv"], "year_from": 2015}  # no index yet: checked by shape only
    assert data["email_digest"] is True and data["new_count"] == 0 and data["checked_at"] is None
    assert data["search_url"].endswith("/search?q=rainfall+in+Singapore&format=csv&year_from=2015")
    # The same search again: the existing one, 200.
    again = client.post(
        "/api/saved-searches",
        {"query": "rainfall in Singapore", "filters": {"year_from": "2015", "format": "csv"}},
        format="json",
    )
    assert again.status_code == 200 and again.json()["id"] == data["id"]

    assert [s["id"] for s in client.get("/api/saved-searches").json()] == [data["id"]]
    patched = client.patch(f"/api/saved-searches/{data['id']}", {"name": "Rain", "email_digest": False}, format="json")
    assert patched.status_code == 200 and (patched.json()["name"], patched.json()["email_digest"]) == ("Rain", False)
    assert client.delete(f"/api/saved-searches/{data['id']}").status_code == 204
    assert client.get("/api/saved-searches").json() == []


def test_matches_and_mark_seen(ada):
    saved = SavedSearch.objects.create(user=ada, name="rain", query="rain", key="k")
    new = DatasetFactory(title="Rainfall <daily>")
    old = DatasetFactory(title="Rainfall monthly")
    SavedSearchMatch.objects.create(saved_search=saved, dataset=new, first_seen=timezone.now())
    SavedSearchMatch.objects.create(saved_search=saved, dataset=old, first_seen=timezone.now(), seen=True)
    client = api_for(ada)
    assert client.get(f"/api/saved-searches/{saved.pk}").json()["new_count"] == 1
    matches = client.get(f"/api/saved-searches/{saved.pk}/matches").json()
    assert [(m["dataset"], m["title"], m["seen"]) for m in matches] == [(new.pk, "Rainfall <daily>", False)]
    assert matches[0]["url"].endswith(f"/datasets/{new.pk}/")
    assert len(client.get(f"/api/saved-searches/{saved.pk}/matches?all=true").json()) == 2
    seen = client.post(f"/api/saved-searches/{saved.pk}/seen", {"dataset_ids": [new.pk]}, format="json")
    assert seen.json() == {"marked": 1}
    assert client.get(f"/api/saved-searches/{saved.pk}/matches").json() == []


def test_another_users_saved_search_is_a_404_everywhere(ada, bob):
    mine = SavedSearch.objects.create(user=ada, name="mine", query="rain", key="k")
    SavedSearchMatch.objects.create(
        saved_search=mine, dataset=DatasetFactory(title="Secret"), first_seen=timezone.now()
    )
    client = api_for(bob)
    assert client.get("/api/saved-searches").json() == []
    url = f"/api/saved-searches/{mine.pk}"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "hijacked"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.get(f"{url}/matches").status_code == 404
    assert client.post(f"{url}/seen", {}, format="json").status_code == 404
    # The pages too.
    page = APIClient()
    page.force_login(bob)
    for action in ("delete", "seen", "alerts"):
        assert page.post(f"/saved/{mine.pk}/{action}").status_code == 404
    assert "Secret" not in page.get("/saved/").content.decode()
    mine.refresh_from_db()
    assert mine.name == "mine" and mine.matches.filter(seen=False).count() == 1


def test_anonymous_clients_are_refused(ada):
    client = APIClient()
    assert client.get("/api/saved-searches").status_code in (401, 403)
    assert client.post("/api/saved-searches", {"query": "rain"}, format="json").status_code in (401, 403)
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"query": ""},
        {"query": "x" * 501},
        {"query": "rain", "filters": {"nope": 1}},
        {"query": "rain", "filters": {"include_inactive": True}},
        {"query": "rain", "filters": {"year_from": "soon"}},
        {"query": "rain", "filters": "format=CSV"},
        {"query": "rain", "name": "n" * 201},
        {"query": ["rain"]},
    ],
)
def test_bad_input_is_a_400_with_field_errors(ada, body):
    response = api_for(ada).post("/api/saved-searches", body, format="json")
    assert response.status_code == 400 and response.json()
    assert not SavedSearch.objects.exists()


def test_the_limit_per_user_is_a_400(ada, settings):
    settings.SAVED_SEARCH_MAX_PER_USER = 1
    client = api_for(ada)
    assert client.post("/api/saved-searches", {"query": "rain"}, format="json").status_code == 201
    response = client.post("/api/saved-searches", {"query": "dengue"}, format="json")
    assert response.status_code == 400 and "at most 1" in str(response.json())


def test_the_page_lists_new_matches_and_marks_them_seen(client, ada):
    saved = SavedSearch.objects.create(user=ada, name="rain <b>", query="rain", key="k", checked_at=timezone.now())
    dataset = DatasetFactory(title="<script>alert(1)</script> rainfall")
    SavedSearchMatch.objects.create(saved_search=saved, dataset=dataset, first_seen=timezone.now())
    client.force_login(ada)
    html = client.get("/saved/").content.decode()
    assert "1 new dataset for your saved searches" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; rainfall" in html and "<script>alert" not in html
    assert "rain &lt;b&gt;" in html
    response = client.post(f"/saved/{saved.pk}/seen")
    assert response.status_code == 302 and response["Location"] == "/saved/"
    assert "Nothing new since you last looked" in client.get("/saved/").content.decode()


def test_the_page_and_the_save_box_ask_anonymous_visitors_to_log_in(client):
    html = client.get("/saved/").content.decode()
    assert "Log in to save searches" in html and "/accounts/login/?next=/saved/" in html
    response = client.post("/saved/new", {"q": "rain", "next": "/search?q=rain"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert not SavedSearch.objects.exists()


def test_saving_from_the_search_page_form(client, ada):
    client.force_login(ada)
    response = client.post(
        "/saved/new",
        {"q": "rain", "format": "CSV,JSON", "email_digest": "on", "next": "/search?q=rain&format=CSV,JSON"},
    )
    assert response.status_code == 302 and response["Location"] == "/search?q=rain&format=CSV,JSON"
    saved = SavedSearch.objects.get(user=ada)
    assert (saved.query, saved.filters, saved.email_digest) == ("rain", {"format": ["CSV", "JSON"]}, True)
    # htmx: the box is swapped in place; an off-site "next" is ignored.
    again = client.post(
        "/saved/new",
        {"q": "rain", "format": "CSV,JSON", "next": "https://evil.example/"},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200 and "already saved this search" in again.content.decode()
    assert client.post("/saved/new", {"q": "rain", "next": "https://evil.example/"})["Location"] == "/search"


def test_alerts_toggle_and_delete_from_the_page(client, ada):
    saved = SavedSearch.objects.create(user=ada, name="rain", query="rain", key="k")
    client.force_login(ada)
    client.post(f"/saved/{saved.pk}/alerts", {"email_digest": "on"})
    saved.refresh_from_db()
    assert saved.email_digest is True
    client.post(f"/saved/{saved.pk}/alerts")
    saved.refresh_from_db()
    assert saved.email_digest is False
    assert client.post(f"/saved/{saved.pk}/delete").status_code == 302
    assert not SavedSearch.objects.exists()


def test_saved_search_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    for path in (
        "/api/saved-searches",
        "/api/saved-searches/{id}",
        "/api/saved-searches/{id}/matches",
        "/api/saved-searches/{id}/seen",
    ):
        assert path in schema["paths"], path


def test_the_page_has_no_inline_code_for_a_signed_in_user(client, ada):
    from tests.ops.test_exposure import INLINE

    saved = SavedSearch.objects.create(user=ada, name="rain", query="rain", key="k", email_digest=True)
    SavedSearchMatch.objects.create(saved_search=saved, dataset=DatasetFactory(), first_seen=timezone.now())
    client.force_login(ada)
    response = client.get("/saved/")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    for pattern, what in INLINE:
        assert pattern.search(html) is None, what


def test_a_refused_save_keeps_the_search_to_come_back_to(client, ada, settings):
    settings.SAVED_SEARCH_MAX_PER_USER = 0
    client.force_login(ada)
    response = client.post("/saved/new", {"q": "rain", "next": "/search?q=rain"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "at most 0 saved searches" in html
    assert 'name="next" value="/search?q=rain"' in html
