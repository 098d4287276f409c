"""/mcp over streamable HTTP in the real deployment (gunicorn, gthread workers), driven by the SDK's client."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.ops.servers import Gunicorn
from tests.search.mcp.conftest import server_process_env

pytestmark = pytest.mark.slow

TOOLS = {"search_datasets", "get_dataset", "get_preview", "cite_dataset"}


@pytest.fixture(scope="module")
def server(server_database_url):
    gunicorn = Gunicorn(server_process_env(server_database_url)).start()
    yield gunicorn
    gunicorn.stop()


@asynccontextmanager
async def connect(url: str, authorization: str | None):
    headers = {"Authorization": authorization} if authorization else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=120) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):
        yield client


def error_text(result) -> str:
    assert result.is_error, result
    return result.content[0].text


def test_tools_answer_like_the_api(server, mcp_catalog):
    query = "HDB resale flat prices since 2017"
    api = httpx.get(f"{server.url}/api/search", params={"q": query, "top_k": 5}, timeout=120).json()

    async def session():
        async with connect(server.url, f"Bearer {mcp_catalog['agent_token']}") as client:
            tools = (await client.list_tools()).tools
            found = await client.call_tool("search_datasets", {"query": query, "top_k": 5})
            dataset = await client.call_tool("get_dataset", {"dataset_id": mcp_catalog["resale2000"]})
            citation = await client.call_tool("cite_dataset", {"dataset_id": mcp_catalog["resale2017"]})
            preview = await client.call_tool("get_preview", {"dataset_id": mcp_catalog["resale2017"], "max_rows": 5})
            return tools, found, dataset, citation, preview

    tools, found, dataset, citation, preview = asyncio.run(session())
    assert {t.name for t in tools} == TOOLS
    assert all(t.output_schema and t.annotations.read_only_hint for t in tools)
    search = next(t for t in tools if t.name == "search_datasets")
    assert search.input_schema["required"] == ["query"] and "exclude_format" in search.input_schema["properties"]

    assert not found.is_error
    hits = found.structured_content["results"]
    assert [h["id"] for h in hits] == [h["id"] for h in api["results"]]
    assert [h["why"] for h in hits] == [h["why"] for h in api["results"]]
    assert hits[0]["id"] == mcp_catalog["resale2017"] and hits[0]["family"]["size"] == 5
    assert found.structured_content["total"] == api["total"]

    detail = dataset.structured_content
    assert detail["id"] == mcp_catalog["resale2000"] and detail["publisher"]["name"] == "Housing and Development Board"
    assert detail["distributions"][0]["format"] == "CSV" and detail["family"]["kind"] == "series"
    assert citation.structured_content["style"] == "apa" and "[Data set]" in citation.structured_content["text"]
    assert preview.structured_content["status"] == "pending"  # a CSV not previewed yet (no worker ran it)


def test_bad_arguments_are_tool_errors(server, mcp_catalog):
    async def session():
        async with connect(server.url, f"Token {mcp_catalog['agent_token']}") as client:  # DRF's own keyword
            return [
                await client.call_tool("search_datasets", {"query": ""}),
                await client.call_tool("search_datasets", {"query": "rain", "source": ["atlantis"]}),
                await client.call_tool("search_datasets", {"query": "rain", "top_k": 500}),
                await client.call_tool("search_datasets", {"q": "rain"}),
                await client.call_tool("get_dataset", {"dataset_id": "abc"}),
                await client.call_tool("get_dataset", {"dataset_id": 987654321}),
                await client.call_tool("get_dataset", {"dataset_id": mcp_catalog["junk"]}),  # hidden
                await client.call_tool("cite_dataset", {"dataset_id": mcp_catalog["bulletin"], "style": "mla"}),
                await client.call_tool("search_datasets", {"query": "rain", "format": "CSV"}),  # one value: fine
            ]

    empty, unknown_source, top_k, misspelt, not_int, missing, hidden, style, one_format = asyncio.run(session())
    assert "query" in error_text(empty) and "at least 1 character" in error_text(empty)
    assert "source: Unknown source 'atlantis'" in error_text(unknown_source)
    assert "top_k" in error_text(top_k) and "less than or equal to 50" in error_text(top_k)
    assert error_text(misspelt).startswith("Unknown argument(s): q. Known: ")
    assert "dataset_id" in error_text(not_int)
    assert "No dataset with id 987654321." in error_text(missing)
    assert f"No dataset with id {mcp_catalog['junk']}." in error_text(hidden)
    assert "style" in error_text(style)
    assert not one_format.is_error and one_format.structured_content["filters"] == {"format": ["CSV"]}


def test_the_caller_is_the_token_holder(server, mcp_catalog):
    async def get_junk(token):
        async with connect(server.url, f"Bearer {token}") as client:
            return await client.call_tool("get_dataset", {"dataset_id": mcp_catalog["junk"]})

    assert asyncio.run(get_junk(mcp_catalog["agent_token"])).is_error
    staff_view = asyncio.run(get_junk(mcp_catalog["curator_token"]))
    assert not staff_view.is_error and staff_view.structured_content["status"] == "inactive"


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Token not-a-token", "Bearer"])
def test_without_a_valid_token_401(server, mcp_catalog, authorization):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization:
        headers["Authorization"] = authorization
    response = httpx.post(f"{server.url}/mcp", json=initialize, headers=headers, timeout=30)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")

    async def session():
        async with connect(server.url, authorization) as client:
            await client.list_tools()

    with pytest.raises(Exception, match="unhandled errors") as failure:
        asyncio.run(session())
    assert "Server returned an error response" in repr(failure.value.exceptions)
