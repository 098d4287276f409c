"""/mcp in this process through Django's test client: token auth, then the SDK's app behind the view."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

ACCEPT = "application/json, text/event-stream"
LIST_TOOLS = {"jsonrpc": "2.0", "id": 7, "method": "tools/list"}


@pytest.fixture
def token(db) -> str:
    return Token.objects.create(user=UserFactory(username="mcp-endpoint")).key


def post(client, body, **headers):
    return client.post("/mcp", body, content_type="application/json", headers={"Accept": ACCEPT, **headers})


@pytest.mark.parametrize("keyword", ["Bearer", "Token"])
def test_a_token_opens_the_tools(client, token, keyword):
    response = post(client, LIST_TOOLS, Authorization=f"{keyword} {token}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["id"] == 7
    assert [t["name"] for t in data["result"]["tools"]] == [
        "search_datasets",
        "get_dataset",
        "get_preview",
        "cite_dataset",
    ]


def test_no_token_wrong_token_inactive_user_401(client, token):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {token}"}):
        response = post(client, LIST_TOOLS, **headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"].startswith("Bearer")
    Token.objects.get(key=token).user.__class__.objects.filter(username="mcp-endpoint").update(is_active=False)
    assert post(client, LIST_TOOLS, Authorization=f"Bearer {token}").status_code == 401


def test_a_session_is_never_kept(client, token):
    # Stateless: no session id handed out, no session to end, and no standalone event stream (GET), which
    # would hold a worker thread for as long as the client keeps it open.
    auth = {"Authorization": f"Bearer {token}"}
    response = post(client, LIST_TOOLS, **auth)
    assert "Mcp-Session-Id" not in response
    assert client.get("/mcp", headers={"Accept": "text/event-stream", **auth}).status_code == 405
    assert client.delete("/mcp", headers=auth).status_code == 405
    assert client.get("/mcp", headers={"Accept": "text/event-stream"}).status_code == 401


def test_malformed_messages_get_a_json_rpc_error(client, token):
    response = client.post(
        "/mcp",
        b"{not json",
        content_type="application/json",
        headers={"Accept": ACCEPT, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700  # parse error
