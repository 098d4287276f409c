"""``manage.py mcp_stdio`` launched as a subprocess by the SDK's stdio client, as an AI assistant or IDE would."""

from __future__ import annotations

import asyncio

import pytest
from django.core.management import CommandError, call_command
from mcp import ClientSession, StdioServerParameters, stdio_client

from search import services as search_services
from tests.conftest import ROOT
from tests.search.mcp.conftest import MANAGE, server_process_env

pytestmark = pytest.mark.slow


def run_session(database_url: str, calls: list[tuple[str, dict]], *args: str):
    params = StdioServerParameters(
        command=MANAGE[0], args=[*MANAGE[1:], "mcp_stdio", *args], cwd=str(ROOT), env=server_process_env(database_url)
    )

    async def session():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = (await client.list_tools()).tools
            return tools, [await client.call_tool(name, arguments) for name, arguments in calls]

    return asyncio.run(asyncio.wait_for(session(), timeout=240))


def test_stdio_serves_the_same_tools(server_database_url, mcp_catalog):
    query = "dengue cases map"
    tools, (found, dataset, bad, hidden, citation) = run_session(
        server_database_url,
        [
            ("search_datasets", {"query": query, "top_k": 5}),
            ("get_dataset", {"dataset_id": mcp_catalog["dengue_central_kml"]}),
            ("search_datasets", {"query": "rain", "page": 0}),
            ("get_dataset", {"dataset_id": mcp_catalog["junk"]}),
            ("cite_dataset", {"dataset_id": mcp_catalog["bulletin"], "style": "apa"}),
        ],
    )
    assert {t.name for t in tools} == {"search_datasets", "get_dataset", "get_preview", "cite_dataset"}
    expected = search_services.search(query=query, top_k=5)
    assert [h["id"] for h in found.structured_content["results"]] == [h.id for h in expected.results]
    assert [h["why"] for h in found.structured_content["results"]] == [h.why for h in expected.results]
    family = dataset.structured_content["family"]
    assert family["kind"] == "variants" and {m["id"] for m in family["members"]} == {
        mcp_catalog["dengue_central_kml"],
        mcp_catalog["dengue_central_geojson"],
    }
    assert bad.is_error and "page" in bad.content[0].text
    assert hidden.is_error and "No dataset with id" in hidden.content[0].text  # anonymous by default
    assert citation.structured_content["text"].startswith("National Environment Agency. (")


def test_stdio_as_a_named_user(server_database_url, mcp_catalog):
    _, (hidden,) = run_session(
        server_database_url, [("get_dataset", {"dataset_id": mcp_catalog["junk"]})], "--user", "mcp-curator"
    )
    assert not hidden.is_error and hidden.structured_content["status"] == "inactive"


def test_unknown_user_is_refused_before_serving(db):
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("mcp_stdio", user="nobody")
