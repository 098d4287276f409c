"""Several web nodes without a shared disk: two gunicorn instances, each with its own INDEX_DIR, on one
PostgreSQL, Redis and Celery worker. The worker builds the index; the nodes restore its snapshot and lay
the change log over it (search.index.snapshots, search.index.delta): a curator's edit made through one
node is searchable through the other within seconds, and a node started later serves the same results."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ROOT
from tests.ops.conftest import server_env, wait_for
from tests.ops.test_faults_index import _corpus, _found, _import

pytestmark = pytest.mark.slow

PASSWORD = "node-test-Pa55word!"


def _superuser(env: dict[str, str]) -> None:
    code = (
        "from django.contrib.auth import get_user_model as g; U=g(); U.objects.filter(username='curator').delete(); "
        f"U.objects.create_superuser('curator', 'curator@example.org', '{PASSWORD}')"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _admin_edit(client: httpx.Client, dataset, description: str) -> None:
    """A curator logs in to the node's admin and saves a new description (as a browser posts the form)."""
    from tests.catalog.test_admin import change_form_data

    page = client.get("/admin/login/")
    response = client.post("/admin/login/", data={"username": "curator", "password": PASSWORD,
                           "csrfmiddlewaretoken": _csrf(page), "next": "/admin/"},
                           headers={"Referer": f"{client.base_url}/admin/login/"})  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    url = f"/admin/catalog/dataset/{dataset.pk}/change/"
    page = client.get(url)
    data = change_form_data(dataset, description=description) | {"csrfmiddlewaretoken": _csrf(page)}
    response = client.post(url, data=data, headers={"Referer": f"{client.base_url}{url}"})
    assert response.status_code == 302, response.text[:2000]


def _hits(client: httpx.Client, query: str) -> list[str]:
    response = client.get("/api/search", params={"q": query, "top_k": 10})
    assert response.status_code == 200, response.text[:500]
    return [hit["title"] for hit in response.json()["results"]]


def test_an_edit_through_one_node_is_searchable_through_the_other(
    server_db_url, fresh_index, redis_server, make_gunicorn, make_worker, tmp_path
):
    from catalog.models import Dataset

    env = server_env(server_db_url, REDIS_URL=redis_server.url, API_THROTTLE_ANON="100000/min",
                     API_THROTTLE_USER="100000/min")  # fmt: skip
    make_worker(env | {"RA_TEST_INDEX_DIR": str(tmp_path / "worker")})
    _import(env | {"RA_TEST_INDEX_DIR": str(tmp_path / "importer")},
            _corpus(tmp_path / "catalog.jsonl", [f"Wombat census {i}" for i in range(20)]))  # fmt: skip
    _superuser(env)
    # Production start-up (WARM_UP=1): the model and the index load before a node serves.
    node_a = make_gunicorn(env | {"RA_TEST_INDEX_DIR": str(tmp_path / "node-a"), "WARM_UP": "1"}, ready_timeout=300)
    node_b = make_gunicorn(env | {"RA_TEST_INDEX_DIR": str(tmp_path / "node-b"), "WARM_UP": "1"}, ready_timeout=300)
    with httpx.Client(base_url=node_a.url, timeout=60) as a, httpx.Client(base_url=node_b.url, timeout=60) as b:
        for client in (a, b):  # the worker's build, restored by each node from its snapshot
            wait_for(lambda c=client: _found(c, "wombat census 3", "Wombat census 3"), timeout=180, interval=0.5)
        assert "snapshot" in node_a.log() and "snapshot" in node_b.log()

        dataset = Dataset.objects.get(title="Wombat census 7")
        _admin_edit(a, dataset, f"{dataset.description} Curator note zorvexmalt")
        saved = time.monotonic()
        wait_for(lambda: _hits(b, "zorvexmalt")[:1] == ["Wombat census 7"], timeout=30, interval=0.1)
        seen_in = time.monotonic() - saved
        print(f"\nedit through node A searchable through node B after {seen_in:.2f}s")
        assert seen_in < 5
        assert _hits(a, "zorvexmalt")[:1] == ["Wombat census 7"]

        # A node started later (a new host, an empty INDEX_DIR) serves the same results.
        node_c = make_gunicorn(env | {"RA_TEST_INDEX_DIR": str(tmp_path / "node-c"), "WARM_UP": "1"}, ready_timeout=300)
        with httpx.Client(base_url=node_c.url, timeout=60) as c:
            for query in ("zorvexmalt", "wombat census 12", "survey field counts"):
                wait_for(lambda q=query: _hits(c, q) == _hits(b, q), timeout=60, interval=0.5)
        built_by_nodes = [n.log() for n in (node_a, node_b, node_c) if "building it from the database" in n.log()]
        assert not built_by_nodes  # no node built the index itself
