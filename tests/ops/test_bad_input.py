"""Hand-made bad inputs on every endpoint: never a 5xx, and a 4xx that names what was wrong.

Runs on both engines (NUL bytes only break PostgreSQL, so the suite must run there too). The
search index is empty here: validation happens before the index is consulted.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JSON_ENDPOINTS = ("/api/search", "/api/conversation", "/api/ai-search", "/api/auth/token")
# A valid-looking body per endpoint, for the field that a bad value replaces.
FIELD = {"/api/search": "q", "/api/conversation": "message", "/api/ai-search": "query", "/api/auth/token": "username"}

GET_PAGES = (
    "/api/search",
    "/api/datasets",
    "/api/datasets/1",
    "/api/datasets/1/similar",
    "/api/conversation/messages/1/answer",
    "/api/conversations",
    "/api/history",
    "/api/health",
    "/api/auth/token",
    "/search",
    "/",
    "/datasets/1/",
    "/chat/answers/1",
    "/history/",
    "/help/",
    "/accounts/login/",
)
FORM_POSTS = {
    "/chat/send": "message",
    "/chat/chips/remove": "value",
    "/feedback": "query",
    "/accounts/login/": "username",
    "/accounts/signup/": "username",
}


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_BODIES = {
    "array": b"[]",
    "null": b"null",
    "zero": b"0",
    "string": b'"hello"',
    "true": b"true",
    "invalid": b"{not json",
    "truncated": b'{"q": "abc',
    "not-utf8": b'{"q": "\xff\xfe"}',
    "deep-array": _deep(1000).encode(),
    "deep-object": ('{"a":' * 1000 + "1" + "}" * 1000).encode(),
    "empty": b"",
}


def _field_body(endpoint: str, value) -> bytes:
    body = {FIELD[endpoint]: value}
    if endpoint == "/api/auth/token":
        body["password"] = "x"
    return json.dumps(body).encode()


def _raw_field_body(endpoint: str, raw_json_value: str) -> bytes:
    """A body whose field is written as raw JSON text (to carry escapes json.dumps would not make)."""
    extra = ', "password": "x"' if endpoint == "/api/auth/token" else ""
    return f'{{"{FIELD[endpoint]}": {raw_json_value}{extra}}}'.encode()


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def _post_json(client, path, body: bytes):
    return client.post(path, data=body, content_type="application/json")


def _assert_4xx_json(response, *, names: str | None = None):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    payload = response.json()
    assert isinstance(payload, dict)
    if names:
        assert names in json.dumps(payload), payload
    assert len(response.content) < 4000


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
def test_malformed_json_bodies_are_4xx_json(client, endpoint, kind):
    response = _post_json(client, endpoint, BAD_BODIES[kind])
    _assert_4xx_json(response)


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
@pytest.mark.parametrize("kind", ["array", "null", "zero", "string"])
def test_a_body_that_is_not_an_object_is_400_saying_so(client, endpoint, kind):
    response = _post_json(client, endpoint, BAD_BODIES[kind])
    assert response.status_code == 400
    assert "JSON object" in json.dumps(response.json())


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [r'"\ud800"', r'"abc\udfffdef"', r'"a\u0000b"', r'["\ud800"]', r'{"x": "\u0000"}'],
    ids=["lone-high", "lone-low", "nul", "surrogate-in-list", "nul-in-object"],
)
def test_nul_and_lone_surrogates_are_400_naming_the_field(client, endpoint, raw):
    response = _post_json(client, endpoint, _raw_field_body(endpoint, raw))
    assert response.status_code == 400, response.content[:300]
    _assert_4xx_json(response, names=FIELD[endpoint])


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_a_surrogate_in_a_key_is_400(client, endpoint):
    response = _post_json(client, endpoint, b'{"\\ud800": 1}')
    assert response.status_code == 400


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_deep_nesting_inside_a_field_is_400(client, endpoint):
    response = _post_json(client, endpoint, _raw_field_body(endpoint, _deep(1000)))
    assert response.status_code == 400
    assert "nest" in response.content.decode()


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_a_huge_body_is_413(client, endpoint, settings):
    body = _field_body(endpoint, "x" * (settings.API_MAX_BODY_BYTES + 10))
    response = _post_json(client, endpoint, body)
    assert response.status_code == 413
    _assert_4xx_json(response)


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
@pytest.mark.parametrize("value", [True, {"a": 1}, [1, 2], "x" * 30000], ids=str)
def test_wrong_field_types_are_4xx(client, endpoint, value):
    response = _post_json(client, endpoint, _field_body(endpoint, value))
    _assert_4xx_json(response)


@pytest.mark.parametrize(
    "filters",
    [{"source": {"a": 1}}, {"source": [[1]]}, "x", [1], {"year_from": "abc"}, {"year_from": 10**30}, {"nope": 1},
     {"source": ["\u0000"]}, {"top_k": None}],
    ids=str,
)
def test_ai_search_filters_of_any_shape_are_never_5xx(client, filters):
    response = _post_json(client, "/api/ai-search", json.dumps({"query": "rain", "filters": filters}).encode())
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize(
    "body",
    [{"q": "rain", "top_k": "abc"}, {"q": "rain", "top_k": 10**30}, {"q": "rain", "page": -1},
     {"q": "rain", "source": {"a": 1}}, {"q": "rain", "source": [[1]]}, {"q": "rain", "year_from": "x"},
     {"q": "rain", "include_inactive": [[]]}, {"q": "rain", "sort": ["x"]}, {"q": ["rain"]}, {"q": None}],
    ids=str,
)
def test_search_post_fields_of_any_shape_are_4xx(client, body):
    response = _post_json(client, "/api/search", json.dumps(body).encode())
    _assert_4xx_json(response)


@pytest.mark.parametrize("path", GET_PAGES)
@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "q=%00", "page=%00", "top_k=abc", "top_k=99999999999999999999999", "page=-1",
     "page=99999999999999999999999", "year_from=abc", "source=%00x", "sort=%00", "n=abc", "wait=%00",
     "q=" + "x" * 5000, "format=json", "q=%ED%A0%80", "q=%FF%FE"],
)
def test_bad_query_params_are_never_5xx(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (response.status_code, response.content[:300])


@pytest.mark.parametrize("path", GET_PAGES)
def test_a_nul_in_a_query_param_is_400_naming_it(client, path):
    response = client.get(f"{path}?q=rain%00fall")
    assert response.status_code == 400
    assert "q" in response.content.decode()
    assert "NUL" in response.content.decode()


def test_a_nul_in_q_on_the_search_page_is_a_clear_400_page(client):
    response = client.get("/search?q=rain%00fall")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "“q”" in response.content.decode()


@pytest.mark.parametrize("path", sorted(FORM_POSTS))
def test_a_nul_in_a_form_field_is_400_naming_it(client, path):
    field = FORM_POSTS[path]
    response = client.post(path, {field: "rain\x00fall", "password": "x"})
    assert response.status_code == 400, response.content[:300]
    assert field in response.content.decode()


@pytest.mark.parametrize("path", sorted(FORM_POSTS))
@pytest.mark.parametrize(
    "data",
    [{"message": "x" * 30000}, {"mode": "\x01", "facet": "?", "value": "x" * 10000}, {"target": "nope", "value": "9"},
     {"dataset": "abc", "rank": "-5", "message": "zz"}, {"next": "//evil.example"},
     {"username": "u" * 30000, "password": "p" * 30000}],
    ids=["long", "control", "bad-target", "bad-ids", "open-redirect", "long-credentials"],
)
def test_bad_form_posts_are_never_5xx(client, path, data):
    response = client.post(path, data)
    assert response.status_code < 500, (response.status_code, response.content[:300])


def test_nul_in_a_chat_message_through_the_api_is_400(client):
    response = _post_json(client, "/api/conversation", json.dumps({"message": "rain\x00fall"}).encode())
    assert response.status_code == 400
    assert "message" in response.json()


def test_the_request_id_middleware_survives_a_surrogate_in_a_sensitive_field(client):
    response = _post_json(client, "/api/auth/token", b'{"username": "a", "password": "\\ud800secret"}')
    assert response.status_code == 400
    assert "password" in response.json()
    assert response["X-Request-ID"]


def test_nul_in_a_header_is_400(client):
    response = client.get("/api/datasets", HTTP_X_CUSTOM="a\x00b")
    assert response.status_code == 400


def test_a_bad_token_header_is_401_not_500(client):
    response = client.get("/api/history", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code in (400, 401)


def test_an_authenticated_caller_gets_the_same_checks(client):
    user = UserFactory(username="carol")
    client.force_login(user)
    response = _post_json(client, "/api/search", b"[]")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/api/datasets/99999999999999999999999", "/api/datasets/99999999999999999999999/similar",
     "/api/conversation/messages/99999999999999999999999/answer", "/datasets/99999999999999999999999/",
     "/chat/answers/99999999999999999999999", "/api/datasets/9223372036854775808"],
)  # fmt: skip
def test_an_id_beyond_the_database_range_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, (response.status_code, response.content[:200])


def test_long_headers_and_paths_are_never_5xx(client):
    long = "a" * 5000
    responses = [
        client.get("/api/datasets", HTTP_USER_AGENT=long, HTTP_ACCEPT=long),
        client.post("/accounts/login/", {"username": "u", "password": "p"}, HTTP_USER_AGENT=long, HTTP_ACCEPT=long),
        client.post("/api/auth/token", {"username": "u", "password": "p"}, content_type="application/json",
                    HTTP_USER_AGENT=long),
        client.get("/" + long),
        client.get("/api/" + long),
    ]  # fmt: skip
    assert [r.status_code for r in responses if r.status_code >= 500] == []


def test_too_many_form_fields_is_a_small_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = "&".join(f"f{i}=x" for i in range(50))
    page = client.post("/chat/send", data, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and len(page.content) < 2000
    api = client.post("/api/search", data, content_type="application/x-www-form-urlencoded")
    assert api.status_code == 400 and api["Content-Type"].startswith("application/json")
